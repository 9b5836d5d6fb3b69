/**
 * What decompression costs table recovery: N records (keys `key-<i>`, 100-byte
 * JSON-like values, 1,000 records per batch, as a changelog holds them) are
 * encoded once per codec with kafkajs's batch encoder and gokac's codecs, then
 * walked by the lean fetch decoder as recovery does (`decodeLog`, every key
 * and value read). Prints records/s and the encoded size per codec.
 *
 *   node --import tsx bench/compression-decode.ts [records=200000]
 */
import { createRequire } from "node:module";
import { registerCompressionCodecs } from "../runtime/broker/kafka/compression.js";
import { decodeLog } from "../runtime/broker/kafka/fetch-decoder.js";

interface KafkaEncoder {
  readonly buffer: Buffer;
}
const require = createRequire(import.meta.url);
const { RecordBatch } = require("kafkajs/src/protocol/recordBatch/v0/index.js") as {
  RecordBatch: (options: {
    compression: number;
    firstOffset: unknown;
    firstTimestamp: number;
    maxTimestamp: number;
    lastOffsetDelta: number;
    records: KafkaEncoder[];
  }) => Promise<KafkaEncoder>;
};
const Record = require("kafkajs/src/protocol/recordBatch/record/v0/index.js") as (r: {
  offsetDelta: number;
  key: string;
  value: Buffer;
}) => KafkaEncoder;
const Long = require("kafkajs/src/utils/long.js") as { fromNumber(value: number): unknown };

registerCompressionCodecs();
const total = Number(process.argv[2] ?? 200_000);
const PER_BATCH = 1_000;
const CODECS = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;
const value = (i: number) =>
  Buffer.from(JSON.stringify({ id: i, owner: `user-${i % 977}`, amount: (i * 37) % 10_000, note: "x".repeat(30) }).padEnd(100, " "));

async function encode(codec: number): Promise<Buffer> {
  const batches: Buffer[] = [];
  for (let base = 0; base < total; base += PER_BATCH) {
    const records = Array.from({ length: Math.min(PER_BATCH, total - base) }, (_, j) =>
      Record({ offsetDelta: j, key: `key-${base + j}`, value: value(base + j) }),
    );
    const encoder = await RecordBatch({
      compression: codec,
      firstOffset: Long.fromNumber(base),
      firstTimestamp: 0,
      maxTimestamp: 0,
      lastOffsetDelta: records.length - 1,
      records,
    });
    batches.push(Buffer.from(encoder.buffer));
  }
  return Buffer.concat(batches);
}

/** One recovery pass: 4 MB fetches' worth at a time, as the reader hands them over; every key and value made. */
function recover(log: Buffer, batchLengths: number[]): number {
  let read = 0;
  let bytes = 0;
  for (let at = 0, b = 0; b < batchLengths.length;) {
    let end = at;
    while (b < batchLengths.length && end - at < 4 * 1024 * 1024) end += batchLengths[b++]!;
    const chunk = decodeLog(log.subarray(at, end), 0);
    for (let i = 0; i < chunk.length; i++) bytes += chunk.key(i).length + (chunk.value(i)?.length ?? 0);
    read += chunk.length;
    at = end;
  }
  if (bytes === 0) throw new Error("nothing read");
  return read;
}

function batchLengths(log: Buffer): number[] {
  const lengths: number[] = [];
  for (let at = 0; at < log.length;) {
    const length = 12 + log.readInt32BE(at + 8);
    lengths.push(length);
    at += length;
  }
  return lengths;
}

console.log(`recovery decode of ${total} records (1,000 per batch, 100-byte values), best of 5 passes`);
console.log("codec   records/s    MB encoded");
for (const [name, codec] of Object.entries(CODECS)) {
  const log = await encode(codec);
  const lengths = batchLengths(log);
  let best = Infinity;
  for (let pass = 0; pass < 5; pass++) {
    const started = process.hrtime.bigint();
    const read = recover(log, lengths);
    if (read !== total) throw new Error(`${name}: read ${read} of ${total}`);
    best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e9);
  }
  console.log(
    `${name.padEnd(7)} ${Math.round(total / best)
      .toLocaleString("en")
      .padStart(10)}   ${(log.length / 1e6).toFixed(1).padStart(6)}`,
  );
}
