import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import {
  encodeProduceRequest,
  leanProduceBuilder,
  type ProduceArgs,
  type RequestBuilder,
} from "../../runtime/broker/kafka/produce-encoder.js";
import { crc32cBytes } from "../../runtime/storage/crc32.js";

// kafkajs's own Produce v3 request body and record batch decoder, to compare against.
const require = createRequire(import.meta.url);
const kafkajsProduceV3 = require("kafkajs/src/protocol/requests/produce/v3/request") as (args: ProduceArgs) => {
  encode(): Promise<{ buffer: Buffer }>;
};
const Long = require("kafkajs/src/utils/long") as { fromString(text: string): { toString(): string } };
const Decoder = require("kafkajs/src/protocol/decoder") as new (buffer: Buffer) => unknown;
const RecordBatchDecoder = require("kafkajs/src/protocol/recordBatch/v0/decoder") as (decoder: unknown) => Promise<{
  firstTimestamp: string;
  maxTimestamp: string;
  records: { key: Buffer | null; value: Buffer | null; timestamp: string; offset: string; headers: Record<string, Buffer | Buffer[]> }[];
}>;

async function kafkajsBody(args: ProduceArgs): Promise<Buffer> {
  return (await kafkajsProduceV3(args).encode()).buffer;
}

const ts = (n: number) => String(1_700_000_000_000 + n);

describe("encodeProduceRequest", () => {
  it("CRC-32C is Castagnoli's (the standard check value)", () => {
    expect(crc32cBytes(Buffer.from("123456789"))).toBe(0xe3069283);
    expect(crc32cBytes(Buffer.from("xx123456789yy"), 2, 11)).toBe(0xe3069283);
  });

  it("writes kafkajs's bytes for keys, values and headers of every shape, over several topics and partitions", async () => {
    const big = Buffer.alloc(300, 7); // lengths past one varint byte
    const args: ProduceArgs = {
      acks: -1,
      timeout: 30_000,
      topicData: [
        {
          topic: "out",
          partitions: [
            {
              partition: 0,
              messages: [
                { key: Buffer.from("a"), value: Buffer.from([1, 2, 3]), timestamp: ts(5) },
                { key: "ünïcode", value: null, timestamp: ts(0) }, // a tombstone, an earlier timestamp
                { key: null, value: Buffer.alloc(0), timestamp: ts(90_000) },
                {
                  key: Buffer.from("h"),
                  value: big,
                  timestamp: ts(7),
                  headers: { one: "1", bytes: Buffer.from([0, 255]), many: ["x", "y"] },
                },
              ],
            },
            { partition: 5, messages: [{ key: Buffer.from("k"), value: Buffer.from("v"), timestamp: ts(1) }] },
          ],
        },
        {
          topic: "sum-table",
          partitions: [
            {
              partition: 2,
              messages: Array.from({ length: 200 }, (_, i) => ({
                key: Buffer.from(`key-${i}`),
                value: Buffer.from([i & 0xff]),
                timestamp: ts(i),
              })),
            },
          ],
        },
      ],
    };
    expect(encodeProduceRequest(args)).toEqual(await kafkajsBody(args));
  });

  it("writes kafkajs's bytes for a transactional, idempotent batch (producer id, epoch, sequence)", async () => {
    const args: ProduceArgs = {
      acks: -1,
      timeout: 5_000,
      transactionalId: "gokac-sum-3",
      producerId: Long.fromString("123456789012"),
      producerEpoch: 7,
      topicData: [
        {
          topic: "t",
          partitions: [{ partition: 3, firstSequence: 4242, messages: [{ key: "a", value: Buffer.from("b"), timestamp: ts(0) }] }],
        },
      ],
    };
    expect(encodeProduceRequest(args)).toEqual(await kafkajsBody(args));
  });

  it("gives messages without a timestamp `now`, and the batch the range of all its timestamps", async () => {
    const now = 1_700_000_100_000;
    const body = encodeProduceRequest(
      {
        acks: -1,
        timeout: 1_000,
        topicData: [
          {
            topic: "t",
            partitions: [
              {
                partition: 0,
                messages: [
                  { key: "a", value: null },
                  { key: "b", value: Buffer.from("x"), timestamp: String(now - 50) },
                ],
              },
            ],
          },
        ],
      },
      now,
    );
    // transactional id (null), acks, timeout, 1 topic "t", 1 partition 0, the record set's size.
    const batchAt = 2 + 2 + 4 + 4 + (2 + 1) + 4 + 4 + 4;
    const batch = await RecordBatchDecoder(new Decoder(body.subarray(batchAt)));
    expect(batch.firstTimestamp).toBe(String(now - 50));
    expect(batch.maxTimestamp).toBe(String(now));
    expect(batch.records.map((r) => [r.key?.toString(), r.timestamp, r.offset])).toEqual([
      ["a", String(now), "0"],
      ["b", String(now - 50), "1"],
    ]);
    // The CRC covers the attributes to the end.
    const crcAt = batchAt + 8 + 4 + 4 + 1;
    expect(body.readUInt32BE(crcAt)).toBe(crc32cBytes(body, crcAt + 4));
  });

  it("rejects a timestamp that is not an integer number of milliseconds", () => {
    const args = (timestamp: string): ProduceArgs => ({
      acks: -1,
      timeout: 1_000,
      topicData: [{ topic: "t", partitions: [{ partition: 0, messages: [{ key: "a", value: null, timestamp }] }] }],
    });
    expect(() => encodeProduceRequest(args("soon"))).toThrow(TypeError);
    expect(() => encodeProduceRequest(args("1.5"))).toThrow(TypeError);
  });
});

describe("leanProduceBuilder", () => {
  const args = (compression: number): ProduceArgs => ({
    acks: -1,
    timeout: 1_000,
    compression,
    topicData: [{ topic: "t", partitions: [{ partition: 0, messages: [{ key: "a", value: Buffer.from("b"), timestamp: ts(0) }] }] }],
  });
  /** kafkajs's builder at `apiVersion`, whose own body is a marker. */
  const kafkajs =
    (apiVersion: number): RequestBuilder =>
    () => ({ request: { apiVersion, encode: () => Promise.resolve({ buffer: Buffer.from("kafkajs") }) }, response: "its response" });
  const body = async (built: ReturnType<RequestBuilder>) => ((await built.request.encode()) as { buffer: Buffer }).buffer;

  it("encodes uncompressed requests of versions 3 to 7 itself, keeping kafkajs's version and response", async () => {
    for (const version of [3, 7]) {
      const built = leanProduceBuilder(kafkajs(version))(args(0));
      expect(built.request.apiVersion).toBe(version);
      expect(built.response).toBe("its response");
      expect(await body(built)).toEqual(await kafkajsBody(args(0)));
    }
  });

  it("leaves compressed requests, and other versions, to kafkajs", async () => {
    expect((await body(leanProduceBuilder(kafkajs(7))(args(1)))).toString()).toBe("kafkajs");
    expect((await body(leanProduceBuilder(kafkajs(2))(args(0)))).toString()).toBe("kafkajs");
  });
});
