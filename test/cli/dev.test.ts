/** `gokac dev`: the build on the in-memory broker, emit over HTTP and stdin, table reads, handlers reloaded on change. */
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type * as Runtime from "../../runtime/index.js";
import { repoRoot } from "../golden/golden-helpers.js";
import { gokac, project, removeProjects, runGokac } from "../support/cli.js";

const counter = `topics:
  clicks: { partitions: 2, codec: string }
  totals: { partitions: 1, codec: int64 }
---
group: counter
inputs:
  - topic: clicks
    handler: onClick
persist:
  codec: int64
outputs:
  - topic: totals
`;
const handlerAdding = (step: string) => `import type { CounterContext } from "./graph.js";
export async function onClick(ctx: CounterContext, _msg: string): Promise<void> {
  const n = ((await ctx.value()) ?? 0n) + ${step};
  ctx.setValue(n);
  ctx.emit("totals", ctx.key, n);
}
`;

let dir = "";
beforeAll(async () => {
  dir = project({
    "package.json": JSON.stringify({ name: "app", type: "module", gokac: { specs: "specs" } }),
    "specs/counter.yaml": counter,
    "generated/counter/handlers.ts": handlerAdding("1n"),
  });
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(repoRoot, join(dir, "node_modules/gokac"));
  const build = await gokac(dir, "build");
  expect(build.code, build.stderr).toBe(0);
});
afterAll(removeProjects);

/** Polls `check` until it returns a value other than undefined, or fails after `ms`. */
async function until<T>(what: string, check: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function tableValue(url: string, table: string, key: string): Promise<unknown> {
  const res = await fetch(`${url}/api/tables/${table}/${key}`);
  return res.status === 200 ? ((await res.json()) as unknown) : undefined;
}

function post(url: string, topic: string, body: unknown): Promise<Response> {
  return fetch(`${url}/api/topics/${topic}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

describe("gokac dev", () => {
  it("emits over HTTP and stdin, serves tables, reloads an edited handler keeping the table, stops with exit 0", async () => {
    let stderr = "";
    let stop = () => undefined as void;
    const stopped = new Promise<void>((r) => (stop = r));
    const running = runGokac(["dev", "--http", "127.0.0.1:0", "--log-level", "silent"], {
      cwd: dir,
      stdin: "clicks\tb\tx\nclicks\tb\n",
      stop: stopped,
      onOutput: (stream, t) => void (stream === "stderr" ? (stderr += t) : undefined),
    });
    try {
      const url = await until("the monitor's URL", async () => /monitor on (http:\/\/\S+)/.exec(stderr)?.[1]);
      // the stdin line was sent (and the line without a value refused, the rest still read)
      expect(await until("b from stdin", async () => tableValue(url, "counter-table", "b"))).toBe(1);
      expect(stderr).toContain("stdin line 2");

      const sent = await post(url, "clicks", { key: "a", value: "x" });
      expect(sent.status).toBe(200);
      expect(await until("a = 1", async () => ((await tableValue(url, "counter-table", "a")) === 1 ? 1 : undefined))).toBe(1);

      // refusals: an unknown topic (404), a value the codec refuses (400), a body that is not a message (400)
      expect((await post(url, "nope", { key: "a", value: "x" })).status).toBe(404);
      const refused = await post(url, "totals", { key: "a", value: "not a number" });
      expect(refused.status).toBe(400);
      expect(((await refused.json()) as { error: string }).error).toBe("value-refused");
      expect((await post(url, "clicks", { value: "x" })).status).toBe(400);
      // an int64 beyond 2^53 given as a string of digits is sent exactly
      expect((await post(url, "totals", { key: "big", value: "9007199254740993" })).status).toBe(200);

      // edit the handler: the processors are reloaded with it, the table is kept
      writeFileSync(join(dir, "generated/counter/handlers.ts"), handlerAdding("10n"));
      await until("the reload", async () => (stderr.includes("reloaded counter") ? true : undefined));
      const url2 = await until("the monitor after the reload", async () => ((await fetch(`${url}/api/status`)).ok ? url : undefined));
      expect((await post(url2, "clicks", { key: "a", value: "y" })).status).toBe(200);
      expect(await until("a = 11", async () => ((await tableValue(url2, "counter-table", "a")) === 11 ? 11 : undefined))).toBe(11);
    } finally {
      stop();
    }
    const result = await running;
    expect(result.code, result.stderr).toBe(0);
  }, 60_000);

  it("gokac run does not serve POST /api/topics", async () => {
    const runtime = (await import("gokac/runtime")) as typeof Runtime;
    const monitor = await runtime.startMonitor({ processors: [], port: 0, defaultMetrics: false });
    try {
      expect((await post(monitor.url, "clicks", { key: "a", value: "x" })).status).toBe(405);
    } finally {
      await monitor.close();
    }
  });
});
