/**
 * The JavaScript CRC-32 of level-storage.ts's entry checksums (issue 15):
 * equal to `zlib.crc32` on any input, so stores written before it (sealed
 * with `zlib.crc32`) still open and read, and what it writes still checks.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import { Level } from "level";
import { afterEach, describe, expect, it } from "vitest";
import { createLevelStorage, logOf } from "gokac/runtime";
import { crc32Bytes, crc32String } from "../../runtime/storage/crc32.js";
import { prng } from "../prng.js";

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

/** A random string mixing ASCII, two- to four-byte UTF-8 and lone surrogates. */
function randomText(next: () => number): string {
  const pool = ["a", "Z", "0", "-", "\u0000", "\u007f", "é", "ß", "\u0800", "€", "\uffff", "😀", "\ud800", "\udfff"];
  let text = "";
  const length = Math.floor(next() * 24);
  for (let i = 0; i < length; i++) text += pool[Math.floor(next() * pool.length)]!;
  return text;
}

describe("crc32Bytes and crc32String", () => {
  it("equal zlib.crc32 on random strings and bytes, chained from any previous value", () => {
    const next = prng(15);
    for (let n = 0; n < 2_000; n++) {
      const text = randomText(next);
      const bytes = Uint8Array.from({ length: Math.floor(next() * 40) }, () => Math.floor(next() * 256));
      const previous = Math.floor(next() * 2 ** 32);
      expect(crc32String(text, previous)).toBe(crc32(text, previous));
      expect(crc32Bytes(bytes, previous)).toBe(crc32(bytes, previous));
      expect(crc32Bytes(bytes, crc32String(text))).toBe(crc32(bytes, crc32(text)));
    }
  });

  it("covers only the given range of the bytes", () => {
    const bytes = Uint8Array.from({ length: 64 }, (_, i) => (i * 37) & 0xff);
    expect(crc32Bytes(bytes, 7, 5, 41)).toBe(crc32(bytes.subarray(5, 41), 7));
    expect(crc32Bytes(bytes, 0, 9, 9)).toBe(0);
  });
});

describe("level storage checksums", () => {
  async function storeDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), "gokac-crc-"));
    dirs.push(dir);
    return dir;
  }

  /** An entry sealed as level-storage.ts did with zlib: 4 bytes big-endian CRC-32 of key then value, then the value. */
  function zlibSealed(key: string, value: Uint8Array): Uint8Array {
    const out = new Uint8Array(value.length + 4);
    new DataView(out.buffer).setUint32(0, crc32(value, crc32(key)));
    out.set(value, 4);
    return out;
  }

  it("reads a store sealed with zlib.crc32, keys and values of every kind", async () => {
    const dir = await storeDir();
    const entries: [string, Uint8Array][] = [
      ["plain", Uint8Array.of(1, 2, 3)],
      ["ünïcödé-😀", Uint8Array.of(9)],
      ["empty", new Uint8Array(0)],
      ["long", Uint8Array.from({ length: 100 }, (_, i) => i)],
    ];
    const db = new Level<string, Uint8Array>(join(dir, "t.0"), { keyEncoding: "utf8", valueEncoding: "view" });
    await db.put("f", new TextEncoder().encode("2"));
    for (const [key, value] of entries) await db.put(`v${key}`, zlibSealed(`v${key}`, value));
    await db.put("o", zlibSealed("o", new TextEncoder().encode("4")));
    await db.close();

    const store = await createLevelStorage(dir, { writeBehind: false }).open("t", 0);
    try {
      expect(await store.offset()).toBe(4);
      for (const [key, value] of entries) expect([...((await store.get(key)) ?? [-1])]).toEqual([...value]);
    } finally {
      await store.close();
    }
  });

  it("writes entries whose checksums zlib.crc32 confirms", async () => {
    const dir = await storeDir();
    const store = await createLevelStorage(dir, { writeBehind: false }).open("t", 0);
    const keys = ["a", "ünïcödé-😀", "long"];
    const values = [Uint8Array.of(7), new Uint8Array(0), Uint8Array.from({ length: 100 }, (_, i) => 255 - i)];
    await store.writeLog!(logOf(keys, values), 3);
    await store.close();

    const db = new Level<string, Uint8Array>(join(dir, "t.0"), { keyEncoding: "utf8", valueEncoding: "view" });
    try {
      for (let i = 0; i < keys.length; i++) {
        const sealed = await db.get(`v${keys[i]!}`);
        expect([...(sealed ?? [])]).toEqual([...zlibSealed(`v${keys[i]!}`, values[i]!)]);
      }
    } finally {
      await db.close();
    }
  });
});
