/**
 * The storage limit for recovery: how fast LevelDB (classic-level, through
 * the `level` package as the gokac runtime uses it) takes batch writes on
 * this disk. Writes `--keys` keys with 8-byte values in batches of `--batch`,
 * each a chained batch of value puts plus the offset record, written the way
 * runtime/storage/level-storage.ts writes a table partition.
 *
 * Usage: node --import tsx bench/contenders/leveldb-rate.ts --keys N --batch B --dir DIR
 * Prints one JSON line: { keys, batch, seconds, keysPerSecond }.
 */
import { rm } from "node:fs/promises";
import { parseArgs } from "node:util";
import { Level } from "level";
import { benchKey, encodeInt64 } from "../lib/keys.js";

const { values } = parseArgs({
  options: {
    keys: { type: "string", default: "1000000" },
    batch: { type: "string", default: "10000" },
    dir: { type: "string", default: "/tmp/gokac-bench-leveldb" },
  },
});
const keys = Number(values.keys);
const batch = Number(values.batch);

await rm(values.dir, { recursive: true, force: true });
const db = new Level<string, Uint8Array>(values.dir, { keyEncoding: "utf8", valueEncoding: "view" });
await db.open();

// Prepare every key and value first so only the store's work is timed.
const names = Array.from({ length: keys }, (_, i) => `v${benchKey(i)}`);
const value = encodeInt64(42n);
const utf8 = new TextEncoder();

const started = performance.now();
for (let from = 0; from < keys; from += batch) {
  const to = Math.min(keys, from + batch);
  const chained = db.batch();
  for (let i = from; i < to; i++) chained.put(names[i] as string, value);
  chained.put("o", utf8.encode(String(to)));
  await chained.write();
}
const seconds = (performance.now() - started) / 1000;
await db.close();
await rm(values.dir, { recursive: true, force: true });
process.stdout.write(`${JSON.stringify({ keys, batch, seconds, keysPerSecond: keys / seconds })}\n`);
