/**
 * `writeLog` of a chunk that offers its entries' bytes (`LogChunk.bytes`,
 * recovery's fetches): the LevelDB store writes from those bytes, and what it
 * stores is byte for byte what the same chunk stores through keys and values.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Level } from "level";
import { afterEach, describe, expect, it } from "vitest";
import { createLevelStorage, type LogChunk } from "gokac/runtime";
import { decodeLog } from "../../runtime/broker/kafka/fetch-decoder.js";

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

type Entry = readonly [key: string | null, value: Uint8Array | null];

/** Entries laid out in one buffer behind some padding, with their ranges in `at`. */
function chunkWithBytes(entries: readonly Entry[]): LogChunk {
  const parts: Uint8Array[] = [Uint8Array.of(0xff, 0xfe, 0xfd)];
  const at = new Int32Array(entries.length * 4 + 8);
  let pos = 3;
  entries.forEach(([key, value], i) => {
    const keyBytes = key === null ? undefined : new TextEncoder().encode(key);
    at[i * 4] = pos;
    at[i * 4 + 1] = keyBytes === undefined ? -1 : keyBytes.length;
    if (keyBytes !== undefined) parts.push(keyBytes);
    pos += keyBytes?.length ?? 0;
    parts.push(Uint8Array.of(0xaa)); // something between key and value
    pos += 1;
    at[i * 4 + 2] = pos;
    at[i * 4 + 3] = value === null ? -1 : value.length;
    if (value !== null) parts.push(value);
    pos += value?.length ?? 0;
  });
  const buffer = new Uint8Array(pos);
  let o = 0;
  for (const p of parts) {
    buffer.set(p, o);
    o += p.length;
  }
  return {
    length: entries.length,
    key: (i) => entries[i]![0] ?? "",
    value: (i) => entries[i]![1],
    bytes: { buffer, at },
  };
}

/** The same entries without `bytes`: the store takes keys and values. */
function chunkWithoutBytes(chunk: LogChunk): LogChunk {
  return { length: chunk.length, key: (i) => chunk.key(i), value: (i) => chunk.value(i) };
}

async function rawEntries(path: string): Promise<[string, number[]][]> {
  const db = new Level<string, Uint8Array>(path, { keyEncoding: "utf8", valueEncoding: "view" });
  try {
    return (await db.iterator().all()).map(([k, v]) => [k, [...v]]);
  } finally {
    await db.close();
  }
}

describe("LevelDB writeLog from the entries' bytes", () => {
  it("stores exactly what the same entries store as keys and values", async () => {
    const long = Uint8Array.from({ length: 200 }, (_, i) => (i * 7) & 0xff);
    const entries: Entry[] = [
      ["a", Uint8Array.of(1)],
      ["ünïcödé-😀", Uint8Array.of(2, 3)],
      ["gone", Uint8Array.of(4)],
      [null, Uint8Array.of(5)],
      ["long", long],
      ["empty", new Uint8Array(0)],
      ["gone", null],
      ["a", Uint8Array.of(9, 9, 9)],
      ["k".repeat(600), Uint8Array.of(6)],
    ];
    const stored: [string, number[]][][] = [];
    for (const bytes of [true, false]) {
      const dir = await mkdtemp(join(tmpdir(), "gokac-write-bytes-"));
      dirs.push(dir);
      const store = await createLevelStorage(dir, { writeBehind: false }).open("t", 0);
      const chunk = chunkWithBytes(entries);
      await store.writeLog!(bytes ? chunk : chunkWithoutBytes(chunk), 9);
      const read = new Map<string, number[]>();
      for await (const [key, value] of store.entries()) read.set(key, [...value]);
      expect(read.get("a")).toEqual([9, 9, 9]);
      expect(read.get("ünïcödé-😀")).toEqual([2, 3]);
      expect(read.has("gone")).toBe(false);
      expect(read.get("")).toEqual([5]);
      expect(read.get("long")).toEqual([...long]);
      expect(read.get("empty")).toEqual([]);
      expect(read.get("k".repeat(600))).toEqual([6]);
      expect(await store.offset()).toBe(9);
      await store.close();
      stored.push(await rawEntries(join(dir, "t.0")));
    }
    expect(stored[0]).toEqual(stored[1]);
  });

  it("is what recovery's decoder offers: a fetched batch's entries carry their bytes", () => {
    // One uncompressed record batch (magic 2) with two records, as Kafka sends it.
    const records = [recordBytes(0, "k1", Uint8Array.of(1, 2)), recordBytes(1, "k2", null)];
    const batch = recordBatch(records);
    const log = decodeLog(batch, 0);
    expect(log.length).toBe(2);
    const bytes = log.bytes!;
    const key = (i: number) => new TextDecoder().decode(bytes.buffer.subarray(bytes.at[i * 4]!, bytes.at[i * 4]! + bytes.at[i * 4 + 1]!));
    expect([key(0), key(1)]).toEqual(["k1", "k2"]);
    expect([...bytes.buffer.subarray(bytes.at[2]!, bytes.at[2]! + bytes.at[3]!)]).toEqual([1, 2]);
    expect(bytes.at[7]).toBe(-1);
  });
});

/** Zigzag varint bytes of `n`. */
function varint(n: number): number[] {
  let z = (n << 1) ^ (n >> 31);
  const out: number[] = [];
  while ((z & ~0x7f) !== 0) {
    out.push((z & 0x7f) | 0x80);
    z >>>= 7;
  }
  out.push(z);
  return out;
}

function recordBytes(offsetDelta: number, key: string, value: Uint8Array | null): number[] {
  const k = [...new TextEncoder().encode(key)];
  const body = [
    0, // attributes
    ...varint(0), // timestamp delta
    ...varint(offsetDelta),
    ...varint(k.length),
    ...k,
    ...varint(value === null ? -1 : value.length),
    ...(value === null ? [] : [...value]),
    ...varint(0), // headers
  ];
  return [...varint(body.length), ...body];
}

/** A record batch of magic 2 at base offset 0 (CRC left 0: the decoder does not check it). */
function recordBatch(records: readonly number[][]): Buffer {
  const payload = records.flat();
  const header = Buffer.alloc(61);
  header.writeBigInt64BE(0n, 0); // base offset
  header.writeInt32BE(61 - 12 + payload.length, 8); // batch length
  header.writeInt32BE(0, 12); // partition leader epoch
  header.writeInt8(2, 16); // magic
  header.writeInt16BE(0, 21); // attributes: no compression
  header.writeInt32BE(records.length - 1, 23); // last offset delta
  header.writeBigInt64BE(0n, 27); // first timestamp
  header.writeBigInt64BE(0n, 35); // max timestamp
  header.writeBigInt64BE(-1n, 43); // producer id
  header.writeInt16BE(-1, 51); // producer epoch
  header.writeInt32BE(-1, 53); // base sequence
  header.writeInt32BE(records.length, 57); // records count
  return Buffer.concat([header, Buffer.from(payload)]);
}
