/**
 * The write-through cache of one group-table partition, as its partition
 * processor's handlers see it: each batch's keys are read from the store at
 * once (`prefetch`), handler writes go to the cache right away (and to the
 * store only after their produce is acknowledged, see `PendingWrites`).
 * Only the partition processor writes its table partition, so cached values
 * stay valid between batches.
 */
import type { PartitionTable } from "../table/partition-table.js";

/** Default bytes of table values (keys included, estimated) kept between batches before the cache starts over. */
export const DEFAULT_TABLE_CACHE_BYTES = 32 * 1024 * 1024;
/** Estimated bytes of a cache entry besides its key and value bytes (map slot, boxes). */
const ENTRY_OVERHEAD = 64;

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
   * The first `undoCount` entries are the current message's: the arrays are
   * reused from message to message (truncating them would free their
   * storage and allocate it again on the next write, for every message).
   */
  private readonly undoKeys: string[] = [];
  private readonly undoValues: unknown[] = [];
  private undoCount = 0;
  /** Estimated bytes of the cached keys and values (see `sizeOf`). */
  private bytes = 0;

  /** @param maxBytes estimated bytes of keys and values kept between batches (see `DEFAULT_TABLE_CACHE_BYTES`) */
  constructor(
    private readonly table: PartitionTable<unknown>,
    private readonly maxBytes: number = DEFAULT_TABLE_CACHE_BYTES,
  ) {}

  /** Loads the stored values of the `keys` not cached, in one store read; rejects with the store's error. */
  async prefetch(keys: readonly string[]): Promise<void> {
    if (this.bytes > this.maxBytes) this.clear();
    const missing = [...new Set(keys)].filter((k) => !this.values.has(k));
    if (missing.length === 0) return;
    const raws = await this.table.store.getMany(missing);
    for (let i = 0; i < missing.length; i++) {
      const key = missing[i]!;
      const raw = raws[i];
      // Decoded on first read (see `cached`), so object values are not decoded twice.
      this.values.set(key, raw === undefined ? undefined : new Encoded(raw));
      this.bytes += ENTRY_OVERHEAD + key.length + (raw?.byteLength ?? 8);
    }
  }

  /** The value of `key`: from the cache when there, else read from the table on demand (keys outside the prefetch). */
  get(key: string): unknown {
    // One look-up for a cached value (an absent key's `undefined` needs a second).
    const entry = this.values.get(key);
    if (entry === undefined && !this.values.has(key)) return this.table.get(key);
    if (!(entry instanceof Encoded)) return entry;
    const value = this.table.decode(key, entry.bytes);
    // Primitives are immutable: keep them decoded.
    if (typeof value !== "object" || value === null) this.values.set(key, value);
    return value;
  }

  /** Records a handler's write of `value`, whose encoding is `encoded`. */
  set(key: string, value: unknown, encoded: Uint8Array): void {
    const entry = typeof value === "object" && value !== null ? new Encoded(encoded) : value;
    this.replace(key, entry);
  }

  /** Records a handler's delete of `key`. */
  delete(key: string): void {
    this.replace(key, undefined);
  }

  /** Marks where the current message's writes begin (see `undo`). */
  mark(): void {
    this.undoCount = 0;
  }

  /** Undoes the writes since `mark` (a failed handler's), newest first. */
  undo(): void {
    for (let i = this.undoCount - 1; i >= 0; i--) {
      const key = this.undoKeys[i]!;
      const previous = this.undoValues[i];
      const current = this.values.get(key);
      if (previous === ABSENT) {
        this.values.delete(key);
        this.bytes -= ENTRY_OVERHEAD + key.length + sizeOf(current);
      } else {
        this.values.set(key, previous);
        this.bytes += sizeOf(previous) - sizeOf(current);
      }
    }
    this.mark();
  }

  /** Forgets every cached value: later reads fall through to the store. */
  clear(): void {
    this.values.clear();
    this.bytes = 0;
    // Nor do the undo logs keep old values alive.
    this.undoKeys.length = 0;
    this.undoValues.length = 0;
    this.undoCount = 0;
  }

  /** Sets `key` to `entry`, remembering what it replaced (see `undo`) and keeping the byte estimate. */
  private replace(key: string, entry: unknown): void {
    const cached = this.values.get(key);
    const had = cached !== undefined || this.values.has(key);
    const previous = had ? cached : ABSENT;
    this.undoKeys[this.undoCount] = key;
    this.undoValues[this.undoCount++] = previous;
    this.bytes += sizeOf(entry) - (had ? sizeOf(previous) : -(ENTRY_OVERHEAD + key.length));
    this.values.set(key, entry);
  }
}

/** Estimated bytes of a cached value: an encoding's length, a string's length, 8 for other primitives. */
function sizeOf(entry: unknown): number {
  if (entry instanceof Encoded) return entry.bytes.byteLength;
  return typeof entry === "string" ? entry.length : 8;
}
