/**
 * Kafka's compression codecs (runtime/broker/kafka/compression.ts) and what
 * the lean fetch decoder makes of messages as Java clients send them: every
 * codec, null header values, null keys, empty values, keys that are not UTF-8.
 *
 * Batches are encoded by kafkajs 2.2.4's own RecordBatch encoder with gokac's
 * codecs registered (as a broker does at creation); raw Snappy and lz4js's
 * own frames stand in for other producers' encodings.
 */
import { createRequire } from "node:module";
import * as lz4 from "lz4js";
import * as snappy from "snappyjs";
import { describe, expect, it } from "vitest";
import {
  compressRecords,
  decompressRecords,
  DecompressionError,
  registerCompressionCodecs,
} from "../../runtime/broker/kafka/compression.js";
import { decodeLog, decodeMessages, RecordDecodeError } from "../../runtime/broker/kafka/fetch-decoder.js";
import { toBrokerMessage } from "../../runtime/broker/kafka/messages.js";
import { prng } from "../prng.js";

interface KafkaEncoder {
  readonly buffer: Buffer;
}
const require = createRequire(import.meta.url);
const { RecordBatch } = require("kafkajs/src/protocol/recordBatch/v0/index.js") as {
  RecordBatch: (options: {
    compression?: number;
    firstOffset?: unknown;
    firstTimestamp?: number;
    maxTimestamp?: number;
    lastOffsetDelta?: number;
    records: KafkaEncoder[];
  }) => Promise<KafkaEncoder>;
};
interface WritableEncoder extends KafkaEncoder {
  writeInt8(value: number): WritableEncoder;
  writeVarInt(value: number): WritableEncoder;
  writeVarLong(value: number): WritableEncoder;
  writeVarIntBytes(value: Buffer | string | null): WritableEncoder;
  writeVarIntString(value: string): WritableEncoder;
  writeVarIntArray(values: KafkaEncoder[]): WritableEncoder;
  writeEncoder(value: KafkaEncoder): WritableEncoder;
}
const Encoder = require("kafkajs/src/protocol/encoder.js") as new () => WritableEncoder;
/** A v2 record with kafkajs's Encoder; by hand because kafkajs's Record encoder cannot size a null header value. */
function Record(r: {
  offsetDelta: number;
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Record<string, Buffer | null>;
}): KafkaEncoder {
  const headers = Object.entries(r.headers ?? {}).map(([name, value]) => new Encoder().writeVarIntString(name).writeVarIntBytes(value));
  const body = new Encoder()
    .writeInt8(0)
    .writeVarLong(0)
    .writeVarInt(r.offsetDelta)
    .writeVarIntBytes(r.key)
    .writeVarIntBytes(r.value)
    .writeVarIntArray(headers);
  return new Encoder().writeVarInt(body.buffer.length).writeEncoder(body);
}
const Long = require("kafkajs/src/utils/long.js") as { fromNumber(value: number): unknown };

registerCompressionCodecs();
const CODECS = { gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;

function randomData(seed: number, length: number): Buffer {
  const random = prng(seed);
  // Half text-like (compressible), half noise.
  return Buffer.from(Array.from({ length }, (_, i) => (i % 2 === 0 ? 97 + Math.floor(random() * 4) : Math.floor(random() * 256))));
}

interface TestRecord {
  key: Buffer | string | null;
  value: Buffer | string | null;
  headers?: Record<string, Buffer | null>;
}

async function batch(baseOffset: number, records: readonly TestRecord[], compression = 0): Promise<Buffer> {
  const encoder = await RecordBatch({
    compression,
    firstOffset: Long.fromNumber(baseOffset),
    firstTimestamp: 1_700_000_000_000,
    maxTimestamp: 1_700_000_000_000,
    lastOffsetDelta: records.length - 1,
    records: records.map((r, i) =>
      Record({ offsetDelta: i, key: r.key, value: r.value, ...(r.headers === undefined ? {} : { headers: r.headers }) }),
    ),
  });
  return Buffer.from(encoder.buffer);
}

/** Replaces a batch's compressed records (after its 61-byte header) with `payload`, fixing the length field. */
function withPayload(encoded: Buffer, payload: Buffer): Buffer {
  const out = Buffer.concat([encoded.subarray(0, 61), payload]);
  out.writeInt32BE(out.length - 12, 8);
  return out;
}

describe("compression codecs", () => {
  for (const [name, codec] of Object.entries(CODECS)) {
    it(`${name}: what gokac compresses decompresses to the same bytes (empty, small, several blocks)`, async () => {
      for (const length of [0, 1, 100, 40_000, 200_000]) {
        const data = randomData(length + codec, length);
        const compressed = await compressRecords(codec, data);
        expect(decompressRecords(codec, compressed).equals(data)).toBe(true);
      }
    });
  }

  it("snappy: gokac writes xerial's framing (as Java), and reads raw Snappy blocks (as librdkafka writes)", async () => {
    const data = randomData(7, 100_000);
    const framed = await compressRecords(CODECS.snappy, data);
    expect(framed.subarray(0, 8).equals(Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]))).toBe(true);
    const raw = Buffer.from(snappy.compress(data));
    expect(decompressRecords(CODECS.snappy, raw).equals(data)).toBe(true);
  });

  it("lz4: gokac writes independent 64 KB blocks (Kafka refuses dependent ones) that lz4js reads; reads lz4js's own frames", async () => {
    const data = randomData(9, 150_000);
    const frame = await compressRecords(CODECS.lz4, data);
    expect(frame.readUInt32LE(0)).toBe(0x184d2204);
    expect(frame[4]! & 0x20).toBe(0x20); // block independence
    expect(frame[5]).toBe(0x40); // 64 KB blocks
    expect(Buffer.from(lz4.decompress(frame)).equals(data)).toBe(true);
    expect(decompressRecords(CODECS.lz4, Buffer.from(lz4.compress(data))).equals(data)).toBe(true);
  });

  it("corrupt data and unknown codecs throw DecompressionError", async () => {
    for (const codec of [...Object.values(CODECS), 5, 6, 7]) {
      expect(() => decompressRecords(codec, Buffer.from("not compressed at all, not even close"))).toThrow(DecompressionError);
    }
    await expect(compressRecords(6, Buffer.from("x"))).rejects.toThrow(DecompressionError);
  });
});

describe("fetch decoder on compressed batches and messages as Java sends them", () => {
  const records: TestRecord[] = [
    { key: "a", value: "1" },
    { key: null, value: "null key" },
    { key: "b", value: "" },
    { key: "c", value: null },
    { key: "ü✓", value: "x".repeat(3_000), headers: { trace: Buffer.from("t"), "null-valued": null } },
  ];

  for (const [name, codec] of Object.entries(CODECS)) {
    it(`${name}: decodeLog and decodeMessages read the batch as its uncompressed twin`, async () => {
      const plain = Buffer.concat([await batch(10, records.slice(0, 2)), await batch(12, records.slice(2))]);
      const compressed = Buffer.concat([await batch(10, records.slice(0, 2), codec), await batch(12, records.slice(2), codec)]);
      expect(compressed.readInt16BE(21) & 0x07).toBe(codec);
      for (const from of [10, 13]) {
        const a = decodeLog(plain, from);
        const b = decodeLog(compressed, from);
        expect(b.length).toBe(a.length);
        expect(b.next).toBe(15);
        for (let i = 0; i < a.length; i++) {
          expect(b.key(i)).toBe(a.key(i));
          expect(b.value(i)).toEqual(a.value(i));
        }
        const ma = decodeMessages(plain, from, "t", 0).messages;
        const mb = decodeMessages(compressed, from, "t", 0).messages;
        expect(mb).toEqual(ma);
      }
    });
  }

  it("reads Snappy batches both xerial-framed (Java) and raw (librdkafka)", async () => {
    const template = await batch(0, records, CODECS.snappy);
    const inner = decompressRecords(CODECS.snappy, template.subarray(61));
    const raw = withPayload(template, Buffer.from(snappy.compress(inner)));
    const xerial = withPayload(template, await compressRecords(CODECS.snappy, inner));
    for (const encoded of [raw, xerial])
      expect(decodeMessages(encoded, 0, "t", 0).messages.map((m) => m.key)).toEqual(["a", "", "b", "c", "ü✓"]);
  });

  it('null header values read as empty, null keys as "", empty values as empty, tombstones as null', async () => {
    for (const codec of [0, CODECS.zstd]) {
      const messages = decodeMessages(await batch(0, records, codec), 0, "t", 0).messages;
      expect(messages.map((m) => m.key)).toEqual(["a", "", "b", "c", "ü✓"]);
      expect(messages[2]?.value).toEqual(new Uint8Array(0));
      expect(messages[3]?.value).toBeNull();
      expect(messages[4]?.headers["null-valued"]).toEqual(new Uint8Array(0));
      expect(Buffer.from(messages[4]!.headers["trace"]!).toString()).toBe("t");
    }
  });

  it("a key that is not UTF-8 is a RecordDecodeError naming its offset, in both decodings and compressed or not", async () => {
    const bad = Buffer.from([0x6b, 0xff, 0xfe]);
    for (const codec of [0, CODECS.lz4]) {
      const encoded = await batch(
        40,
        [
          { key: "ok", value: "1" },
          { key: bad, value: "2" },
          { key: "after", value: "3" },
        ],
        codec,
      );
      for (const decode of [() => decodeLog(encoded, 40), () => decodeMessages(encoded, 40, "t", 0)]) {
        expect(decode).toThrow(RecordDecodeError);
        expect(decode).toThrow(expect.objectContaining({ offset: 41, key: "k\uFFFD\uFFFD" }));
      }
      // Past the bad record, the rest reads.
      expect(decodeMessages(encoded, 42, "t", 0).messages.map((m) => m.key)).toEqual(["after"]);
    }
    // Valid multi-byte keys pass the check.
    expect(decodeLog(await batch(0, [{ key: "日本🙂", value: "1" }]), 0).key(0)).toBe("日本🙂");
  });
});

describe("kafkajs messages as port messages (group inputs)", () => {
  const message = (key: Buffer | null, headers: Record<string, Buffer | Buffer[] | null | undefined>) =>
    ({ offset: "5", key, value: Buffer.from("v"), timestamp: "1700000000000", headers }) as unknown as Parameters<
      typeof toBrokerMessage
    >[2];

  it("a null header value reads as empty, never crashes", () => {
    const m = toBrokerMessage("t", 1, message(Buffer.from("k"), { h: null, many: [Buffer.from("a"), Buffer.from("b")] }));
    expect(m.headers["h"]).toEqual(new Uint8Array(0));
    expect(Buffer.from(m.headers["many"]!).toString()).toBe("b");
    expect(m.invalidKey).toBeUndefined();
  });

  it('a key that is not UTF-8 is kept as invalidKey for the processor to fail on; a null key is ""', () => {
    const m = toBrokerMessage("t", 1, message(Buffer.from([0xc3, 0x28]), {}));
    expect(m.invalidKey).toEqual(new Uint8Array([0xc3, 0x28]));
    expect(toBrokerMessage("t", 1, message(null, {})).key).toBe("");
  });
});
