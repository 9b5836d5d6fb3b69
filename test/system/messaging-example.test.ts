/**
 * Goka's 3-messaging example end to end on Kafka, driven like a user would:
 * `gokac topics --create`, each group as its own `gokac run` process,
 * messages sent with `gokac emit`, results read with `gokac get`.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { gokac, startGokac, type GokacProcess } from "../support/gokac-process.js";
import { describeKafka, eventually, kafkaBrokers } from "./kafka-env.js";

const GROUPS = ["translator", "blocker", "message_filter", "collector", "detector"];

describeKafka("the messaging example as processes", () => {
  const state = mkdtempSync(join(tmpdir(), "gokac-messaging-"));
  const running: GokacProcess[] = [];
  afterAll(async () => {
    await Promise.all(running.map((p) => p.stop("SIGKILL")));
    rmSync(state, { recursive: true, force: true });
  });

  it("filters, translates, collects and counts messages", { timeout: 240_000 }, async () => {
    const brokers = ["--brokers", kafkaBrokers()];
    const s = Math.random().toString(36).slice(2, 8);
    const [alice, bob, spammer, word] = [`alice-${s}`, `bob-${s}`, `spam-${s}`, `hello-${s}`];
    const get = async (table: string, key: string) => {
      const r = await gokac(["get", "specs", table, key, ...brokers]);
      if (r.code !== 0) throw new Error(`gokac get failed (${r.code}): ${r.stderr}`);
      return JSON.parse(r.stdout) as unknown;
    };

    const topics = await gokac(["topics", "specs", "--create", ...brokers]);
    expect(topics.code, topics.stderr).toBe(0);

    for (const group of GROUPS) {
      const p = startGokac(["run", "specs", "--group", group, "--state-dir", join(state, group), ...brokers]);
      running.push(p);
    }
    await Promise.all(running.map((p) => p.waitFor("running", 120_000)));

    expect((await gokac(["emit", "specs", "translate-word", word, `hallo-${s}`, ...brokers])).code).toBe(0);
    expect((await gokac(["emit", "specs", "block_user", spammer, "{}", ...brokers])).code).toBe(0);
    const refused = await gokac(["emit", "specs", "message_sent", alice, '{"from":1}', ...brokers]);
    expect(refused.code).toBe(1);
    await eventually(async () => (await get("translator-table", word)) === `hallo-${s}`, 60_000, "the translation");
    await eventually(async () => JSON.stringify(await get("blocker-table", spammer)) === '{"blocked":true}', 60_000, "the block");
    // The filter reads both tables from its own catching-up copies: give them a moment.
    await new Promise((resolve) => setTimeout(resolve, 3_000));

    const line = (from: string, content: string) => `${from}\t${JSON.stringify({ from, to: bob, content })}`;
    const sent = await gokac(["emit", "specs", "message_sent", ...brokers], {
      stdin: [line(alice, `${word} world`), line(spammer, "buy now"), line(alice, "second")].join("\n") + "\n",
    });
    expect(sent.code, sent.stderr).toBe(0);

    await eventually(
      async () => Array.isArray(await get("collector-table", bob)) && ((await get("collector-table", bob)) as unknown[]).length === 2,
      60_000,
      "bob's messages",
    );
    expect(await get("collector-table", bob)).toEqual([
      { from: alice, to: bob, content: `hallo-${s} world` },
      { from: alice, to: bob, content: "second" },
    ]);
    await eventually(async () => JSON.stringify(await get("detector-table", bob)) === '{"sent":0,"received":3}', 60_000, "bob's counters");
    expect(await get("detector-table", alice)).toEqual({ sent: 2, received: 0 });
    expect(await get("collector-table", `nobody-${s}`)).toBeNull();

    const codes = await Promise.all(running.splice(0).map((p) => p.stop("SIGTERM")));
    expect(codes).toEqual(GROUPS.map(() => 0));
  });
});
