/**
 * A partition of an assignment runs as soon as its own tables are ready: a
 * partition whose recovery is slow (here: its store does not open until the
 * test lets it) does not hold the member's other partitions (after a
 * rebalance: the partitions that stayed, while one that moved recovers).
 */
import { afterAll, expect, it } from "vitest";
import { codecs, createMemoryStorage, createProcessor, defineGroup, partitionForKey } from "gokac/runtime";
import type { Storage } from "../../runtime/storage/storage.js";
import { createKafkaBroker } from "../../runtime/broker/kafka/index.js";
import { describeKafka, eventually, kafkaBrokers, unique } from "./kafka-env.js";

/** Memory storage whose store of `partition` opens only once `release` was called. */
function gatedStorage(partition: number): { storage: Storage; release: () => void; waiting: () => boolean } {
  const inner = createMemoryStorage();
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let waiting = false;
  const storage: Storage = {
    async open(topic, p) {
      if (p === partition) {
        waiting = true;
        await gate;
        waiting = false;
      }
      return inner.open(topic, p);
    },
  };
  return { storage, release, waiting: () => waiting };
}

describeKafka("partitions of an assignment", () => {
  const closers: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const close of closers.reverse()) await close().catch(() => undefined);
  });

  it("process their batches while another partition of the assignment still recovers", { timeout: 90_000 }, async () => {
    const broker = createKafkaBroker({ brokers: kafkaBrokers() });
    closers.push(() => broker.close());
    const input = unique("ready-in");
    const name = unique("ready");
    await broker.createTopic({ topic: input, partitions: 2, compacted: false });
    const group = defineGroup<bigint>(
      { group: name, inputs: [{ topics: [input], codec: codecs.string, handler: "count" }], persist: { codec: codecs.int64 } },
      {
        count: async (ctx: { value(): Promise<bigint | undefined> | bigint | undefined; setValue(v: bigint): void }) => {
          ctx.setValue(((await ctx.value()) ?? 0n) + 1n);
        },
      },
    );
    const { storage, release, waiting } = gatedStorage(1);
    const processor = createProcessor(group, { broker, storage });
    closers.push(() => processor.stop());
    // Stopping waits for the start: a failed run must not leave the store gated.
    closers.push(async () => release());
    const processed: number[] = [];
    processor.on("batch", (b) => {
      if (b.processed > 0) processed.push(b.partition);
    });
    const starting = processor.start();
    starting.catch(() => undefined);

    // Keys as the processor places them, so `get` finds them in their partition.
    const keyOf = (partition: number) => ["a", "b", "c", "d", "e", "f", "g", "h"].find((k) => partitionForKey(k, 2) === partition) ?? "";
    const producer = await broker.producer();
    closers.push(() => producer.close());
    await producer.send([{ topic: input, partition: 0, key: keyOf(0), value: new TextEncoder().encode("x") }]);

    // Partition 0 runs while partition 1's store still waits to open (the processor is not running yet).
    await eventually(() => processed.includes(0), 60_000, "a batch of partition 0 processed");
    expect(waiting()).toBe(true);
    expect(processor.lifecycle).toBe("starting");
    expect(await processor.get(keyOf(0))).toBe(1n);

    release();
    await starting;
    expect(processor.partitions).toEqual([0, 1]);
    await producer.send([{ topic: input, partition: 1, key: keyOf(1), value: new TextEncoder().encode("x") }]);
    await eventually(() => processed.includes(1), 60_000, "a batch of partition 1 processed");
    expect(await processor.get(keyOf(1))).toBe(1n);
  });
});
