/**
 * Write-behind for a table store: `write` lands in memory and reaches the
 * underlying store in one atomic batch per flush (after `maxDelayMs`, or as
 * soon as `maxKeys` keys or `maxBytes` bytes are buffered), together with the
 * offset of the last write. A key changed many times between flushes is
 * written once. A `write` that fills the buffer waits for its flush (and the
 * one before): writers are held back while the disk catches up, so the
 * buffer and the batch being written stay within about twice the limits.
 *
 * Safe because a table store is a cache of its changelog: values and offset
 * always reach the disk together, so after a crash the store is simply at an
 * older offset and recovery re-reads the changelog from there. Reads see
 * buffered writes; `close` flushes. `writeLog` (recovery's big batches) goes
 * straight to the store after the buffer: buffering would only copy them.
 */
import type { TableChanges, TableStore } from "./storage.js";

/** Options of `withWriteBehind`. */
export interface WriteBehindOptions {
  /** Flush once this many keys are buffered (default 20,000). */
  readonly maxKeys?: number;
  /** Flush once the buffered keys and values take this many bytes (default 8 MiB; estimated: key length + value length + 64 a key). */
  readonly maxBytes?: number;
  /** Flush at most this long after the first buffered write (default 1,000 ms). */
  readonly maxDelayMs?: number;
}

type Changes = Map<string, Uint8Array | null>;

/** Estimated bytes of a buffered key besides its key and value bytes (map slot, strings' headers). */
const ENTRY_OVERHEAD = 64;

/** Wraps `store` so writes are buffered and flushed in batches; the result has the same contract. */
export function withWriteBehind(store: TableStore, options: WriteBehindOptions = {}): TableStore {
  const maxKeys = options.maxKeys ?? 20_000;
  const maxDelayMs = options.maxDelayMs ?? 1_000;
  const maxBytes = options.maxBytes ?? 8 * 1024 * 1024;
  let buffer: Changes = new Map();
  /** Estimated bytes of `buffer` (see `WriteBehindOptions.maxBytes`). */
  let bufferBytes = 0;
  let bufferOffset: number | undefined;
  /** The key of the last buffered write: it must stay the batch's last entry, the record the store's anchor names. */
  let lastKey: string | undefined;
  /** Changes being written (or whose write failed): still read from memory. */
  let flushing: Changes | undefined;
  let lastFlush: Promise<void> = Promise.resolve();
  let failure: { readonly error: unknown } | undefined;
  let timer: NodeJS.Timeout | undefined;

  function flush(): Promise<void> {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    const run = lastFlush.then(async () => {
      if (failure !== undefined) throw failure.error;
      if (bufferOffset === undefined) return;
      const changes = buffer;
      const offset = bufferOffset;
      if (lastKey !== undefined && changes.has(lastKey)) {
        const value = changes.get(lastKey)!;
        changes.delete(lastKey);
        changes.set(lastKey, value);
      }
      lastKey = undefined;
      buffer = new Map();
      bufferBytes = 0;
      bufferOffset = undefined;
      flushing = changes;
      try {
        await store.write(changes, offset);
      } catch (error) {
        // Keep `flushing` readable: the store never got these values.
        failure = { error };
        throw error;
      }
      flushing = undefined;
    });
    lastFlush = run.catch(() => undefined);
    return run;
  }

  /** The buffered state of `key`: a value, `null` for a buffered delete, `undefined` if not buffered. */
  function buffered(key: string): Uint8Array | null | undefined {
    const value = buffer.get(key);
    if (value !== undefined || buffer.has(key)) return value;
    return flushing?.get(key);
  }

  const wrapped: TableStore = {
    async offset() {
      if (bufferOffset !== undefined) return bufferOffset;
      await lastFlush;
      return store.offset();
    },
    async get(key) {
      const value = buffered(key);
      if (value !== undefined) return value ?? undefined;
      return store.get(key);
    },
    async getMany(keys) {
      const result: (Uint8Array | undefined)[] = new Array(keys.length);
      const missing: string[] = [];
      const at: number[] = [];
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]!;
        const value = buffered(key);
        if (value === undefined) {
          missing.push(key);
          at.push(i);
        } else result[i] = value ?? undefined;
      }
      if (missing.length > 0) {
        const stored = await store.getMany(missing);
        for (let j = 0; j < missing.length; j++) result[at[j]!] = stored[j];
      }
      return result;
    },
    async write(changes: TableChanges, offset: number) {
      if (failure !== undefined) throw failure.error;
      // forEach: no entry array per key on this hot path.
      changes.forEach((value, key) => {
        const previous = buffer.get(key);
        if (previous === undefined && !buffer.has(key)) bufferBytes += ENTRY_OVERHEAD + key.length;
        else bufferBytes -= previous?.byteLength ?? 0;
        bufferBytes += value?.byteLength ?? 0;
        buffer.set(key, value);
        lastKey = key;
      });
      bufferOffset = offset;
      if (buffer.size >= maxKeys || bufferBytes >= maxBytes) return flush();
      if (timer === undefined) {
        timer = setTimeout(() => void flush().catch(() => undefined), maxDelayMs);
        // A pending flush must not keep the process alive: losing it is like a crash, which recovery handles.
        timer.unref();
      }
    },
    async *entries() {
      await flush();
      yield* store.entries();
    },
    async close() {
      try {
        await flush();
      } finally {
        await store.close();
      }
    },
  };
  const writeLog = store.writeLog?.bind(store);
  if (writeLog !== undefined) {
    wrapped.writeLog = (log, offset) => {
      if (failure !== undefined) return Promise.reject(failure.error);
      // The buffer goes first: the store must see writes in the order they were made. Its failure resurfaces below.
      if (bufferOffset !== undefined) void flush().catch(() => undefined);
      const run = lastFlush.then(async () => {
        if (failure !== undefined) throw failure.error;
        try {
          await writeLog(log, offset);
        } catch (error) {
          failure = { error };
          throw error;
        }
      });
      lastFlush = run.catch(() => undefined);
      return run;
    };
  }
  const anchor = store.anchor?.bind(store);
  if (anchor !== undefined) {
    wrapped.anchor = async () => {
      await flush();
      return anchor();
    };
  }
  const getSync = store.getSync?.bind(store);
  if (getSync !== undefined) {
    wrapped.getSync = (key) => {
      const value = buffered(key);
      return value !== undefined ? (value ?? undefined) : getSync(key);
    };
  }
  return wrapped;
}
