/**
 * The write-through cache of one group-table partition, as its partition
 * processor's handlers see it: each batch's keys are read from the store at
 * once (`prefetch`), handler writes go to the cache right away (and to the
 * store only after their produce is acknowledged, see `PendingWrites`).
 * Only the partition processor writes its table partition, so cached values
 * stay valid between batches.
 */
import type { PartitionTable } from "../table/partition-table.js";

/** Table values kept between batches before the cache starts over. */
const CACHE_LIMIT = 50_000;

/**
 * A cached table value kept as its encoding. Objects are cached this way and
 * decoded afresh on every read, so a handler mutating what `value()` gave it
 * (without `setValue`) cannot change the table behind the store's back, as in
 * Goka, where every `Value()` decodes. Primitives are immutable and cached
 * decoded.
 */
class Encoded {
  constructor(readonly bytes: Uint8Array) {}
}

/** Marks a key that was not cached before a write (see `TableCache.undo`). */
const ABSENT: unique symbol = Symbol("absent");

/** The write-through cache over one `PartitionTable`. */
export class TableCache {
  /** Table values by key: decoded primitives, `Encoded` objects, or `undefined` for an absent key. */
  private readonly values = new Map<string, unknown>();
  /**
   * What the current message's writes replaced, as parallel logs (`ABSENT`:
   * the key was not cached), so a failed message's writes can be undone.
   */
  private undoKeys: string[] = [];
  private undoValues: unknown[] = [];

  constructor(private readonly table: PartitionTable<unknown>) {}

  /** Loads the stored values of the `keys` not cached, in one store read; rejects with the store's error. */
  async prefetch(keys: readonly string[]): Promise<void> {
    if (this.values.size > CACHE_LIMIT) this.values.clear();
    const missing = [...new Set(keys)].filter((k) => !this.values.has(k));
    if (missing.length === 0) return;
    const raws = await this.table.store.getMany(missing);
    for (let i = 0; i < missing.length; i++) {
      const key = missing[i]!;
      const raw = raws[i];
      // Decoded on first read (see `cached`), so object values are not decoded twice.
      this.values.set(key, raw === undefined ? undefined : new Encoded(raw));
    }
  }

  /** The value of `key`: from the cache when there, else read from the table on demand (keys outside the prefetch). */
  get(key: string): unknown {
    if (this.values.has(key)) return this.cached(key);
    return this.table.get(key);
  }

  /** Records a handler's write of `value`, whose encoding is `encoded`. */
  set(key: string, value: unknown, encoded: Uint8Array): void {
    this.remember(key);
    this.values.set(key, typeof value === "object" && value !== null ? new Encoded(encoded) : value);
  }

  /** Records a handler's delete of `key`. */
  delete(key: string): void {
    this.remember(key);
    this.values.set(key, undefined);
  }

  /** Marks where the current message's writes begin (see `undo`). */
  mark(): void {
    this.undoKeys.length = 0;
    this.undoValues.length = 0;
  }

  /** Undoes the writes since `mark` (a failed handler's), newest first. */
  undo(): void {
    for (let i = this.undoKeys.length - 1; i >= 0; i--) {
      const key = this.undoKeys[i]!;
      const previous = this.undoValues[i];
      if (previous === ABSENT) this.values.delete(key);
      else this.values.set(key, previous);
    }
    this.mark();
  }

  /** Forgets every cached value: later reads fall through to the store. */
  clear(): void {
    this.values.clear();
  }

  private remember(key: string): void {
    this.undoKeys.push(key);
    this.undoValues.push(this.values.has(key) ? this.values.get(key) : ABSENT);
  }

  /** The cached value of `key` (which must be cached), decoded if kept encoded. */
  private cached(key: string): unknown {
    const entry = this.values.get(key);
    if (!(entry instanceof Encoded)) return entry;
    const value = this.table.decode(key, entry.bytes);
    // Primitives are immutable: keep them decoded.
    if (typeof value !== "object" || value === null) this.values.set(key, value);
    return value;
  }
}
