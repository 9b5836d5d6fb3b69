/**
 * Unit tests of the lean Fetch v11 / record batch v2 decoder
 * (runtime/broker/kafka/fetch-decoder.ts).
 *
 * Inputs are built with kafkajs 2.2.4's own encoders (RecordBatch, Record) as an
 * independent oracle, then patched where a case needs bytes kafkajs does not
 * write (control batches, other codecs, old magic; the CRC is not checked).
 * A differential test decodes random batches with both our decoder and
 * kafkajs's, and compares. Fetch response bodies are built by hand.
 */
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import {
  decodeLog,
  decodeMessages,
  NeedsFullDecoder,
  parseFetchResponse,
  RecordDecodeError,
  type DecodedLog,
} from "../../runtime/broker/kafka/fetch-decoder.js";
import { prng } from "../prng.js";

// ---------------------------------------------------------------------------------------------
// kafkajs internals (untyped CommonJS), typed to what these tests use.

interface KafkaLong {
  readonly value: bigint;
}
type Headers = Record<string, Buffer | Buffer[]>;
interface KafkaEncoder {
  readonly buffer: Buffer;
}
interface KafkaDecodedRecord {
  readonly offset: string;
  readonly timestamp: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly headers: Record<string, Buffer | Buffer[]>;
}
interface KafkaDecodedBatch {
  readonly records: KafkaDecodedRecord[];
}
interface KafkaDecoder {
  readonly offset: number;
  readonly buffer: Buffer;
}

const require = createRequire(import.meta.url);
const { RecordBatch } = require("kafkajs/src/protocol/recordBatch/v0/index.js") as {
  RecordBatch: (options: {
    compression?: number;
    firstOffset?: KafkaLong;
    firstTimestamp?: number;
    maxTimestamp?: number;
    lastOffsetDelta?: number;
    records: KafkaEncoder[];
  }) => Promise<KafkaEncoder>;
};
const Record = require("kafkajs/src/protocol/recordBatch/record/v0/index.js") as (record: {
  offsetDelta?: number;
  timestampDelta?: number;
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Headers;
}) => KafkaEncoder;
const Long = require("kafkajs/src/utils/long.js") as { fromNumber(value: number): KafkaLong };
const { Types } = require("kafkajs/src/protocol/message/compression/index.js") as { Types: { None: number; GZIP: number } };
const decodeKafkajsBatch = require("kafkajs/src/protocol/recordBatch/v0/decoder.js") as (
  decoder: KafkaDecoder,
) => Promise<KafkaDecodedBatch>;
const KafkajsDecoder = require("kafkajs/src/protocol/decoder.js") as new (buffer: Buffer) => KafkaDecoder;

// ---------------------------------------------------------------------------------------------
// Helpers

interface TestRecord {
  key: string | Buffer | null;
  value: Buffer | null;
  /** Defaults to the record's index in its batch. */
  offsetDelta?: number;
  timestampDelta?: number;
  headers?: Headers;
}

interface BatchOptions {
  compression?: number;
  firstTimestamp?: number;
  /** Defaults to firstTimestamp. */
  maxTimestamp?: number;
  /** Defaults to the last record's offset delta (a compacted batch keeps its original, larger one). */
  lastOffsetDelta?: number;
}

const FIRST_TIMESTAMP = 1_700_000_000_000;

/** A v2 record batch encoded by kafkajs. */
async function batch(baseOffset: number, records: readonly TestRecord[], options: BatchOptions = {}): Promise<Buffer> {
  const encoded = records.map((r, i) =>
    Record({
      offsetDelta: r.offsetDelta ?? i,
      timestampDelta: r.timestampDelta ?? 0,
      key: r.key,
      value: r.value,
      ...(r.headers === undefined ? {} : { headers: r.headers }),
    }),
  );
  const lastRecord = records[records.length - 1];
  const encoder = await RecordBatch({
    compression: options.compression ?? Types.None,
    firstOffset: Long.fromNumber(baseOffset),
    firstTimestamp: options.firstTimestamp ?? FIRST_TIMESTAMP,
    maxTimestamp: options.maxTimestamp ?? options.firstTimestamp ?? FIRST_TIMESTAMP,
    lastOffsetDelta: options.lastOffsetDelta ?? lastRecord?.offsetDelta ?? records.length - 1,
    records: encoded,
  });
  return Buffer.from(encoder.buffer); // a copy: patching must not touch kafkajs's buffers
}

const bytes = (text: string): Buffer => Buffer.from(text, "utf8");
const text = (value: Uint8Array | null | undefined): string | null | undefined =>
  value === null || value === undefined ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("utf8");
const simple = (n: number, prefix = "k"): TestRecord[] =>
  Array.from({ length: n }, (_, i) => ({ key: `${prefix}${i}`, value: bytes(`v${i}`) }));

/** Byte offset of the int16 attributes in a v2 batch. */
const ATTRIBUTES = 21;
/** Byte offset of the int8 magic in a v2 batch. */
const MAGIC = 16;

function markControl(encoded: Buffer): Buffer {
  encoded.writeInt16BE(encoded.readInt16BE(ATTRIBUTES) | 0x20, ATTRIBUTES);
  return encoded;
}

/** Sets the timestamp type to LogAppendTime, as a broker does for a topic with message.timestamp.type=LogAppendTime. */
function markLogAppendTime(encoded: Buffer): Buffer {
  encoded.writeInt16BE(encoded.readInt16BE(ATTRIBUTES) | 0x08, ATTRIBUTES);
  return encoded;
}

/** decodeLog's lazy chunk (length, key(i), value(i), next) read out into plain arrays, for assertions. */
function plain(log: DecodedLog): { keys: string[]; values: (Uint8Array | null)[]; next: number } {
  const keys: string[] = [];
  const values: (Uint8Array | null)[] = [];
  for (let i = 0; i < log.length; i++) {
    keys.push(log.key(i));
    values.push(log.value(i));
  }
  return { keys, values, next: log.next };
}
const readLog = (records: Buffer | null, from: number): ReturnType<typeof plain> => plain(decodeLog(records, from));

/** Decodes every batch of `records` with kafkajs's decoder. */
async function kafkajsDecode(records: Buffer): Promise<KafkaDecodedRecord[]> {
  const decoder = new KafkajsDecoder(records);
  const out: KafkaDecodedRecord[] = [];
  while (decoder.offset < decoder.buffer.length) out.push(...(await decodeKafkajsBatch(decoder)).records);
  return out;
}

// ---------------------------------------------------------------------------------------------

describe("decodeLog", () => {
  it("decodes several uncompressed batches in order: tombstones, null keys, unicode keys, empty values", async () => {
    const records = Buffer.concat([
      await batch(0, [
        { key: "a", value: bytes("1") },
        { key: "b", value: null },
        { key: null, value: bytes("no key") },
      ]),
      await batch(3, [
        { key: "grüße ✓", value: bytes("unicode") },
        { key: "日本🙂", value: Buffer.alloc(0) },
      ]),
      await batch(5, [{ key: "", value: bytes("empty key") }]),
    ]);
    const log = readLog(records, 0);
    expect(log.keys).toEqual(["a", "b", "", "grüße ✓", "日本🙂", ""]);
    expect(log.values.map(text)).toEqual(["1", null, "no key", "unicode", "", "empty key"]);
    expect(log.values[1]).toBeNull();
    expect(log.values[4]).toBeInstanceOf(Uint8Array);
    expect(log.values[4]?.length).toBe(0);
    expect(log.next).toBe(6);
  });

  it("next is the last batch's base offset + lastOffsetDelta + 1, even past compacted-away offsets", async () => {
    // A compacted batch: offsets 10, 14 kept, lastOffsetDelta still 7 (offset 17 removed).
    const records = await batch(
      10,
      [
        { key: "x", value: bytes("1"), offsetDelta: 0 },
        { key: "y", value: bytes("2"), offsetDelta: 4 },
      ],
      { lastOffsetDelta: 7 },
    );
    const log = readLog(records, 10);
    expect(log.keys).toEqual(["x", "y"]);
    expect(log.next).toBe(18);
    expect(decodeMessages(records, 10, "t", 0).messages.map((m) => m.offset)).toEqual([10, 14]);
  });

  it("skips the records before `from` inside a batch, and whole batches before it while still moving next", async () => {
    const records = Buffer.concat([await batch(100, simple(5, "a")), await batch(105, simple(5, "b"))]);
    const mid = readLog(records, 102);
    expect(mid.keys).toEqual(["a2", "a3", "a4", "b0", "b1", "b2", "b3", "b4"]);
    expect(mid.values.map(text)).toEqual(["v2", "v3", "v4", "v0", "v1", "v2", "v3", "v4"]);
    expect(mid.next).toBe(110);

    const pastFirst = readLog(records, 107);
    expect(pastFirst.keys).toEqual(["b2", "b3", "b4"]);
    expect(pastFirst.next).toBe(110);

    const pastAll = readLog(records, 110);
    expect(pastAll.keys).toEqual([]);
    expect(pastAll.next).toBe(110);

    // `from` before the first batch (e.g. compaction removed earlier offsets).
    expect(readLog(records, 50).keys).toHaveLength(10);
  });

  it("decodes a gzip batch the same as an uncompressed one", async () => {
    const recs: TestRecord[] = [
      { key: "a", value: bytes("x".repeat(500)) },
      { key: null, value: null },
      { key: "ü", value: Buffer.alloc(0) },
      { key: "b", value: bytes("y") },
    ];
    const head = await batch(0, simple(2, "p"));
    const gzipped = await batch(2, recs, { compression: Types.GZIP });
    expect(gzipped.readInt16BE(ATTRIBUTES) & 0x07).toBe(1);
    const plain = Buffer.concat([head, await batch(2, recs)]);
    const gzip = Buffer.concat([head, gzipped]);
    for (const from of [0, 3]) {
      const a = readLog(plain, from);
      const b = readLog(gzip, from);
      expect(b.keys).toEqual(a.keys);
      expect(b.values.map(text)).toEqual(a.values.map(text));
      expect(b.next).toBe(a.next);
      const ma = decodeMessages(plain, from, "t", 1).messages;
      const mb = decodeMessages(gzip, from, "t", 1).messages;
      expect(mb.map((m) => [m.offset, m.key, text(m.value), m.timestamp])).toEqual(
        ma.map((m) => [m.offset, m.key, text(m.value), m.timestamp]),
      );
    }
    expect(readLog(gzip, 0).next).toBe(6);
    expect(readLog(gzip, 3).keys).toEqual(["", "ü", "b"]);
  });

  it("skips a control batch but moves next past it", async () => {
    const records = Buffer.concat([
      await batch(0, simple(2)),
      markControl(await batch(2, [{ key: Buffer.from([0, 0, 0, 0]), value: Buffer.from([0, 0, 0, 0, 0, 0]) }])),
      await batch(3, simple(1, "after")),
    ]);
    const log = readLog(records, 0);
    expect(log.keys).toEqual(["k0", "k1", "after0"]);
    expect(log.next).toBe(4);
    expect(decodeMessages(records, 0, "t", 0).messages.map((m) => m.offset)).toEqual([0, 1, 3]);

    const controlOnly = markControl(await batch(7, [{ key: "c", value: bytes("c") }]));
    expect(readLog(controlOnly, 7)).toEqual({ keys: [], values: [], next: 8 });
    expect(decodeMessages(controlOnly, 7, "t", 0)).toEqual({ messages: [], next: 8 });
  });

  it("leaves a trailing partial batch for the next fetch", async () => {
    const first = await batch(0, simple(3, "a"));
    const second = await batch(3, simple(3, "b"));
    const third = await batch(6, simple(3, "c"));
    const whole = Buffer.concat([first, second, third]);
    const completeLength = first.length + second.length;
    // Cut in the last batch's records, in its header, and right after its length field.
    for (const cut of [Math.floor(third.length / 2), third.length - 1, 30, 12, 5]) {
      const truncated = whole.subarray(0, completeLength + cut);
      const log = readLog(truncated, 0);
      expect(log.keys).toEqual(["a0", "a1", "a2", "b0", "b1", "b2"]);
      expect(log.next).toBe(6);
      const msgs = decodeMessages(truncated, 1, "t", 0);
      expect(msgs.messages.map((m) => m.offset)).toEqual([1, 2, 3, 4, 5]);
      expect(msgs.next).toBe(6);
    }
    // Only a partial batch: nothing, and the position does not move.
    for (const cut of [third.length - 1, 70, 61, 20, 0]) {
      const partial = third.subarray(0, cut);
      expect(readLog(partial, 6)).toEqual({ keys: [], values: [], next: 6 });
      expect(readLog(partial, 7)).toEqual({ keys: [], values: [], next: 7 });
      expect(decodeMessages(partial, 6, "t", 0)).toEqual({ messages: [], next: 6 });
    }
  });

  it("throws RecordDecodeError (with the batch's offset) for a corrupt compressed batch or an unknown codec, NeedsFullDecoder for an old message format", async () => {
    for (const codec of [2, 3, 4, 5, 7]) {
      // Uncompressed records marked as compressed: no codec reads them.
      const corrupt = await batch(0, simple(2));
      corrupt.writeInt16BE((corrupt.readInt16BE(ATTRIBUTES) & ~0x07) | codec, ATTRIBUTES);
      expect(() => decodeLog(corrupt, 0)).toThrow(RecordDecodeError);
      expect(() => decodeMessages(corrupt, 0, "t", 0)).toThrow(RecordDecodeError);
      // Also behind a good batch.
      const behind = Buffer.concat([await batch(0, simple(2)), corrupt]);
      behind.writeBigInt64BE(2n, behind.length - corrupt.length); // the corrupt batch's base offset
      expect(() => decodeLog(behind, 0)).toThrow(expect.objectContaining({ name: "RecordDecodeError", offset: 2 }));
    }

    const magic1 = await batch(0, simple(2));
    magic1[MAGIC] = 1;
    expect(() => decodeLog(magic1, 0)).toThrow(NeedsFullDecoder);
    expect(() => decodeMessages(magic1, 0, "t", 0)).toThrow(NeedsFullDecoder);
    // An old-format message shorter than a v2 batch header is not mistaken for a partial batch.
    const smallMagic1 = magic1.subarray(0, 40);
    expect(() => decodeLog(smallMagic1, 0)).toThrow(NeedsFullDecoder);
    expect(() => decodeMessages(smallMagic1, 0, "t", 0)).toThrow(NeedsFullDecoder);
    expect(new NeedsFullDecoder("x")).toBeInstanceOf(Error);
  });

  it("reads the chunk's entries in any order and more than once, in place or from gzip batches", async () => {
    const recs: TestRecord[] = [
      { key: "a", value: bytes("1") },
      { key: null, value: null },
      { key: "ключ", value: Buffer.alloc(0) },
      { key: "", value: bytes("x".repeat(200)) },
    ];
    for (const compression of [Types.None, Types.GZIP]) {
      const records = Buffer.concat([await batch(0, simple(1, "skipped")), await batch(1, recs, { compression })]);
      const log = decodeLog(records, 1);
      expect(log.length).toBe(4);
      expect(log.next).toBe(5);
      for (const i of [3, 0, 2, 1, 3, 0]) {
        expect(log.key(i)).toBe(["a", "", "ключ", ""][i]);
        expect(text(log.value(i))).toBe(["1", null, "", "x".repeat(200)][i]);
      }
      expect(log.value(2)).toBeInstanceOf(Uint8Array);
    }
  });

  it("decodes null records as nothing at `from`", () => {
    expect(readLog(null, 42)).toEqual({ keys: [], values: [], next: 42 });
    expect(decodeMessages(null, 42, "t", 3)).toEqual({ messages: [], next: 42 });
    expect(readLog(Buffer.alloc(0), 42)).toEqual({ keys: [], values: [], next: 42 });
  });
});

describe("decodeMessages", () => {
  it("returns topic, partition, offsets, and timestamps = firstTimestamp + timestampDelta (deltas past 2^31 ms)", async () => {
    const big = 2 ** 31 + 12_345;
    const huger = 2 ** 40 + 7;
    const records = await batch(
      1_000,
      [
        { key: "a", value: bytes("1"), timestampDelta: 0 },
        { key: "b", value: bytes("2"), timestampDelta: 63 },
        { key: "c", value: bytes("3"), timestampDelta: 64 },
        { key: "d", value: bytes("4"), timestampDelta: big },
        { key: "e", value: bytes("5"), timestampDelta: huger },
        { key: "f", value: bytes("6"), timestampDelta: -5 },
      ],
      { firstTimestamp: 1_600_000_000_000 },
    );
    const { messages, next } = decodeMessages(records, 1_000, "orders", 7);
    expect(next).toBe(1_006);
    expect(messages.map((m) => m.timestamp)).toEqual([0, 63, 64, big, huger, -5].map((d) => 1_600_000_000_000 + d));
    expect(messages.map((m) => [m.topic, m.partition, m.offset, m.key])).toEqual(
      ["a", "b", "c", "d", "e", "f"].map((k, i) => ["orders", 7, 1_000 + i, k]),
    );
    expect(messages[0]?.headers).toEqual({});
  });

  it("uses the batch's max timestamp for every record of a LogAppendTime batch (as kafkajs and the Java client do)", async () => {
    const appendTime = FIRST_TIMESTAMP + 5_000;
    const recs: TestRecord[] = [
      { key: "a", value: bytes("1"), timestampDelta: 0 },
      { key: "b", value: bytes("2"), timestampDelta: 10 },
    ];
    for (const compression of [Types.None, Types.GZIP]) {
      const records = markLogAppendTime(await batch(0, recs, { compression, maxTimestamp: appendTime }));
      expect(decodeMessages(records, 0, "t", 0).messages.map((m) => m.timestamp)).toEqual([appendTime, appendTime]);
      expect((await kafkajsDecode(records)).map((r) => Number(r.timestamp))).toEqual([appendTime, appendTime]);
    }
  });

  it("decodes headers; a repeated header name keeps its last value", async () => {
    const records = await batch(0, [
      { key: "a", value: bytes("1"), headers: { trace: bytes("t1"), "ü-name": bytes("ü"), empty: Buffer.alloc(0) } },
      { key: "b", value: null, headers: { dup: [bytes("first"), bytes("second"), bytes("last")], other: bytes("o") } },
      { key: "c", value: bytes("3") },
    ]);
    const [a, b, c] = decodeMessages(records, 0, "t", 0).messages;
    expect(Object.fromEntries(Object.entries(a?.headers ?? {}).map(([k, v]) => [k, text(v)]))).toEqual({
      trace: "t1",
      "ü-name": "ü",
      empty: "",
    });
    expect(Object.fromEntries(Object.entries(b?.headers ?? {}).map(([k, v]) => [k, text(v)]))).toEqual({ dup: "last", other: "o" });
    expect(b?.value).toBeNull();
    expect(c?.headers).toEqual({});
    expect(readLog(records, 0).keys).toEqual(["a", "b", "c"]);
  });

  it("agrees with kafkajs's decoder on ~200 random records across plain and gzip batches", async () => {
    const random = prng(0x5eed);
    const int = (n: number): number => Math.floor(random() * n);
    const alphabet = ["a", "Z", "0", "-", "é", "ß", "✓", "日", "本", "🙂", "€"];
    const randomText = (max: number): string => Array.from({ length: int(max) }, () => alphabet[int(alphabet.length)]!).join("");
    const randomBytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => int(256)));
    const randomLength = (): number => {
      const r = random();
      return r < 0.1 ? 0 : r < 0.7 ? int(60) : r < 0.95 ? 64 + int(2_000) : 16_384 + int(20_000);
    };

    const mixed: Buffer[] = []; // some batches gzip: decodeLog makes keys and values at once
    const uncompressed: Buffer[] = []; // the same, none compressed: decodeLog leaves them in the response
    let offset = 5_000;
    let total = 0;
    let gzipBatches = 0;
    let appendTimeBatches = 0;
    while (total < 200) {
      const size = 1 + int(40);
      const recs: TestRecord[] = [];
      let timestampDelta = 0;
      for (let i = 0; i < size; i++) {
        const headers: Headers = {};
        for (let h = int(4); h > 0; h--) {
          const name = `h${randomText(4)}${int(3)}`;
          headers[name] = random() < 0.2 ? [randomBytes(int(10)), randomBytes(int(10))] : randomBytes(int(30));
        }
        timestampDelta += int(1_000);
        recs.push({
          key: random() < 0.1 ? null : randomText(20),
          value: random() < 0.15 ? null : randomBytes(randomLength()),
          timestampDelta: random() < 0.05 ? 2 ** 32 + int(1_000) : timestampDelta,
          ...(random() < 0.5 ? { headers } : {}),
        });
      }
      const options = { firstTimestamp: FIRST_TIMESTAMP + offset, maxTimestamp: FIRST_TIMESTAMP + offset + 2 ** 33 };
      const gzip = random() < 0.3;
      const appendTime = random() < 0.2;
      gzipBatches += gzip ? 1 : 0;
      appendTimeBatches += appendTime ? 1 : 0;
      const mark = (encoded: Buffer): Buffer => (appendTime ? markLogAppendTime(encoded) : encoded);
      mixed.push(mark(await batch(offset, recs, { ...options, compression: gzip ? Types.GZIP : Types.None })));
      uncompressed.push(mark(await batch(offset, recs, options)));
      offset += size;
      total += size;
    }
    expect(gzipBatches).toBeGreaterThan(0);
    expect(appendTimeBatches).toBeGreaterThan(0);
    for (const records of [Buffer.concat(mixed), Buffer.concat(uncompressed)]) {
      const expected = await kafkajsDecode(records);
      const { messages, next } = decodeMessages(records, 5_000, "t", 0);
      expect(messages).toHaveLength(expected.length);
      expect(next).toBe(offset);
      messages.forEach((m, i) => {
        const e = expected[i]!;
        expect(m.offset).toBe(Number(e.offset));
        expect(m.timestamp).toBe(Number(e.timestamp));
        expect(m.key).toBe(e.key === null ? "" : e.key.toString("utf8"));
        if (e.value === null) expect(m.value).toBeNull();
        else expect(Buffer.from(m.value!).equals(e.value)).toBe(true);
        const expectedHeaders = Object.fromEntries(
          Object.entries(e.headers).map(([k, v]) => [k, (Array.isArray(v) ? v[v.length - 1]! : v).toString("hex")]),
        );
        expect(Object.fromEntries(Object.entries(m.headers).map(([k, v]) => [k, Buffer.from(v).toString("hex")]))).toEqual(expectedHeaders);
      });

      // decodeLog sees the same keys and values, from any position.
      for (const from of [5_000, 5_001, 5_000 + Math.floor(total / 2), offset - 1, offset]) {
        const log = readLog(records, from);
        const want = expected.filter((e) => Number(e.offset) >= from);
        expect(log.next).toBe(offset);
        expect(log.keys).toEqual(want.map((e) => (e.key === null ? "" : e.key.toString("utf8"))));
        expect(log.values.map((v) => (v === null ? null : Buffer.from(v).toString("hex")))).toEqual(
          want.map((e) => e.value?.toString("hex") ?? null),
        );
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Fetch v11 response bodies, after the correlation id.

interface PartitionSpec {
  partition: number;
  errorCode?: number;
  highWatermark?: bigint;
  logStartOffset?: bigint;
  aborted?: readonly (readonly [bigint, bigint])[] | null;
  records: Buffer | null;
}

const int16 = (n: number): Buffer => {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
};
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

function fetchResponse(topics: readonly (readonly [string, readonly PartitionSpec[]])[], errorCode = 0): Buffer {
  const parts: Buffer[] = [int32(25) /* throttle_time_ms */, int16(errorCode), int32(123_456) /* session_id */, int32(topics.length)];
  for (const [name, partitions] of topics) {
    const nameBytes = bytes(name);
    parts.push(int16(nameBytes.length), nameBytes, int32(partitions.length));
    for (const p of partitions) {
      parts.push(
        int32(p.partition),
        int16(p.errorCode ?? 0),
        int64(p.highWatermark ?? 0n),
        int64(-1n) /* last_stable_offset */,
        int64(p.logStartOffset ?? 0n),
      );
      const aborted = p.aborted === undefined ? [] : p.aborted;
      if (aborted === null) parts.push(int32(-1));
      else {
        parts.push(int32(aborted.length));
        for (const [producerId, firstOffset] of aborted) parts.push(int64(producerId), int64(firstOffset));
      }
      parts.push(int32(-1) /* preferred_read_replica */);
      if (p.records === null) parts.push(int32(-1));
      else parts.push(int32(p.records.length), p.records);
    }
  }
  return Buffer.concat(parts);
}

describe("parseFetchResponse", () => {
  it("finds the partition among two topics × two partitions, past aborted transactions", async () => {
    const r = (tag: string): Buffer => bytes(`records of ${tag}`);
    const payload = fetchResponse([
      [
        "orders",
        [
          {
            partition: 0,
            highWatermark: 10n,
            logStartOffset: 1n,
            aborted: [
              [7n, 3n],
              [8n, 5n],
            ],
            records: r("orders/0"),
          },
          { partition: 1, highWatermark: 20n, logStartOffset: 2n, aborted: null, records: r("orders/1") },
        ],
      ],
      [
        "payments-ü",
        [
          { partition: 1, highWatermark: 30n, logStartOffset: 3n, aborted: [[9n, 1n]], records: r("payments/1") },
          { partition: 0, highWatermark: 2n ** 40n, logStartOffset: 4n, records: r("payments/0") },
        ],
      ],
    ]);
    const found = parseFetchResponse(payload, "payments-ü", 0);
    expect(found).toEqual({ errorCode: 0, highWatermark: 2 ** 40, logStartOffset: 4, records: r("payments/0"), aborted: [] });
    expect(parseFetchResponse(payload, "payments-ü", 1)?.records?.toString()).toBe("records of payments/1");
    expect(parseFetchResponse(payload, "orders", 0)).toEqual({
      errorCode: 0,
      highWatermark: 10,
      logStartOffset: 1,
      records: r("orders/0"),
      aborted: [
        { producerId: 7, firstOffset: 3 },
        { producerId: 8, firstOffset: 5 },
      ],
    });
    expect(parseFetchResponse(payload, "orders", 1)).toEqual({
      errorCode: 0,
      highWatermark: 20,
      logStartOffset: 2,
      records: r("orders/1"),
      aborted: [],
    });

    expect(parseFetchResponse(payload, "orders", 2)).toBeUndefined();
    expect(parseFetchResponse(payload, "missing", 0)).toBeUndefined();
    expect(parseFetchResponse(payload, "payments", 0)).toBeUndefined();
  });

  it("returns real record batches that decode", async () => {
    const records = Buffer.concat([await batch(40, simple(3)), await batch(43, simple(2, "z"))]);
    const payload = fetchResponse([
      ["other", [{ partition: 0, records: bytes("junk") }]],
      ["t", [{ partition: 3, highWatermark: 45n, logStartOffset: 40n, aborted: [[1n, 40n]], records }]],
    ]);
    const found = parseFetchResponse(payload, "t", 3);
    expect(found?.records?.equals(records)).toBe(true);
    expect(readLog(found?.records ?? null, 41)).toMatchObject({ keys: ["k1", "k2", "z0", "z1"], next: 45 });
  });

  it("returns the partition's error code", () => {
    const payload = fetchResponse([
      [
        "t",
        [
          { partition: 0, records: bytes("ok") },
          { partition: 1, errorCode: 1 /* OFFSET_OUT_OF_RANGE */, highWatermark: -1n, logStartOffset: -1n, records: null },
        ],
      ],
    ]);
    expect(parseFetchResponse(payload, "t", 1)).toEqual({
      errorCode: 1,
      highWatermark: -1,
      logStartOffset: -1,
      records: null,
      aborted: [],
    });
    expect(parseFetchResponse(payload, "t", 0)?.errorCode).toBe(0);
  });

  it("returns a top-level error code", () => {
    const payload = fetchResponse([], 70 /* FETCH_SESSION_ID_NOT_FOUND */);
    expect(parseFetchResponse(payload, "t", 0)).toEqual({
      errorCode: 70,
      highWatermark: -1,
      logStartOffset: -1,
      records: null,
      aborted: [],
    });
  });

  it("returns null records as null, and an empty records field as an empty buffer", () => {
    const payload = fetchResponse([
      [
        "t",
        [
          { partition: 0, highWatermark: 5n, logStartOffset: 0n, records: null },
          { partition: 1, highWatermark: 6n, logStartOffset: 0n, records: Buffer.alloc(0) },
        ],
      ],
    ]);
    expect(parseFetchResponse(payload, "t", 0)).toEqual({ errorCode: 0, highWatermark: 5, logStartOffset: 0, records: null, aborted: [] });
    expect(parseFetchResponse(payload, "t", 1)?.records?.length).toBe(0);
    expect(parseFetchResponse(fetchResponse([]), "t", 0)).toBeUndefined();
  });
});
