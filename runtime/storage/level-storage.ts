/**
 * Table stores on disk with LevelDB (classic-level via `level`): one database
 * per table partition under `<dir>/<topic>.<partition>`. Values live under a
 * `v` prefix, the changelog offset under `o`, written in one batch. Writes go
 * through a write-behind buffer by default (see `write-behind.ts`).
 */
import { join } from "node:path";
import { Level } from "level";
import type { LogChunk } from "../broker/port.js";
import type { Storage, TableChanges, TableStore } from "./storage.js";
import { withWriteBehind, type WriteBehindOptions } from "./write-behind.js";

/** Options of `createLevelStorage`. */
export interface LevelStorageOptions {
  /** Buffer writes and flush them in batches (default on); `false` writes every batch through at once. */
  readonly writeBehind?: WriteBehindOptions | false;
}

const VALUE = "v";
const OFFSET_KEY = "o";
const utf8 = new TextDecoder();
const utf8Encode = new TextEncoder();

type Db = Level<string, Uint8Array>;

/** A `Storage` keeping each table partition in a LevelDB under `dir`. */
export function createLevelStorage(dir: string, options: LevelStorageOptions = {}): Storage {
  const writeBehind = options.writeBehind ?? {};
  return {
    async open(topic, partition) {
      const db: Db = new Level<string, Uint8Array>(join(dir, `${topic}.${partition}`), { keyEncoding: "utf8", valueEncoding: "view" });
      await db.open();
      const store = levelStore(db);
      return writeBehind === false ? store : withWriteBehind(store, writeBehind);
    },
  };
}

function levelStore(db: Db): TableStore {
  return {
    async offset() {
      const raw = await db.get(OFFSET_KEY);
      return raw === undefined ? undefined : Number(utf8.decode(raw));
    },
    get: (key) => db.get(VALUE + key),
    getSync: (key) => db.getSync(VALUE + key),
    getMany: (keys) => db.getMany(keys.map((key) => VALUE + key)),
    async write(changes: TableChanges, offset: number) {
      const batch = db.batch();
      for (const [key, value] of changes) {
        if (value === null) batch.del(VALUE + key);
        else batch.put(VALUE + key, value);
      }
      batch.put(OFFSET_KEY, utf8Encode.encode(String(offset)));
      await batch.write();
    },
    async writeLog(log: LogChunk, offset: number) {
      // LevelDB applies a batch's operations in order, so a later entry of a key wins as in the log.
      const batch = db.batch();
      for (let i = 0; i < log.length; i++) {
        const value = log.value(i);
        if (value === null) batch.del(VALUE + log.key(i));
        else batch.put(VALUE + log.key(i), value);
      }
      batch.put(OFFSET_KEY, utf8Encode.encode(String(offset)));
      await batch.write();
    },
    async *entries() {
      // Keys are `v` + key; `w` is the first string after every such key.
      for await (const [key, value] of db.iterator({ gte: VALUE, lt: "w" })) yield [key.slice(VALUE.length), value] as const;
    },
    close: () => db.close(),
  };
}
