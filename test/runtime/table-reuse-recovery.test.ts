/**
 * A table partition kept open across a rebalance (given back to the same
 * processor) recovers only the changelog's tail: its store was checked
 * against the changelog when it first recovered, so the identity check's
 * look-ups (low watermark, the record before the store's offset) are not
 * repeated. A store opened anew is still checked. (The memory broker has no
 * low watermark of its own: the counting wrapper answers 0, as for a log
 * nothing was deleted from.)
 */
import { describe, expect, it } from "vitest";
import { codecs, createMemoryBroker, createMemoryStorage } from "gokac/runtime";
import type { Broker } from "../../runtime/broker/port.js";
import { PartitionTable } from "../../runtime/table/partition-table.js";

const utf8 = new TextEncoder();

/** The memory broker, counting the partition readers and low-watermark look-ups recovery asks for. */
function countingBroker() {
  const broker = createMemoryBroker();
  const counts = { readers: 0, lowWatermarks: 0 };
  const counted: Broker = Object.create(broker) as Broker;
  Object.assign(counted, {
    reader: (topic: string, partition: number, offset: number) => {
      counts.readers++;
      return broker.reader(topic, partition, offset);
    },
    lowWatermark: (topic: string, partition: number) => {
      counts.lowWatermarks++;
      return broker.lowWatermark?.(topic, partition) ?? Promise.resolve(0);
    },
  });
  return { broker: counted, counts };
}

async function produce(broker: Broker, topic: string, records: [string, string][]): Promise<void> {
  const producer = await broker.producer();
  await producer.send(records.map(([key, value]) => ({ topic, partition: 0, key, value: utf8.encode(value) })));
  await producer.close();
}

describe("recovering a table partition kept open", () => {
  it("reads only the tail, without the identity check's look-ups", async () => {
    const { broker, counts } = countingBroker();
    const topic = "reuse-table";
    await broker.createTopic({ topic, partitions: 1, compacted: true });
    await produce(broker, topic, [
      ["a", "1"],
      ["b", "2"],
      ["c", "3"],
    ]);
    const storage = createMemoryStorage();
    // A store with state from before (offset 3): opening it anew checks it against the changelog.
    const first = await PartitionTable.open(storage, topic, 0, codecs.string);
    await first.recover(broker);
    await first.close();
    const table = await PartitionTable.open(storage, topic, 0, codecs.string);
    counts.readers = 0;
    counts.lowWatermarks = 0;
    expect(await table.recover(broker)).toBe(0);
    expect(counts).toEqual({ readers: 1, lowWatermarks: 1 });

    // Given back after a rebalance, with records another owner wrote meanwhile: one reader, for the tail.
    await produce(broker, topic, [
      ["a", "4"],
      ["d", "5"],
    ]);
    counts.readers = 0;
    counts.lowWatermarks = 0;
    expect(await table.recover(broker)).toBe(2);
    expect(counts).toEqual({ readers: 1, lowWatermarks: 0 });
    expect(table.offset).toBe(5);
    expect(await table.get("a")).toBe("4");
    expect(await table.get("d")).toBe("5");

    // Nothing new: no reader at all.
    counts.readers = 0;
    expect(await table.recover(broker)).toBe(0);
    expect(counts.readers).toBe(0);
    await table.close();
  });
});
