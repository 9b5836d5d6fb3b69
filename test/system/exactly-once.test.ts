/**
 * `guarantee: exactly-once` on the real broker. A counting group (table:
 * count per key; output: "<key>:<count>" per message) runs as child
 * processes while a producer feeds it:
 * (a) one instance SIGKILLed repeatedly mid-stream, then restarted to completion;
 * (b) two instances, one joining mid-stream and one leaving (SIGTERM), through rebalances.
 * Afterwards the table equals the fold of the input exactly, and a
 * read-committed reader of the output sees every count of every key exactly
 * once (no duplicate, no gap).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { codecs, defineTopic } from "gokac/runtime";
import { afterAll, expect, it } from "vitest";
import { createKafkaBroker } from "../../runtime/broker/kafka/index.js";
import type { Broker, BrokerMessage } from "../../runtime/broker/port.js";
import { describeKafka, eventually, kafkaBrokers, repoRoot, unique } from "./kafka-env.js";
import { emitterOf, openView } from "./runtime-adapter.js";

const PARTITIONS = 4;
const KEYS = Array.from({ length: 20 }, (_, i) => `k${i}`);

interface Child {
  readonly child: ChildProcess;
  readonly running: Promise<void>;
}

function startChild(args: readonly string[]): Child {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "--conditions=source", join(repoRoot, "test/system/fixtures/eos-counter-processor.ts"), ...args],
    { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] },
  );
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const running = new Promise<void>((resolve, reject) => {
    child.stdout?.on("data", (d: Buffer) => d.toString().includes("running") && resolve());
    child.on("exit", (code) => reject(new Error(`processor exited (${code}) before running: ${stderr}`)));
  });
  running.catch(() => undefined);
  return { child, running };
}

const exited = (c: Child) => (c.child.exitCode !== null ? Promise.resolve() : new Promise((resolve) => c.child.once("exit", resolve)));

/** Every message of `topic`, read committed (the partition readers are); the data is small and no longer written, so a fetch that brings nothing ends it. */
async function readAll(broker: Broker, topic: string): Promise<BrokerMessage[]> {
  const all: BrokerMessage[] = [];
  for (let p = 0; p < PARTITIONS; p++) {
    const reader = await broker.reader(topic, p, 0);
    try {
      for (let batch = await reader.next(500); batch.length > 0; batch = await reader.next(500)) all.push(...batch);
    } finally {
      await reader.close();
    }
  }
  return all;
}

const text = (v: Uint8Array | null) => (v === null ? "" : Buffer.from(v).toString("utf8"));

/** Checks the table and the output against the input: exact fold, every output once. */
async function checkExactlyOnce(broker: Broker, input: string, output: string, group: string): Promise<void> {
  const inputs = await readAll(broker, input);
  const expected = new Map<string, number>();
  for (const m of inputs) expected.set(m.key, (expected.get(m.key) ?? 0) + 1);

  const table = defineTopic(`${group}-table`, codecs.int64);
  const view = await openView(broker, table);
  const counts = new Map<string, number>();
  for (const key of expected.keys()) counts.set(key, Number((await view.get(key)) ?? 0n));
  await view.stop();
  expect(counts).toEqual(expected);

  const outputs = (await readAll(broker, output)).map((m) => text(m.value));
  const byKey = new Map<string, number[]>();
  for (const o of outputs) {
    const [key, n] = o.split(":");
    byKey.set(key!, [...(byKey.get(key!) ?? []), Number(n)]);
  }
  for (const [key, n] of expected)
    expect(
      byKey.get(key)?.sort((a, b) => a - b),
      key,
    ).toEqual(Array.from({ length: n }, (_, i) => i + 1));
  expect(outputs.length).toBe(inputs.length);
}

describeKafka("exactly-once", () => {
  const children: Child[] = [];
  const state = mkdtempSync(join(tmpdir(), "gokac-eos-"));
  afterAll(() => {
    for (const c of children) if (c.child.exitCode === null) c.child.kill("SIGKILL");
    rmSync(state, { recursive: true, force: true });
  });

  async function setUp(prefix: string) {
    const broker = createKafkaBroker({ brokers: kafkaBrokers() });
    const input = defineTopic(unique(`${prefix}-in`), codecs.string);
    const output = unique(`${prefix}-out`);
    const group = unique(prefix);
    await broker.createTopic({ topic: input.name, partitions: PARTITIONS, compacted: false });
    await broker.createTopic({ topic: output, partitions: PARTITIONS, compacted: false });
    const emitter = emitterOf(broker, input);
    const progress = defineTopic(`${group}-table`, codecs.int64);
    const start = (dir: string) => {
      const c = startChild([kafkaBrokers(), input.name, output, group, join(state, dir)]);
      children.push(c);
      return c;
    };
    /** Sends `rounds` messages for every key, a round every 150 ms, so kills and rebalances land while input still arrives. */
    const feed = async (rounds: number) => {
      for (let r = 0; r < rounds; r++) {
        await Promise.all(KEYS.map((k) => emitter.emit(k, "x")));
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    };
    /** Waits until the table's count of k0 reached `n` (read committed). */
    const reached = async (n: number) => {
      const view = await openView(broker, progress);
      try {
        await eventually(async () => Number((await view.get("k0")) ?? 0n) >= n, 60_000, `k0 counted ${n} times`);
      } finally {
        await view.stop();
      }
    };
    const allCounted = async (rounds: number) => {
      const view = await openView(broker, progress);
      try {
        await eventually(
          async () => (await Promise.all(KEYS.map((k) => view.get(k)))).every((v) => Number(v ?? 0n) >= rounds),
          60_000,
          "all input counted",
        );
      } finally {
        await view.stop();
      }
    };
    return { broker, input, output, group, emitter, start, feed, reached, allCounted };
  }

  it("SIGKILLed repeatedly mid-stream: the table is the exact fold, every output exists once", { timeout: 180_000 }, async () => {
    const t = await setUp("eos-kill");
    const rounds = 60;
    let current = t.start("kill");
    await current.running;
    const sending = t.feed(rounds);
    for (const progress of [5, 15, 25]) {
      await t.reached(progress);
      current.child.kill("SIGKILL");
      await exited(current);
      current = t.start("kill");
      await current.running;
    }
    await sending;
    await t.emitter.close();
    await t.allCounted(rounds);
    current.child.kill("SIGTERM");
    await exited(current);
    expect(current.child.exitCode).toBe(0);
    await checkExactlyOnce(t.broker, t.input.name, t.output, t.group);
    await t.broker.close();
  });

  it(
    "two instances through rebalances (one joins, one leaves mid-stream): exact fold, every output once",
    { timeout: 180_000 },
    async () => {
      const t = await setUp("eos-rebalance");
      const rounds = 60;
      const first = t.start("one");
      await first.running;
      const sending = t.feed(rounds);
      await t.reached(10);
      const second = t.start("two");
      await second.running;
      await t.reached(25);
      first.child.kill("SIGTERM");
      await exited(first);
      expect(first.child.exitCode).toBe(0);
      await sending;
      await t.emitter.close();
      await t.allCounted(rounds);
      second.child.kill("SIGTERM");
      await exited(second);
      expect(second.child.exitCode).toBe(0);
      await checkExactlyOnce(t.broker, t.input.name, t.output, t.group);
      await t.broker.close();
    },
  );
});
