/** `gokac build --watch`: rebuilds on change, keeps running through spec errors, stops with exit 0; the compiler's AnalyzeCache. */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { analyze, AnalyzeCache, type AnalyzeInput } from "../../compiler/index.js";
import { gokac, project, removeProjects, runGokac } from "../support/cli.js";

const counter = (partitions: number) => `topics:
  clicks: { partitions: ${partitions}, codec: string }
---
group: counter
inputs:
  - topic: clicks
persist:
  codec: int64
`;
const broken = `group: counter
inputs:
  - topic: clicks
    codec: strin
`;

interface Reported {
  readonly code: string;
  readonly severity: string;
}

/** Collects each rebuild's JSON report; `next()` waits for the next one. */
function reports() {
  const seen: Reported[][] = [];
  const waiting: ((r: Reported[]) => void)[] = [];
  let taken = 0;
  return {
    onOutput(stream: "stdout" | "stderr", text: string) {
      if (stream !== "stdout") return;
      seen.push(JSON.parse(text) as Reported[]);
      waiting.shift()?.(seen[seen.length - 1] ?? []);
    },
    next(): Promise<Reported[]> {
      const ready = seen[taken];
      taken++;
      if (ready !== undefined) return Promise.resolve(ready);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("no rebuild within 10 s")), 10_000);
        waiting.push((r) => (clearTimeout(timer), resolve(r)));
      });
    },
  };
}

afterAll(removeProjects);

describe("gokac build --watch", () => {
  it("rebuilds on change, reports a spec error and keeps watching, rebuilds once fixed, exits 0 on stop", async () => {
    const dir = project({ "specs/a.yaml": counter(2) });
    const graph = join(dir, "generated/counter/graph.ts");
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const out = reports();
    const running = runGokac(["build", "specs", "--watch", "--format", "json"], { cwd: dir, stop: stopped, onOutput: out.onOutput });

    expect(await out.next()).toEqual([]);
    const first = readFileSync(graph, "utf8");

    writeFileSync(join(dir, "specs/a.yaml"), broken);
    const failed = await out.next();
    expect(failed.some((d) => d.severity === "error")).toBe(true);
    expect(readFileSync(graph, "utf8")).toBe(first); // nothing written on errors

    writeFileSync(join(dir, "specs/a.yaml"), `${counter(2)}outputs:\n  - topic: totals\n    codec: int64\n`);
    expect(await out.next()).toEqual([]);
    expect(readFileSync(graph, "utf8")).not.toBe(first);

    stop();
    const run = await running;
    expect(run.code).toBe(0);
  });

  it("refuses --watch with --check (exit 2)", async () => {
    const dir = project({ "specs/a.yaml": counter(2) });
    expect((await gokac(dir, "build", "specs", "--watch", "--check")).code).toBe(2);
  });
});

describe("AnalyzeCache", () => {
  const input = (files: Record<string, string>, cache?: AnalyzeCache): AnalyzeInput => ({
    root: "specs",
    projectRoot: ".",
    files: Object.entries(files).map(([path, text]) => ({ path, text })),
    readFile: () => undefined,
    ...(cache === undefined ? {} : { cache }),
  });
  const topic = (name: string) => `topics:\n  ${name}: { partitions: 1, codec: string }\n`;

  it("reuses unchanged files and gives the same result as an uncached analysis", () => {
    const cache = new AnalyzeCache();
    const files = { "specs/a.yaml": topic("a"), "specs/b.yaml": topic("b"), "specs/c.yaml": counter(1) };
    analyze(input(files, cache));
    expect(cache.hits).toBe(0);
    const changed = { ...files, "specs/b.yaml": broken };
    const cached = analyze(input(changed, cache));
    expect(cache.hits).toBe(2);
    const fresh = analyze(input(changed));
    expect(cached.diagnostics).toEqual(fresh.diagnostics);
    expect(cached.diagnostics.some((d) => d.file === "specs/b.yaml" && d.severity === "error")).toBe(true);
    expect([...(cached.model?.topics.keys() ?? [])]).toEqual([...(fresh.model?.topics.keys() ?? [])]);
  });

  it("forgets files that are gone", () => {
    const cache = new AnalyzeCache();
    analyze(input({ "specs/a.yaml": topic("a"), "specs/b.yaml": topic("b") }, cache));
    analyze(input({ "specs/a.yaml": topic("a") }, cache));
    analyze(input({ "specs/a.yaml": topic("a"), "specs/b.yaml": topic("b") }, cache));
    expect(cache.hits).toBe(1);
  });
});
