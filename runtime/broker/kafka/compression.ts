/**
 * Kafka's record-batch compression codecs, for both decoders (the lean
 * fetch decoder and kafkajs's) and for producing.
 *
 * Node's zlib does gzip; the others come from kept pure-JS or WASM packages,
 * no native build:
 * - snappy: `snappyjs` (raw Snappy blocks). Java's client writes Snappy in
 *   xerial's framing (a magic header, then length-prefixed blocks); other
 *   clients (librdkafka, kafkajs-snappy) may write a raw block. Reading takes
 *   both; writing uses the xerial framing, which every client reads.
 * - lz4: `lz4js`, the LZ4 frame format Kafka uses since magic 1. lz4js's
 *   own frames declare dependent blocks, which Kafka refuses; gokac writes
 *   the frame itself around lz4js's block compressor, as Java does:
 *   independent 64 KB blocks.
 * - zstd: `fzstd` (pure JS) decompresses, also frames without a content size
 *   as Java's streaming writer makes them; `@bokuweb/zstd-wasm` compresses
 *   (its WASM module is loaded on the first compressed send).
 *
 * `registerCompressionCodecs` puts them into kafkajs's `CompressionCodecs`
 * registry, so kafkajs's consumer (group inputs) and fallback decoder read
 * them too; the broker calls it when it is created. Users register nothing.
 */
import type * as ZstdWasmModule from "@bokuweb/zstd-wasm";
import { promisify } from "node:util";
import { gunzipSync, gzip } from "node:zlib";
import kafkajs from "kafkajs";
import * as lz4 from "lz4js";
import { hash as xxh32 } from "lz4js/xxh32.js";
import * as snappy from "snappyjs";
import { decompress as zstdDecompress } from "fzstd";
import type { Compression } from "../port.js";

/** Kafka's codec ids (the low three bits of a batch's attributes). */
export const CODEC_IDS: Readonly<Record<Compression, number>> = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 };

/** A batch whose compressed records could not be decompressed (corrupt, or an unknown codec). */
export class DecompressionError extends Error {
  override readonly name = "DecompressionError";
  constructor(
    readonly codec: number,
    cause: unknown,
  ) {
    super(`cannot decompress a ${codecName(codec)} record batch: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

function codecName(codec: number): string {
  return (Object.keys(CODEC_IDS) as Compression[]).find((name) => CODEC_IDS[name] === codec) ?? `codec ${codec}`;
}

const gzipAsync = promisify(gzip);

/** xerial's Snappy stream header: magic, then version and minimum compatible version (int32 BE each). */
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER = 16;
/** Uncompressed bytes per xerial block when writing (xerial's and Kafka's default). */
const XERIAL_BLOCK = 32 * 1024;

function isXerial(data: Buffer): boolean {
  return data.length >= XERIAL_HEADER && data.compare(XERIAL_MAGIC, 0, 8, 0, 8) === 0;
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function snappyDecompress(data: Buffer): Buffer {
  if (!isXerial(data)) return asBuffer(snappy.uncompress(data));
  const blocks: Buffer[] = [];
  for (let at = XERIAL_HEADER; at < data.length;) {
    if (at + 4 > data.length) throw new Error("truncated xerial snappy block length");
    const length = data.readInt32BE(at);
    at += 4;
    if (length < 0 || at + length > data.length) throw new Error("truncated xerial snappy block");
    blocks.push(asBuffer(snappy.uncompress(data.subarray(at, at + length))));
    at += length;
  }
  return blocks.length === 1 ? blocks[0]! : Buffer.concat(blocks);
}

function snappyCompress(data: Buffer): Buffer {
  const parts: Buffer[] = [XERIAL_MAGIC, Buffer.from([0, 0, 0, 1, 0, 0, 0, 1])];
  for (let at = 0; at < data.length; at += XERIAL_BLOCK) {
    const block = asBuffer(snappy.compress(data.subarray(at, Math.min(data.length, at + XERIAL_BLOCK))));
    const length = Buffer.alloc(4);
    length.writeInt32BE(block.length);
    parts.push(length, block);
  }
  return Buffer.concat(parts);
}

const LZ4_MAGIC = 0x184d2204;
const LZ4_BLOCK = 64 * 1024;
/** FLG: version 01, independent blocks, no checksums, no content size. BD: 64 KB blocks. */
const LZ4_FLG = 0x60;
const LZ4_BD = 0x40;
const lz4HashTable = new Uint32Array(1 << 16);
let lz4BlockBuffer: Uint8Array | undefined;

/** An LZ4 frame as Java's Kafka client writes one: independent 64 KB blocks, each compressed or stored. */
function lz4Compress(data: Buffer): Buffer {
  const header = Buffer.alloc(7);
  header.writeUInt32LE(LZ4_MAGIC, 0);
  header[4] = LZ4_FLG;
  header[5] = LZ4_BD;
  header[6] = (xxh32(0, header, 4, 2) >>> 8) & 0xff;
  const parts: Buffer[] = [header];
  lz4BlockBuffer ??= new Uint8Array(lz4.compressBound(LZ4_BLOCK));
  for (let at = 0; at < data.length; at += LZ4_BLOCK) {
    const length = Math.min(LZ4_BLOCK, data.length - at);
    lz4HashTable.fill(0); // a fresh table: no match reaches into an earlier block
    const size = lz4.compressBlock(data, lz4BlockBuffer, at, length, lz4HashTable);
    const prefix = Buffer.alloc(4);
    if (size === 0 || size >= length) {
      prefix.writeUInt32LE((0x80000000 | length) >>> 0);
      parts.push(prefix, data.subarray(at, at + length));
    } else {
      prefix.writeUInt32LE(size);
      parts.push(prefix, Buffer.from(lz4BlockBuffer.subarray(0, size)));
    }
  }
  parts.push(Buffer.alloc(4)); // end mark
  return Buffer.concat(parts);
}

/**
 * Decompresses the records of a batch compressed with Kafka codec `codec`
 * (1-4). Synchronous: decoding a fetch is. Throws `DecompressionError`.
 */
export function decompressRecords(codec: number, data: Buffer): Buffer {
  try {
    switch (codec) {
      case 1:
        return gunzipSync(data);
      case 2:
        return snappyDecompress(data);
      case 3:
        return asBuffer(lz4.decompress(data));
      case 4:
        return asBuffer(zstdDecompress(data));
    }
  } catch (error) {
    throw new DecompressionError(codec, error);
  }
  throw new DecompressionError(codec, new Error("unknown compression codec"));
}

type ZstdWasm = typeof ZstdWasmModule;
let zstdWasm: Promise<ZstdWasm> | undefined;

/** The zstd compressor, its WASM module loaded once. */
function zstdCompressor(): Promise<ZstdWasm> {
  if (zstdWasm === undefined) {
    const loading = import("@bokuweb/zstd-wasm").then(async (module) => {
      await module.init();
      return module;
    });
    loading.catch(() => (zstdWasm = undefined));
    zstdWasm = loading;
  }
  return zstdWasm;
}

/** zstd's default level, as Java's client uses. */
const ZSTD_LEVEL = 3;

/** Compresses a batch's records with Kafka codec `codec` (1-4). */
export async function compressRecords(codec: number, data: Buffer): Promise<Buffer> {
  switch (codec) {
    case 1:
      return gzipAsync(data);
    case 2:
      return snappyCompress(data);
    case 3:
      return lz4Compress(data);
    case 4:
      return asBuffer((await zstdCompressor()).compress(data, ZSTD_LEVEL));
  }
  throw new DecompressionError(codec, new Error("unknown compression codec"));
}

/** The codec object kafkajs's registry expects: `compress(encoder)` and `decompress(buffer)`. */
function kafkajsCodec(codec: number): {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
} {
  return {
    compress: (encoder) => compressRecords(codec, encoder.buffer),
    decompress: async (buffer) => decompressRecords(codec, buffer),
  };
}

let registered = false;

/** Registers snappy, lz4 and zstd (and gokac's gzip, the same as kafkajs's) in kafkajs's codec registry; idempotent. */
export function registerCompressionCodecs(): void {
  if (registered) return;
  registered = true;
  const { CompressionCodecs, CompressionTypes } = kafkajs;
  const codecs = CompressionCodecs as unknown as Record<number, () => unknown>;
  for (const type of [CompressionTypes.Snappy, CompressionTypes.LZ4, CompressionTypes.ZSTD]) {
    const codec = kafkajsCodec(type);
    codecs[type] = () => codec;
  }
}
