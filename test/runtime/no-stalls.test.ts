/**
 * No stalls (issue 11): a rebalance does not wait for a running recovery
 * (D1), a revocation ends a running visit, a lookup view that fails stops the
 * processor (D2), and a `deferCommit` never completed is reported.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  codecs,
  createEmitter,
  createMemoryBroker,
  createMemoryStorage,
  createProcessor,
  defineGroup,
  defineTopic,
  partitionForKey,
  type BaseContext,
  runUntilSignal,
  type Processor,
  type RuntimeEvents,
  type Storage,
} from "gokac/runtime";
import { createTester } from "gokac/runtime/testing";
import { clicks, counterGroup, counterTable, counts } from "./groups.js";

const WRITE_MS = 100;

/** Memory storage whose recovery writes each take `WRITE_MS`: a recovery of many chunks takes seconds. */
function slowRecoveryStorage(): Storage {
  const inner = createMemoryStorage();
  const pause = () => new Promise((resolve) => setTimeout(resolve, WRITE_MS));
  return {
    async open(topic, partition) {
      const store = await inner.open(topic, partition);
      const writeLog = store.writeLog?.bind(store);
      if (writeLog !== undefined) {
        store.writeLog = async (log, offset) => {
          await pause();
          await writeLog(log, offset);
        };
      }
      const write = store.write.bind(store);
      store.write = async (changes, offset) => {
        await pause();
        await write(changes, offset);
      };
      return store;
    },
  };
}

const processors: Processor<unknown>[] = [];
afterEach(async () => {
  await Promise.all(processors.splice(0).map((p) => p.stop()));
});

describe("no stalls", () => {
  it(
    "D1: a member joining during a long recovery gets its rebalance at once; the recovery is abandoned and resumed",
    { timeout: 30_000 },
    async () => {
      const broker = createMemoryBroker({ maxBatchSize: 100 });
      const ENTRIES = 4_000;
      await broker.createTopic({ topic: clicks.name, partitions: 2, compacted: false });
      await broker.createTopic({ topic: counterTable.name, partitions: 2, compacted: true });
      await broker.createTopic({ topic: counts.name, partitions: 2, compacted: false });
      const producer = await broker.producer();
      // About 40 chunks of 100 per partition: at WRITE_MS each, 4 s of recovery per partition.
      await producer.send(
        Array.from({ length: 2 * ENTRIES }, (_, i) => ({
          topic: counterTable.name,
          partition: partitionForKey(`k${i}`, 2),
          key: `k${i}`,
          value: codecs.int64.encode(BigInt(i)),
        })),
      );
      await producer.close();

      const a = createProcessor(counterGroup(undefined, 2), { broker, storage: slowRecoveryStorage() });
      processors.push(a);
      let revokedAt: number | undefined;
      a.on("rebalance", ({ revoked }) => {
        if (revoked !== undefined && revokedAt === undefined) revokedAt = Date.now();
      });
      const recovering = new Promise<void>((resolve) => a.on("recovery-progress", () => resolve()));
      const startingA = a.start();
      await recovering;

      const b = createProcessor(counterGroup(undefined, 2), { broker, storage: createMemoryStorage() });
      processors.push(b);
      const joinedAt = Date.now();
      const startingB = b.start();
      await Promise.all([startingA, startingB]);
      expect(revokedAt).toBeDefined();
      // Without abandoning, the revocation waits for the rest of the 4 s recovery.
      expect(revokedAt! - joinedAt).toBeLessThan(1_500);
      expect([...a.partitions, ...b.partitions].sort()).toEqual([0, 1]);
      // Both tables are complete after the abandoned recovery resumed (or was done by the other member).
      for (const i of [0, 1, 2 * ENTRIES - 2, 2 * ENTRIES - 1]) {
        const owner = a.partitions.includes(partitionForKey(`k${i}`, 2)) ? a : b;
        expect(await owner.get(`k${i}`)).toBe(BigInt(i));
      }
    },
  );

  it("D2: a lookup view that fails to catch up stops the processor with kind lookup", { timeout: 20_000 }, async () => {
    const broker = createMemoryBroker();
    const geo = defineTopic("geo-table", codecs.string);
    await broker.createTopic({ topic: clicks.name, partitions: 1, compacted: false });
    await broker.createTopic({ topic: geo.name, partitions: 1, compacted: true });
    let broken = false;
    const inner = createMemoryStorage();
    const storage: Storage = {
      async open(topic, partition) {
        const store = await inner.open(topic, partition);
        const write = store.write.bind(store);
        store.write = async (changes, offset) => {
          if (broken) throw new Error("disk full");
          await write(changes, offset);
        };
        const writeLog = store.writeLog?.bind(store);
        if (writeLog !== undefined) {
          store.writeLog = async (log, offset) => {
            if (broken) throw new Error("disk full");
            await writeLog(log, offset);
          };
        }
        return store;
      },
    };
    const group = defineGroup(
      {
        group: "geo-reader",
        inputs: [{ topics: [clicks.name], codec: clicks.codec, handler: "h" }],
        lookups: [{ table: geo.name, codec: geo.codec }],
      },
      { h: () => undefined },
    );
    const processor = createProcessor(group, { broker, storage });
    processors.push(processor);
    await processor.start();
    broken = true;
    const emitter = createEmitter(broker, geo);
    await emitter.emit("berlin", "de");
    await emitter.close();
    const error = await processor.done;
    expect(error).toMatchObject({ name: "ProcessorError", kind: "lookup", topic: "geo-table" });
    expect(processor.lifecycle).toBe("stopped");
  });

  it("a deferCommit never completed is reported after the handler timeout; the commit waits for it", async () => {
    const tester = createTester();
    const numbers = defineTopic("numbers", codecs.int64);
    const group = defineGroup(
      { group: "deferring", inputs: [{ topics: [numbers.name], codec: numbers.codec, handler: "h" }], errors: { timeoutMs: 30 } },
      { h: (ctx: BaseContext) => void ctx.deferCommit() },
    );
    tester.register(group);
    const overdue: RuntimeEvents["defer-overdue"][] = [];
    tester.processor(group).on("defer-overdue", (e) => overdue.push(e));
    tester.consume(numbers, "a", 1n);
    await tester.run();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(overdue).toMatchObject([{ group: "deferring", topic: "numbers", partition: 0, offset: 0, key: "a", waitedMs: 30 }]);
    expect((await tester.broker.committedOffset("deferring", "numbers", 0)) ?? 0).toBe(0);
    await tester.close();
  });

  it("D9: a signal during start-up (a long first recovery) stops the processors at once", { timeout: 20_000 }, async () => {
    const broker = createMemoryBroker({ maxBatchSize: 100 });
    await broker.createTopic({ topic: clicks.name, partitions: 1, compacted: false });
    await broker.createTopic({ topic: counterTable.name, partitions: 1, compacted: true });
    await broker.createTopic({ topic: counts.name, partitions: 1, compacted: false });
    const producer = await broker.producer();
    await producer.send(
      Array.from({ length: 5_000 }, (_, i) => ({ topic: counterTable.name, partition: 0, key: `k${i}`, value: codecs.int64.encode(1n) })),
    );
    await producer.close();
    const processor = createProcessor(counterGroup(undefined, 1), { broker, storage: slowRecoveryStorage() });
    processors.push(processor);
    processor.on("recovery-progress", () => void process.emit("SIGUSR2" as never));
    const t0 = Date.now();
    // 50 chunks at WRITE_MS: 5 s of recovery, were the signal ignored until start-up completes.
    expect(await runUntilSignal([processor], { signals: ["SIGUSR2"] })).toBeUndefined();
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(processor.lifecycle).toBe("stopped");
  });
});
