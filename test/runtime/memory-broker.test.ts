/** The in-memory broker: offsets, high watermarks, tombstones, readers, consumer groups with the copartitioned assignment and rebalances. */
import { describe, expect, it } from "vitest";
import { createMemoryBroker, type Batch, type GroupCallbacks } from "gokac/runtime";

const bytes = (s: string) => new TextEncoder().encode(s);

function recordingCallbacks() {
  const events: string[] = [];
  const batches: Batch[] = [];
  const errors: Error[] = [];
  const callbacks: GroupCallbacks = {
    async onAssigned(partitions) {
      events.push(`assigned ${partitions.join(",")}`);
    },
    async onRevoked(partitions) {
      events.push(`revoked ${partitions.join(",")}`);
    },
    async onBatch(batch) {
      batches.push(batch);
    },
    onError(error) {
      errors.push(error);
    },
  };
  return { events, batches, errors, callbacks };
}

describe("memory broker", () => {
  it("assigns offsets per partition, keeps tombstones, reports high watermarks", async () => {
    const broker = createMemoryBroker();
    await broker.createTopic({ topic: "t", partitions: 2, compacted: true });
    await broker.createTopic({ topic: "t", partitions: 2, compacted: true });
    await expect(broker.createTopic({ topic: "t", partitions: 3, compacted: true })).rejects.toThrow();
    expect(await broker.isCompacted("t")).toBe(true);
    expect(await broker.partitionCount("missing")).toBeUndefined();
    const producer = await broker.producer();
    const acks = await producer.send([
      { topic: "t", partition: 1, key: "a", value: bytes("1") },
      { topic: "t", partition: 1, key: "a", value: null },
      { topic: "t", partition: 0, key: "b", value: bytes("2"), headers: { h: "v" } },
    ]);
    expect(acks).toEqual([
      { topic: "t", partition: 1, offset: 0 },
      { topic: "t", partition: 1, offset: 1 },
      { topic: "t", partition: 0, offset: 0 },
    ]);
    expect(await broker.highWatermark("t", 1)).toBe(2);
    await expect(producer.send([{ topic: "t", partition: 2, key: "x", value: null }])).rejects.toThrow();
    await expect(producer.send([{ topic: "nope", partition: 0, key: "x", value: null }])).rejects.toThrow();
    const reader = await broker.reader("t", 1, 1);
    const [tombstone] = await reader.next(10);
    expect(tombstone).toMatchObject({ key: "a", value: null, offset: 1 });
    expect(await reader.next(5)).toEqual([]);
    await reader.close();
    const [withHeader] = broker.messages("t").filter((m) => m.partition === 0);
    expect(new TextDecoder().decode(withHeader?.headers["h"])).toBe("v");
  });

  it("a reader waiting for data wakes on append", async () => {
    const broker = createMemoryBroker();
    await broker.createTopic({ topic: "t", partitions: 1, compacted: false });
    const reader = await broker.reader("t", 0, 0);
    const next = reader.next(5_000);
    const producer = await broker.producer();
    await producer.send([{ topic: "t", partition: 0, key: "k", value: bytes("v") }]);
    expect((await next).map((m) => m.key)).toEqual(["k"]);
    await reader.close();
  });

  it("gives member i of n the partitions p with p % n == i of every topic, rebalancing on join and leave", async () => {
    const broker = createMemoryBroker();
    await broker.createTopic({ topic: "in", partitions: 4, compacted: false });
    await broker.createTopic({ topic: "g-loop", partitions: 4, compacted: false });
    const one = recordingCallbacks();
    const two = recordingCallbacks();
    const m1 = await broker.joinGroup({ group: "g", topics: ["in", "g-loop"], callbacks: one.callbacks });
    expect(one.events).toEqual(["assigned 0,1,2,3"]);
    const m2 = await broker.joinGroup({ group: "g", topics: ["in", "g-loop"], callbacks: two.callbacks });
    expect(one.events).toEqual(["assigned 0,1,2,3", "revoked 0,1,2,3", "assigned 0,2"]);
    expect(two.events).toEqual(["assigned 1,3"]);

    const producer = await broker.producer();
    await producer.send(
      [0, 1, 2, 3].flatMap((p) => [
        { topic: "in", partition: p, key: `k${p}`, value: null },
        { topic: "g-loop", partition: p, key: `l${p}`, value: null },
      ]),
    );
    await broker.idle();
    const owned = (b: Batch[]) => [...new Set(b.map((x) => `${x.topic}/${x.partition}`))].sort();
    expect(owned(one.batches)).toEqual(["g-loop/0", "g-loop/2", "in/0", "in/2"]);
    expect(owned(two.batches)).toEqual(["g-loop/1", "g-loop/3", "in/1", "in/3"]);

    // Member two commits partition 1 and leaves: one takes over and resumes at the commit.
    await m2.commit([{ topic: "in", partition: 1, offset: 1 }]);
    expect(await broker.committedOffset("g", "in", 1)).toBe(1);
    await m2.leave();
    expect(two.events).toEqual(["assigned 1,3", "revoked 1,3"]);
    expect(one.events.slice(-2)).toEqual(["revoked 0,2", "assigned 0,1,2,3"]);
    await broker.idle();
    const redelivered = one.batches.filter((b) => b.topic === "in" && b.partition === 1);
    expect(redelivered).toEqual([]); // committed: not delivered again
    const redeliveredUncommitted = one.batches
      .filter((b) => b.topic === "in" && b.partition === 3)
      .flatMap((b) => b.messages.map((m) => m.offset));
    expect(redeliveredUncommitted).toEqual([0]); // uncommitted: delivered again from the start
    await m1.leave();
    expect(one.errors).toEqual([]);
  });

  it("delivers batches of one partition one at a time, in offset order", async () => {
    const broker = createMemoryBroker({ maxBatchSize: 3 });
    await broker.createTopic({ topic: "in", partitions: 1, compacted: false });
    const offsets: number[] = [];
    let inBatch = false;
    let overlap = false;
    const member = await broker.joinGroup({
      group: "g",
      topics: ["in"],
      callbacks: {
        async onAssigned() {},
        async onRevoked() {},
        async onBatch(batch) {
          if (inBatch) overlap = true;
          inBatch = true;
          expect(batch.messages.length).toBeLessThanOrEqual(3);
          await new Promise((resolve) => setTimeout(resolve, 1));
          offsets.push(...batch.messages.map((m) => m.offset));
          inBatch = false;
        },
        onError() {},
      },
    });
    const producer = await broker.producer();
    await producer.send(Array.from({ length: 10 }, (_, i) => ({ topic: "in", partition: 0, key: `k${i}`, value: null })));
    await broker.idle();
    expect(offsets).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(overlap).toBe(false);
    await member.leave();
  });
});
