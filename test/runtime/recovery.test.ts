/** Table recovery with `level` storage: restarts recover incrementally from the stored changelog offset. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  codecs,
  createLevelStorage,
  createMemoryBroker,
  createProcessor,
  defineGroup,
  partitionForKey,
  type BaseContext,
  type MemoryBroker,
  type RuntimeEvents,
  type TableContext,
} from "gokac/runtime";

const PARTITIONS = 3;
const group = defineGroup<bigint>(
  { group: "sums", inputs: [{ topics: ["numbers"], codec: codecs.int64, handler: "add" }], persist: { codec: codecs.int64 } },
  {
    add(ctx: BaseContext & TableContext<bigint>, msg: bigint) {
      ctx.setValue(((ctx.value() as bigint | undefined) ?? 0n) + msg);
    },
  },
);

let dir = "";
let broker: MemoryBroker;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "gokac-recovery-"));
  broker = createMemoryBroker({ maxBatchSize: 7 });
  await broker.createTopic({ topic: "numbers", partitions: PARTITIONS, compacted: false });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function produce(topic: string, entries: [string, bigint][]): Promise<void> {
  const producer = await broker.producer();
  await producer.send(
    entries.map(([key, v]) => ({ topic, partition: partitionForKey(key, PARTITIONS), key, value: codecs.int64.encode(v) })),
  );
}

/** Starts a processor on `stateDir`, returning it and the messages each table partition recovered. */
async function startProcessor(stateDir: string) {
  const processor = createProcessor(group, { broker, storage: createLevelStorage(stateDir) });
  const recovered: RuntimeEvents["recovered"][] = [];
  const states: RuntimeEvents["state"][] = [];
  processor.on("recovered", (e) => recovered.push(e));
  processor.on("state", (e) => states.push(e));
  await processor.start();
  const total = () => recovered.reduce((n, e) => n + e.recovered, 0);
  return { processor, recovered, states, total };
}

describe("recovery", () => {
  it("restarting on the same state directory re-reads only the changelog's tail", async () => {
    const entries: [string, bigint][] = Array.from({ length: 60 }, (_, i) => [`k${i % 20}`, BigInt(i)]);
    const first = await startProcessor(dir);
    expect(first.total()).toBe(0);
    await produce("numbers", entries);
    await broker.idle();
    const expected = new Map<string, bigint>();
    for (const [k, v] of entries) expected.set(k, (expected.get(k) ?? 0n) + v);
    for (const [k, v] of expected) expect(await first.processor.get(k)).toBe(v);
    await first.processor.stop();
    expect(await first.processor.done).toBeUndefined();
    const changelog = broker.messages("sums-table").length;
    expect(changelog).toBeGreaterThan(0);

    // Nothing new: nothing to recover, values intact from disk.
    const second = await startProcessor(dir);
    expect(second.total()).toBe(0);
    for (const [k, v] of expected) expect(await second.processor.get(k)).toBe(v);
    await second.processor.stop();

    // Changelog entries the store has not seen (another instance wrote them) are the only ones read.
    await produce("sums-table", [
      ["k1", 1000n],
      ["k2", 2000n],
      ["new", 5n],
    ]);
    const third = await startProcessor(dir);
    expect(third.total()).toBe(3);
    expect(await third.processor.get("k1")).toBe(1000n);
    expect(await third.processor.get("new")).toBe(5n);
    expect(await third.processor.get("k3")).toBe(expected.get("k3"));
    // Each partition went through Goka's states in order.
    for (let p = 0; p < PARTITIONS; p++) {
      expect(third.states.filter((s) => s.partition === p).map((s) => s.state)).toEqual([
        "initializing",
        "connecting",
        "recovering",
        "preparing",
        "running",
      ]);
    }
    await third.processor.stop();

    // A fresh state directory recovers the whole changelog.
    const freshDir = await mkdtemp(join(tmpdir(), "gokac-recovery-fresh-"));
    try {
      const fresh = await startProcessor(freshDir);
      expect(fresh.total()).toBe(changelog + 3);
      expect(await fresh.processor.get("k1")).toBe(1000n);
      expect(await fresh.processor.get("k7")).toBe(expected.get("k7"));
      await fresh.processor.stop();
    } finally {
      await rm(freshDir, { recursive: true, force: true });
    }
  });

  it("a restarted processor continues from the committed input offsets", async () => {
    const first = await startProcessor(dir);
    await produce("numbers", [
      ["a", 1n],
      ["a", 2n],
    ]);
    await broker.idle();
    await first.processor.stop();
    await produce("numbers", [["a", 4n]]);
    const second = await startProcessor(dir);
    await broker.idle();
    expect(await second.processor.get("a")).toBe(7n);
    await second.processor.stop();
  });

  it("tombstones remove keys from the recovered store", async () => {
    const first = await startProcessor(dir);
    await produce("numbers", [["gone", 1n]]);
    await broker.idle();
    await first.processor.stop();
    const producer = await broker.producer();
    await producer.send([{ topic: "sums-table", partition: partitionForKey("gone", PARTITIONS), key: "gone", value: null }]);
    const second = await startProcessor(dir);
    expect(second.total()).toBe(1);
    expect(await second.processor.get("gone")).toBeUndefined();
    await second.processor.stop();
  });
});
