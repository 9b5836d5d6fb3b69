/**
 * Unit tests of the lean decoding of group members' fetches
 * (runtime/broker/kafka/group-fetch.ts, `decodeInputMessages` in
 * fetch-decoder.ts).
 *
 * Oracle: kafkajs 2.2.4 itself. Record batches are encoded by kafkajs's
 * encoders (patched for control and transactional bits), Fetch v11 response
 * bodies built by hand; each response is decoded both ways — kafkajs's Fetch
 * v11 response module, then its consumer's `Batch` and the member's
 * `toBrokerMessage` (the path before), and `parseGroupFetch`, then the same
 * `Batch` class and `decodedMessagesOf` — and the port messages and what
 * kafkajs's consumer reads of the batch (emptiness, last offset) compared.
 */
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import type { BrokerMessage } from "../../runtime/broker/port.js";
import { RecordDecodeError } from "../../runtime/broker/kafka/fetch-decoder.js";
import {
  decodedMessagesOf,
  decodeGroupFetch,
  DecodedRecords,
  parseGroupFetch,
  type FetchOffsets,
} from "../../runtime/broker/kafka/group-fetch.js";
import { toBrokerMessage } from "../../runtime/broker/kafka/messages.js";
import type { InternalMessage } from "../../runtime/broker/kafka/kafkajs-internals.js";
import { prng } from "../prng.js";

interface KafkaEncoder {
  readonly buffer: Buffer;
}
type Headers = Record<string, Buffer | Buffer[]>;

const require = createRequire(import.meta.url);
const { RecordBatch } = require("kafkajs/src/protocol/recordBatch/v0/index.js") as {
  RecordBatch: (options: {
    compression?: number;
    firstOffset?: { value: bigint };
    firstTimestamp?: number;
    maxTimestamp?: number;
    lastOffsetDelta?: number;
    records: KafkaEncoder[];
  }) => Promise<KafkaEncoder>;
};
const Record = require("kafkajs/src/protocol/recordBatch/record/v0/index.js") as (record: {
  offsetDelta: number;
  timestampDelta?: number;
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Headers;
}) => KafkaEncoder;
const Long = require("kafkajs/src/utils/long.js") as { fromNumber(value: number): { value: bigint } };
const { Types } = require("kafkajs/src/protocol/message/compression/index.js") as { Types: { None: number; GZIP: number } };
const fetchV11Response = require("kafkajs/src/protocol/requests/fetch/v11/response.js") as {
  decode(payload: Buffer): Promise<unknown>;
  parse(data: unknown): Promise<KafkaJsResponse>;
};
/** kafkajs's consumer batch: what its fetch loop makes of one partition of a response. */
const Batch = require("kafkajs/src/consumer/batch.js") as new (
  topic: string,
  fetchedOffset: string,
  partitionData: unknown,
) => KafkaJsBatch;

interface KafkaJsBatch {
  readonly messages: InternalMessage[];
  isEmpty(): boolean;
  isEmptyDueToFiltering(): boolean;
  isEmptyIncludingFiltered(): boolean;
  lastOffset(): string;
}
interface KafkaJsResponse {
  readonly responses: { topicName: string; partitions: { partition: number }[] }[];
}

const ATTRIBUTES = 21;
const PRODUCER_ID = 43;
const FIRST_TIMESTAMP = 1_700_000_000_000;

interface TestRecord {
  key: string | Buffer | null;
  value: Buffer | null;
  headers?: Headers;
  timestampDelta?: number;
}

/** A v2 batch encoded by kafkajs; with `producerId`, transactional of that producer. */
async function batch(
  baseOffset: number,
  records: readonly TestRecord[],
  options: { compression?: number; producerId?: number } = {},
): Promise<Buffer> {
  const encoder = await RecordBatch({
    compression: options.compression ?? Types.None,
    firstOffset: Long.fromNumber(baseOffset),
    firstTimestamp: FIRST_TIMESTAMP,
    maxTimestamp: FIRST_TIMESTAMP,
    lastOffsetDelta: records.length - 1,
    records: records.map((r, i) =>
      Record({
        offsetDelta: i,
        timestampDelta: r.timestampDelta ?? i,
        key: r.key,
        value: r.value,
        ...(r.headers === undefined ? {} : { headers: r.headers }),
      }),
    ),
  });
  const encoded = Buffer.from(encoder.buffer);
  if (options.producerId !== undefined) {
    encoded.writeBigInt64BE(BigInt(options.producerId), PRODUCER_ID);
    encoded.writeInt16BE(encoded.readInt16BE(ATTRIBUTES) | 0x10, ATTRIBUTES);
  }
  return encoded;
}

/** A transaction marker of `producerId` at `offset` (a control batch; key: version 0, type 0 abort / 1 commit). */
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

interface PartitionSpec {
  partition: number;
  errorCode?: number;
  highWatermark?: bigint;
  aborted?: readonly (readonly [bigint, bigint])[];
  records: Buffer | null;
}

const int16 = (n: number): Buffer => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
const int32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const int64 = (n: bigint): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(n);
  return b;
};

/** A Fetch v11 response body (after the correlation id). */
function fetchResponse(topics: readonly (readonly [string, readonly PartitionSpec[]])[]): Buffer {
  const parts: Buffer[] = [int32(7) /* throttle_time_ms */, int16(0), int32(0) /* session_id */, int32(topics.length)];
  for (const [name, partitions] of topics) {
    const nameBytes = Buffer.from(name, "utf8");
    parts.push(int16(nameBytes.length), nameBytes, int32(partitions.length));
    for (const p of partitions) {
      parts.push(int32(p.partition), int16(p.errorCode ?? 0), int64(p.highWatermark ?? 100n), int64(p.highWatermark ?? 100n), int64(0n));
      const aborted = p.aborted ?? [];
      parts.push(int32(aborted.length));
      for (const [producerId, firstOffset] of aborted) parts.push(int64(producerId), int64(firstOffset));
      parts.push(int32(-1) /* preferred_read_replica */);
      if (p.records === null) parts.push(int32(-1));
      else parts.push(int32(p.records.length), p.records);
    }
  }
  return Buffer.concat(parts);
}

/** What kafkajs's consumer and the member make of one partition: the port messages and the batch's offsets. */
interface Seen {
  readonly messages: readonly BrokerMessage[];
  readonly empty: boolean;
  readonly emptyDueToFiltering: boolean;
  /** What kafkajs resolves when the member resolves the offset of the batch's last message (runner.js eachBatch). */
  readonly resolved: string | undefined;
}

function seen(topic: string, from: number, partitionData: { partition: number }, lean: boolean): Seen {
  const b = new Batch(topic, String(from), partitionData);
  let messages: readonly BrokerMessage[];
  if (lean) {
    const decoded = decodedMessagesOf(b.messages);
    expect(decoded === undefined).toBe(b.isEmpty());
    messages = decoded ?? [];
  } else messages = b.messages.map((m) => toBrokerMessage(topic, partitionData.partition, m));
  const last = b.messages[b.messages.length - 1];
  // runner.js: resolving the last filtered message's offset resolves batch.lastOffset() (past trailing control records).
  const resolved = b.isEmptyDueToFiltering() ? b.lastOffset() : last === undefined ? undefined : b.lastOffset();
  return { messages, empty: b.isEmpty(), emptyDueToFiltering: b.isEmptyDueToFiltering(), resolved };
}

/** Decodes `payload` both ways and returns, per topic/partition, what each side saw. */
async function bothWays(payload: Buffer, offsets: FetchOffsets): Promise<{ lean: Map<string, Seen>; kafkajs: Map<string, Seen> }> {
  const out = { lean: new Map<string, Seen>(), kafkajs: new Map<string, Seen>() };
  const viaLean = (await parseGroupFetch(payload, offsets)) as KafkaJsResponse;
  const viaKafkajs = await fetchV11Response.parse(await fetchV11Response.decode(payload));
  for (const [map, response, lean] of [
    [out.lean, viaLean, true],
    [out.kafkajs, viaKafkajs, false],
  ] as const) {
    for (const { topicName, partitions } of response.responses) {
      for (const p of partitions) {
        const from = offsets.get(topicName)?.get(p.partition) ?? 0;
        map.set(`${topicName}/${p.partition}`, seen(topicName, from, p, lean));
      }
    }
  }
  return out;
}

const offsetsOf = (entries: readonly (readonly [string, number, number])[]): FetchOffsets => {
  const map = new Map<string, Map<number, number>>();
  for (const [topic, partition, offset] of entries) map.set(topic, (map.get(topic) ?? new Map()).set(partition, offset));
  return map;
};

const value = (m: BrokerMessage | undefined): string | null | undefined =>
  m?.value === null ? null : m === undefined ? undefined : Buffer.from(m.value).toString("utf8");

describe("group fetch decoding", () => {
  it("agrees with kafkajs's consumer on random records over two topics, plain and gzip batches, fetched from inside a batch", async () => {
    const random = prng(15);
    const keys = ["a", "grüße", "", "日本🙂", "k-1"];
    const records = (n: number): TestRecord[] =>
      Array.from({ length: n }, (_, i) => {
        const r = random();
        const key = r < 0.1 ? null : r < 0.15 ? Buffer.from([0xff, 0xfe, 0x41]) : keys[Math.floor(random() * keys.length)]!;
        const headers: Headers | undefined =
          random() < 0.3 ? { trace: Buffer.from(`t${i}`), dup: [Buffer.from("first"), Buffer.from("last")] } : undefined;
        return {
          key,
          value: random() < 0.1 ? null : Buffer.from(`value-${i}-${Math.floor(random() * 1e6)}`),
          ...(headers === undefined ? {} : { headers }),
          timestampDelta: Math.floor(random() * 1000),
        };
      });
    const t0 = Buffer.concat([await batch(10, records(20)), await batch(30, records(15), { compression: Types.GZIP })]);
    const t1 = Buffer.concat([await batch(0, records(7), { compression: Types.GZIP }), await batch(7, records(9))]);
    const payload = fetchResponse([
      [
        "orders",
        [
          { partition: 0, records: t0 },
          { partition: 3, records: null },
        ],
      ],
      ["payments-ü", [{ partition: 1, records: t1 }]],
    ]);
    const offsets = offsetsOf([
      ["orders", 0, 14],
      ["orders", 3, 5],
      ["payments-ü", 1, 3],
    ]);
    const { lean, kafkajs } = await bothWays(payload, offsets);
    expect([...lean.keys()]).toEqual(["orders/0", "orders/3", "payments-ü/1"]);
    expect(lean).toEqual(kafkajs);
    const orders = lean.get("orders/0")!;
    expect(orders.messages.map((m) => m.offset)).toEqual(Array.from({ length: 31 }, (_, i) => 14 + i));
    expect(orders.messages.some((m) => m.invalidKey !== undefined)).toBe(true);
    expect(orders.messages.some((m) => m.nullKey === true)).toBe(true);
    expect(orders.resolved).toBe("44");
    expect(lean.get("orders/3")).toMatchObject({ messages: [], empty: true, resolved: undefined });
  });

  it("resolves past control batches and aborted transactions after the last record, as kafkajs does", async () => {
    // Producer 9 writes x (0) and commits (1); plain p (2); producer 5 writes y, z (3-4) and aborts (5); 9 commits an empty marker (6).
    const records = Buffer.concat([
      await batch(0, [{ key: "x", value: Buffer.from("1") }], { producerId: 9 }),
      await marker(1, 9, "commit"),
      await batch(2, [{ key: "p", value: Buffer.from("2") }]),
      await batch(
        3,
        [
          { key: "y", value: Buffer.from("3") },
          { key: "z", value: Buffer.from("4") },
        ],
        { producerId: 5 },
      ),
      await marker(5, 5, "abort"),
      await marker(6, 9, "commit"),
    ]);
    const payload = fetchResponse([["t", [{ partition: 0, aborted: [[5n, 3n]], records }]]]);
    const { lean, kafkajs } = await bothWays(payload, offsetsOf([["t", 0, 0]]));
    expect(lean).toEqual(kafkajs);
    const seenLean = lean.get("t/0")!;
    expect(seenLean.messages.map((m) => m.key)).toEqual(["x", "p"]);
    expect(seenLean.resolved).toBe("6");
  });

  it("a fetch of control records or aborted records only is empty due to filtering and resolves past them", async () => {
    const records = Buffer.concat([
      await batch(
        20,
        [
          { key: "y", value: Buffer.from("3") },
          { key: "z", value: Buffer.from("4") },
        ],
        { producerId: 5 },
      ),
      await marker(22, 5, "abort"),
    ]);
    const payload = fetchResponse([["t", [{ partition: 2, aborted: [[5n, 20n]], records }]]]);
    const { lean, kafkajs } = await bothWays(payload, offsetsOf([["t", 2, 20]]));
    expect(lean).toEqual(kafkajs);
    expect(lean.get("t/2")).toMatchObject({ messages: [], empty: true, emptyDueToFiltering: true, resolved: "22" });
  });

  it("stands in for a partition's records with one message at the last record's offset", async () => {
    const records = await batch(40, [
      { key: "a", value: Buffer.from("1") },
      { key: "b", value: Buffer.from("2") },
    ]);
    const decoded = decodeGroupFetch(fetchResponse([["t", [{ partition: 0, highWatermark: 42n, records }]]]), offsetsOf([["t", 0, 40]]));
    const partition = decoded.responses[0]!.partitions[0]!;
    expect(partition.messages).toHaveLength(1);
    expect(partition.messages[0]).toBeInstanceOf(DecodedRecords);
    expect(partition.messages[0]!.offset).toBe("41");
    expect(partition.highWatermark).toBe("42");
    expect(decoded.clientSideThrottleTime).toBe(7);
    expect(partition.messages[0]!.messages.map(value)).toEqual(["1", "2"]);
    // A batch kafkajs decoded itself has no stand-in.
    expect(decodedMessagesOf([])).toBeUndefined();
    expect(decodedMessagesOf([{ offset: "1", key: null, value: null }])).toBeUndefined();
  });

  it("throws kafkajs's error for a partition error, and RecordDecodeError for a batch that does not decompress", async () => {
    const oor = fetchResponse([
      [
        "t",
        [
          { partition: 0, records: await batch(0, [{ key: "a", value: null }]) },
          { partition: 1, errorCode: 1 /* OFFSET_OUT_OF_RANGE */, records: null },
        ],
      ],
    ]);
    await expect(parseGroupFetch(oor, offsetsOf([]))).rejects.toMatchObject({ type: "OFFSET_OUT_OF_RANGE" });
    const corrupt = await batch(0, [{ key: "a", value: Buffer.from("x".repeat(100)) }], { compression: Types.GZIP });
    corrupt.fill(0, corrupt.length - 20);
    await expect(parseGroupFetch(fetchResponse([["t", [{ partition: 0, records: corrupt }]]]), offsetsOf([]))).rejects.toBeInstanceOf(
      RecordDecodeError,
    );
  });

  it("hands an old message format to kafkajs's decoder", async () => {
    // A magic-1 message set: offset, size, crc, magic 1, attributes, timestamp, key, value.
    const message = Buffer.concat([
      int32(0) /* crc, unchecked */,
      Buffer.from([1, 0]),
      int64(BigInt(FIRST_TIMESTAMP)),
      int32(1),
      Buffer.from("k"),
    ]);
    const body = Buffer.concat([message, int32(1), Buffer.from("v")]);
    const set = Buffer.concat([int64(5n), int32(body.length), body]);
    const payload = fetchResponse([["t", [{ partition: 0, records: set }]]]);
    const response = (await parseGroupFetch(payload, offsetsOf([["t", 0, 5]]))) as KafkaJsResponse;
    const p = response.responses[0]!.partitions[0]!;
    const b = new Batch("t", "5", p);
    expect(decodedMessagesOf(b.messages)).toBeUndefined();
    expect(b.messages.map((m) => [m.offset, m.key?.toString(), m.value?.toString()])).toEqual([["5", "k", "v"]]);
  });
});
