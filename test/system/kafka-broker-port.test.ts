/** The kafkajs broker port against a real broker: admin, produce, partition reads. */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Broker } from "../../runtime/broker/port.js";
import { createKafkaBroker } from "../../runtime/broker/kafka/index.js";
import { MAX_RECORDS_PER_REQUEST } from "../../runtime/broker/kafka/producer.js";
import { describeKafka, kafkaBrokers, unique } from "./kafka-env.js";

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array | null) => (b === null ? null : new TextDecoder().decode(b));

describeKafka("kafka broker port", () => {
  let broker: Broker;
  beforeAll(() => {
    broker = createKafkaBroker({ brokers: kafkaBrokers(), clientId: "gokac-system-test" });
  });
  afterAll(async () => {
    await broker.close();
  });

  it("creates topics idempotently, reports counts and compaction, refuses a different count", async () => {
    const table = unique("port-table");
    const stream = unique("port-stream");
    expect(await broker.partitionCount(table)).toBeUndefined();
    expect(await broker.isCompacted(table)).toBeUndefined();
    await broker.createTopic({ topic: table, partitions: 4, compacted: true });
    await broker.createTopic({ topic: table, partitions: 4, compacted: true });
    await broker.createTopic({ topic: stream, partitions: 2, compacted: false });
    expect(await broker.partitionCount(table)).toBe(4);
    expect(await broker.isCompacted(table)).toBe(true);
    expect(await broker.partitionCount(stream)).toBe(2);
    expect(await broker.isCompacted(stream)).toBe(false);
    await expect(broker.createTopic({ topic: stream, partitions: 3, compacted: false })).rejects.toThrow();
  });

  it("produces to explicit partitions, resolving with each record's offset in input order", async () => {
    const topic = unique("port-produce");
    await broker.createTopic({ topic, partitions: 3, compacted: false });
    const producer = await broker.producer();
    const records = [
      { topic, partition: 2, key: "a", value: bytes("1") },
      { topic, partition: 0, key: "b", value: bytes("2") },
      { topic, partition: 2, key: "c", value: bytes("3") },
      { topic, partition: 2, key: "d", value: null },
    ];
    const first = await producer.send(records);
    const second = await producer.send([{ topic, partition: 2, key: "e", value: bytes("5") }]);
    await producer.close();
    expect(first.map((o) => [o.partition, o.offset])).toEqual([
      [2, 0],
      [0, 0],
      [2, 1],
      [2, 2],
    ]);
    expect(second).toEqual([{ topic, partition: 2, offset: 3 }]);
    expect(await broker.highWatermark(topic, 2)).toBe(4);
    expect(await broker.highWatermark(topic, 0)).toBe(1);
    expect(await broker.highWatermark(topic, 1)).toBe(0);
  });

  it("sends more records than one request carries, in order, each with its own offset", async () => {
    const topic = unique("port-produce-large");
    await broker.createTopic({ topic, partitions: 2, compacted: false });
    const producer = await broker.producer();
    const count = 2 * MAX_RECORDS_PER_REQUEST + 500;
    const records = Array.from({ length: count }, (_, i) => ({
      topic,
      partition: i % 5 === 0 ? 1 : 0,
      key: `k${i}`,
      value: bytes(String(i)),
    }));
    const offsets = await producer.send(records);
    await producer.close();
    const next = [0, 0];
    const expected = records.map((r) => ({ topic, partition: r.partition, offset: next[r.partition]!++ }));
    expect(offsets).toEqual(expected);
    expect(await broker.highWatermark(topic, 0)).toBe(next[0]);
    expect(await broker.highWatermark(topic, 1)).toBe(next[1]);
    const reader = await broker.reader(topic, 1, 0);
    const seen: string[] = [];
    while (seen.length < (next[1] ?? 0)) seen.push(...(await reader.next(2_000)).map((m) => m.key));
    await reader.close();
    expect(seen).toEqual(records.filter((r) => r.partition === 1).map((r) => r.key));
  });

  it("reads a partition from an offset up to the high watermark, with keys, tombstones and headers", async () => {
    const topic = unique("port-read");
    await broker.createTopic({ topic, partitions: 2, compacted: false });
    const producer = await broker.producer();
    const batch = Array.from({ length: 500 }, (_, i) => ({
      topic,
      partition: 1,
      key: `k${i}`,
      value: i % 50 === 49 ? null : bytes(`v${i}`),
    }));
    await producer.send(batch);
    await producer.send([
      { topic, partition: 1, key: "h", value: bytes("x"), headers: { trace: "abc", raw: bytes("r") }, timestamp: 1_700_000_000_000 },
    ]);
    await producer.close();

    const readAll = async (from: number) => {
      const reader = await broker.reader(topic, 1, from);
      const seen: { offset: number; key: string; value: string | null }[] = [];
      const hwm = await broker.highWatermark(topic, 1);
      while ((seen[seen.length - 1]?.offset ?? from - 1) + 1 < hwm) {
        for (const m of await reader.next(500)) seen.push({ offset: m.offset, key: m.key, value: text(m.value) });
      }
      expect(await reader.next(50)).toEqual([]);
      await reader.close();
      return seen;
    };
    const all = await readAll(0);
    expect(all).toHaveLength(501);
    expect(all.map((m) => m.offset)).toEqual(Array.from({ length: 501 }, (_, i) => i));
    expect(all[49]).toEqual({ offset: 49, key: "k49", value: null });
    expect(all[7]).toEqual({ offset: 7, key: "k7", value: "v7" });
    const tail = await readAll(480);
    expect(tail[0]?.offset).toBe(480);
    expect(tail).toHaveLength(21);

    const reader = await broker.reader(topic, 1, 500);
    const [last] = await reader.next(1000);
    await reader.close();
    expect(last?.key).toBe("h");
    expect(text(last?.headers.trace ?? null)).toBe("abc");
    expect(text(last?.headers.raw ?? null)).toBe("r");
    expect(last?.timestamp).toBe(1_700_000_000_000);

    // Positions past the log's end are clamped to it; an empty partition reads nothing.
    const beyond = await broker.reader(topic, 1, 10_000);
    expect(await beyond.next(100)).toEqual([]);
    await beyond.close();
    const empty = await broker.reader(topic, 0, 0);
    expect(await empty.next(100)).toEqual([]);
    await empty.close();
  });

  it("a reader waits for messages produced after it started", async () => {
    const topic = unique("port-tail");
    await broker.createTopic({ topic, partitions: 1, compacted: false });
    const reader = await broker.reader(topic, 0, 0);
    const pending = reader.next(5_000);
    const producer = await broker.producer();
    await producer.send([{ topic, partition: 0, key: "late", value: bytes("1") }]);
    await producer.close();
    const got = await pending;
    await reader.close();
    expect(got.map((m) => m.key)).toEqual(["late"]);
  });
});
