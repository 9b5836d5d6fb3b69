/**
 * Local storage of table partitions (Goka's `storage.Storage`): one store per
 * table topic and partition, holding encoded values and the changelog offset
 * they reflect, written together atomically.
 */

/** Changes to apply at once: a value, or `null` to delete the key (a tombstone). */
export type TableChanges = ReadonlyMap<string, Uint8Array | null>;

import type { LogChunk } from "../broker/port.js";

/** One partition of one table. */
export interface TableStore {
  /** The changelog offset to continue recovering from (last applied + 1), or `undefined` for a fresh store. */
  offset(): Promise<number | undefined>;
  /**
   * `recordHash` of the last changelog record applied (the last entry of the
   * last `write`/`writeLog`), stored with the offset; `undefined` when
   * unknown. Optional: without it the store's identity is not checked.
   */
  anchor?(): Promise<number | undefined>;
  get(key: string): Promise<Uint8Array | undefined>;
  /** A synchronous read, when the store supports it (memory, classic-level); spares a promise per lookup. */
  getSync?(key: string): Uint8Array | undefined;
  /** Reads many keys in one call; results in the order of `keys`. */
  getMany(keys: readonly string[]): Promise<(Uint8Array | undefined)[]>;
  /** Applies `changes` and records `offset` in one atomic write. */
  write(changes: TableChanges, offset: number): Promise<void>;
  /**
   * Applies `log` in order (a later entry of a key wins, `null` deletes)
   * and records `offset`, in one atomic write that also follows every earlier
   * `write`. Optional: recovery uses it to skip building a change map; stores
   * without it get `write` with the deduplicated changes.
   */
  writeLog?(log: LogChunk, offset: number): Promise<void>;
  /** Every key and value, in key order. */
  entries(): AsyncIterable<readonly [string, Uint8Array]>;
  close(): Promise<void>;
}

/** Opens table partition stores; `createLevelStorage` (disk, default) or `createMemoryStorage`. */
export interface Storage {
  /**
   * Opens (creating if needed) the store of `topic`'s `partition`. One opener
   * at a time per partition. Rejects with a `StateMismatchError` when the
   * store is damaged.
   */
  open(topic: string, partition: number): Promise<TableStore>;
  /** Deletes the (closed) store of `topic`'s `partition`, to rebuild it from the changelog. Optional: without it a damaged store cannot be rebuilt. */
  remove?(topic: string, partition: number): Promise<void>;
}
