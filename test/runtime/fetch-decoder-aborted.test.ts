/**
 * Read committed in the lean Fetch decoder (runtime/broker/kafka/fetch-decoder.ts):
 * records of aborted transactions are skipped, as the response's
 * aborted-transactions list and the abort markers say; committed
 * transactions, non-transactional batches and other producers are kept.
 * Batches are encoded by kafkajs 2.2.4 and patched (producer id,
 * transactional and control bits; the CRC is not checked), the Fetch response
 * built by hand.
 */
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { decodeLog, decodeMessages, parseFetchResponse, type AbortedTransaction } from "../../runtime/broker/kafka/fetch-decoder.js";

interface KafkaEncoder {
  readonly buffer: Buffer;
}
const require = createRequire(import.meta.url);
const { RecordBatch } = require("kafkajs/src/protocol/recordBatch/v0/index.js") as {
  RecordBatch: (options: { firstOffset?: { value: bigint }; lastOffsetDelta?: number; records: KafkaEncoder[] }) => Promise<KafkaEncoder>;
};
const Record = require("kafkajs/src/protocol/recordBatch/record/v0/index.js") as (record: {
  offsetDelta: number;
  key: Buffer | string | null;
  value: Buffer | string | null;
}) => KafkaEncoder;
const Long = require("kafkajs/src/utils/long.js") as { fromNumber(value: number): { value: bigint } };

const ATTRIBUTES = 21;
const PRODUCER_ID = 43;

/** A batch of `keys` at `baseOffset`; with `producerId`, a transactional batch of that producer. */
async function batch(baseOffset: number, keys: readonly string[], producerId?: number): Promise<Buffer> {
  const encoder = await RecordBatch({
    firstOffset: Long.fromNumber(baseOffset),
    lastOffsetDelta: keys.length - 1,
    records: keys.map((key, i) => Record({ offsetDelta: i, key, value: `v-${key}` })),
  });
  const encoded = Buffer.from(encoder.buffer);
  if (producerId !== undefined) {
    encoded.writeBigInt64BE(BigInt(producerId), PRODUCER_ID);
    encoded.writeInt16BE(encoded.readInt16BE(ATTRIBUTES) | 0x10, ATTRIBUTES);
  }
  return encoded;
}

/** A transaction marker of `producerId` at `offset`: a control batch whose record key is version 0, type 0 (abort) or 1 (commit). */
async function marker(offset: number, producerId: number, type: "abort" | "commit"): Promise<Buffer> {
  const encoder = await RecordBatch({
    firstOffset: Long.fromNumber(offset),
    lastOffsetDelta: 0,
    records: [Record({ offsetDelta: 0, key: Buffer.from([0, 0, 0, type === "abort" ? 0 : 1]), value: Buffer.from([0, 0, 0, 0, 0, 0]) })],
  });
  const encoded = Buffer.from(encoder.buffer);
  encoded.writeBigInt64BE(BigInt(producerId), PRODUCER_ID);
  encoded.writeInt16BE(encoded.readInt16BE(ATTRIBUTES) | 0x30, ATTRIBUTES);
  return encoded;
}

const keysOf = (records: Buffer, from: number, aborted: readonly AbortedTransaction[]): string[] => {
  const log = decodeLog(records, from, aborted);
  return Array.from({ length: log.length }, (_, i) => log.key(i));
};

/**
 * The log: producer 7 commits a, b (0-1, marker 2); producer 9 aborts x, y (3-4)
 * while a non-transactional write n lands at 5 and producer 7 writes c (6);
 * 9's abort marker at 7, 7's commit marker at 8; then producer 9 aborts z (9,
 * marker 10) and a plain write m at 11.
 */
async function interleavedLog(): Promise<{ records: Buffer; aborted: AbortedTransaction[] }> {
  const records = Buffer.concat([
    await batch(0, ["a", "b"], 7),
    await marker(2, 7, "commit"),
    await batch(3, ["x", "y"], 9),
    await batch(5, ["n"]),
    await batch(6, ["c"], 7),
    await marker(7, 9, "abort"),
    await marker(8, 7, "commit"),
    await batch(9, ["z"], 9),
    await marker(10, 9, "abort"),
    await batch(11, ["m"]),
  ]);
  return {
    records,
    aborted: [
      { producerId: 9, firstOffset: 3 },
      { producerId: 9, firstOffset: 9 },
    ],
  };
}

describe("read committed: aborted transactions", () => {
  it("skips the aborted producer's batches until its abort marker, keeping other producers and plain writes", async () => {
    const { records, aborted } = await interleavedLog();
    expect(keysOf(records, 0, aborted)).toEqual(["a", "b", "n", "c", "m"]);
    const { messages, next } = decodeMessages(records, 0, "t", 0, aborted);
    expect(messages.map((m) => [m.key, m.offset])).toEqual([
      ["a", 0],
      ["b", 1],
      ["n", 5],
      ["c", 6],
      ["m", 11],
    ]);
    expect(next).toBe(12);
    expect(decodeLog(records, 0, aborted).next).toBe(12);
  });

  it("a fetch starting inside an aborted transaction skips the rest of it", async () => {
    const { records, aborted } = await interleavedLog();
    // The broker answers from the batch holding offset 4; the list names the transaction begun at 3.
    expect(keysOf(await batch(4, ["y"], 9), 4, [{ producerId: 9, firstOffset: 3 }])).toEqual([]);
    expect(keysOf(records, 4, aborted)).toEqual(["n", "c", "m"]);
  });

  it("without an aborted list (no aborted transaction in range) every data batch is kept, markers skipped", async () => {
    const { records } = await interleavedLog();
    expect(keysOf(records, 0, [])).toEqual(["a", "b", "x", "y", "n", "c", "z", "m"]);
  });

  it("parseFetchResponse reads the aborted-transactions list of the partition, sorted by first offset", async () => {
    const records = await batch(0, ["a"], 5);
    const payload = fetchResponse("t", 3, records, [
      [5n, 40n],
      [6n, 12n],
    ]);
    const fetched = parseFetchResponse(payload, "t", 3);
    expect(fetched?.aborted).toEqual([
      { producerId: 6, firstOffset: 12 },
      { producerId: 5, firstOffset: 40 },
    ]);
    expect(fetched?.records?.equals(records)).toBe(true);
    expect(parseFetchResponse(fetchResponse("t", 3, records, []), "t", 3)?.aborted).toEqual([]);
  });
});

/** A Fetch v11 response body (after the correlation id) with one partition. */
function fetchResponse(topic: string, partition: number, records: Buffer, aborted: readonly (readonly [bigint, bigint])[]): Buffer {
  const head = Buffer.alloc(4 + 2 + 4 + 4 + 2);
  head.writeInt16BE(0, 4); // error
  head.writeInt32BE(1, 10); // topics
  head.writeInt16BE(Buffer.byteLength(topic), 14);
  const part = Buffer.alloc(4 + 2 + 8 + 8 + 8 + 4);
  part.writeInt32BE(partition, 0);
  part.writeBigInt64BE(100n, 6); // high watermark
  part.writeBigInt64BE(100n, 14); // last stable offset
  part.writeBigInt64BE(0n, 22); // log start offset
  part.writeInt32BE(aborted.length, 30);
  const list = Buffer.alloc(aborted.length * 16);
  aborted.forEach(([producerId, firstOffset], i) => {
    list.writeBigInt64BE(producerId, i * 16);
    list.writeBigInt64BE(firstOffset, i * 16 + 8);
  });
  const tail = Buffer.alloc(8);
  tail.writeInt32BE(-1, 0); // preferred read replica
  tail.writeInt32BE(records.length, 4);
  const partitions = Buffer.alloc(4);
  partitions.writeInt32BE(1, 0);
  return Buffer.concat([head, Buffer.from(topic), partitions, part, list, tail, records]);
}
