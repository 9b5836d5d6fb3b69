/**
 * Table stores on disk with LevelDB (classic-level via `level`): one database
 * per table partition under `<dir>/<topic>.<partition>`. Values live under a
 * `v` prefix, the changelog offset under `o`, the identity of the last
 * applied record under `a` (see `recordHash`), all written in one batch.
 * Writes go through a write-behind buffer by default (see `write-behind.ts`).
 *
 * Integrity: LevelDB keeps block checksums but does not check them on reads
 * unless asked, and classic-level cannot ask (no `verify_checksums` or
 * `paranoid_checks` option). So every stored entry carries its own CRC-32 of
 * key and value (4 bytes, before the value), checked on every read; opening a
 * store reads every entry once (`verifyOnOpen`, default on). A store that
 * fails either way, or that LevelDB cannot open, is reported as a
 * `StateMismatchError` ("corrupt") naming its path, table and partition.
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import { Level } from "level";
import type { LogBytes, LogChunk } from "../broker/port.js";
import { crc32Bytes, crc32String } from "./crc32.js";
import { recordHash, StateMismatchError } from "./state-errors.js";
import type { Storage, TableChanges, TableStore } from "./storage.js";
import { withWriteBehind, type WriteBehindOptions } from "./write-behind.js";

/** Options of `createLevelStorage`. */
export interface LevelStorageOptions {
  /** Buffer writes and flush them in batches (default on); `false` writes every batch through at once. */
  readonly writeBehind?: WriteBehindOptions | false;
  /** Read and check every entry's checksum when a store opens (default true); reads are always checked. */
  readonly verifyOnOpen?: boolean;
}

const VALUE = "v";
const OFFSET_KEY = "o";
const ANCHOR_KEY = "a";
/** The format marker: stores written before checksums lack it. */
const FORMAT_KEY = "f";
const FORMAT = "2";
const utf8 = new TextDecoder();
const utf8Encode = new TextEncoder();

type Db = Level<string, Uint8Array>;

/** `value` prefixed with the CRC-32 of `key` and `value` (big-endian). */
function seal(key: string, value: Uint8Array): Uint8Array {
  const out = new Uint8Array(value.length + 4);
  const crc = crc32Bytes(value, crc32String(key));
  out[0] = crc >>> 24;
  out[1] = crc >>> 16;
  out[2] = crc >>> 8;
  out[3] = crc;
  // Values are a few bytes as a rule: a loop beats `set`'s call for those.
  if (value.length > 32) out.set(value, 4);
  else for (let i = 0; i < value.length; i++) out[i + 4] = value[i]!;
  return out;
}

/** The value sealed under `key`, or `undefined` if its checksum does not match. */
function unseal(key: string, sealed: Uint8Array): Uint8Array | undefined {
  if (sealed.length < 4) return undefined;
  const value = sealed.subarray(4);
  const expected = ((sealed[0]! << 24) | (sealed[1]! << 16) | (sealed[2]! << 8) | sealed[3]!) >>> 0;
  return crc32Bytes(value, crc32String(key)) === expected ? value : undefined;
}

/** A reusable buffer outside the heap and its views of every length so far (`views[n]`: the first `n` bytes). */
class Scratch {
  private bytes = new Uint8Array(256);
  private views: Uint8Array[] = [];

  /** The first `length` bytes, valid until the next call (grown when short). */
  view(length: number): Uint8Array {
    if (length > this.bytes.length) {
      this.bytes = new Uint8Array(Math.max(length, this.bytes.length * 2));
      this.views = [];
    }
    return (this.views[length] ??= this.bytes.subarray(0, length));
  }
}

const sealScratch = new Scratch();
const keyScratch = new Scratch();
const VALUE_BYTE = VALUE.charCodeAt(0);

type Batch = ReturnType<Db["batch"]>;
/** Adds one put of an already encoded key (a string or UTF-8 bytes) and value to a batch. */
type Put = (key: string | Uint8Array, value: Uint8Array) => void;

/**
 * The batch's own put, without abstract-level's work per operation: its
 * public `put` checks the status, key and value, spreads an options object,
 * looks up both encodings and encodes, which cost recovery more than the
 * native put itself (about 0.3 of 1 µs an entry, issue 15). Here keys and
 * values are made by this module, encoded already: a `utf8` key is its
 * string or its UTF-8 bytes, a `view` value its bytes, which is what the
 * encodings hand the implementation. That is classic-level's `_put`, the
 * implementation method of abstract-level's chained batch; a version
 * without it gets the public `put`. A batch so filled must get one public
 * operation too before `write` (abstract-level writes nothing for a batch it
 * counts empty): the store's offset record always is one.
 */
function fastPut(batch: Batch): Put {
  const own = (batch as unknown as { _put?: (key: string | Uint8Array, value: Uint8Array) => void })._put;
  if (typeof own === "function") return own.bind(batch);
  return (key, value) =>
    typeof key === "string" ? batch.put(key, value) : batch.put(key as unknown as string, value, { keyEncoding: "view" });
}

/**
 * Adds the entries of `log` to `batch` from the bytes they lie in (`bytes`):
 * each key (after the value prefix) and sealed value is copied into a scratch
 * buffer, which classic-level copies again when the operation is added, so
 * the buffers are reused at once. Recovery so makes no key string, value view
 * or sealed copy per entry (issue 15), and LevelDB reads both from outside
 * the JavaScript heap without moving them first. A key's bytes are its UTF-8
 * (readers check), so they are the bytes its string would be stored as, and
 * their CRC-32 the one `seal` computes from the string.
 */
function putSealedFromBytes(batch: Batch, log: LogChunk, bytes: LogBytes): void {
  const put = fastPut(batch);
  const { buffer, at } = bytes;
  for (let i = 0; i < log.length; i++) {
    const keyStart = at[i * 4]!;
    const keyLength = Math.max(0, at[i * 4 + 1]!);
    const valueStart = at[i * 4 + 2]!;
    const valueLength = at[i * 4 + 3]!;
    const key = keyScratch.view(keyLength + 1);
    key[0] = VALUE_BYTE;
    if (keyLength > 32) key.set(buffer.subarray(keyStart, keyStart + keyLength), 1);
    else for (let j = 0; j < keyLength; j++) key[j + 1] = buffer[keyStart + j]!;
    if (valueLength < 0) {
      batch.del(key as unknown as string, { keyEncoding: "view" });
      continue;
    }
    const sealed = sealScratch.view(valueLength + 4);
    const crc = crc32Bytes(buffer, crc32Bytes(key), valueStart, valueStart + valueLength);
    sealed[0] = crc >>> 24;
    sealed[1] = crc >>> 16;
    sealed[2] = crc >>> 8;
    sealed[3] = crc;
    if (valueLength > 32) sealed.set(buffer.subarray(valueStart, valueStart + valueLength), 4);
    else for (let j = 0; j < valueLength; j++) sealed[j + 4] = buffer[valueStart + j]!;
    put(key, sealed);
  }
}

/** A `Storage` keeping each table partition in a LevelDB under `dir`. */
export function createLevelStorage(dir: string, options: LevelStorageOptions = {}): Storage {
  const writeBehind = options.writeBehind ?? {};
  const verifyOnOpen = options.verifyOnOpen ?? true;
  const pathOf = (topic: string, partition: number) => join(dir, `${topic}.${partition}`);
  return {
    async open(topic, partition) {
      const path = pathOf(topic, partition);
      const corrupt = (detail: string, cause?: unknown) =>
        new StateMismatchError("corrupt", topic, partition, path, detail, cause === undefined ? undefined : { cause });
      const db: Db = new Level<string, Uint8Array>(path, { keyEncoding: "utf8", valueEncoding: "view" });
      try {
        await db.open();
      } catch (error) {
        // LEVEL_LOCKED (another process has it) is not damage: report it as it is, with the path.
        const code = (error as { cause?: { code?: unknown } }).cause?.code;
        if (code === "LEVEL_LOCKED")
          throw new Error(`table ${topic} partition ${partition}: store ${path} is in use by another process`, { cause: error });
        throw corrupt(`LevelDB cannot open it: ${describe(error)}`, error);
      }
      const store = levelStore(db, topic, partition, path);
      try {
        await checkFormat(db, verifyOnOpen, corrupt, topic, partition, path);
      } catch (error) {
        await db.close().catch(() => undefined);
        throw error instanceof StateMismatchError ? error : corrupt(`reading it failed: ${describe(error)}`, error);
      }
      return writeBehind === false ? store : withWriteBehind(store, writeBehind);
    },
    async remove(topic, partition) {
      await rm(pathOf(topic, partition), { recursive: true, force: true });
    },
  };
}

function describe(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  const message = error instanceof Error ? error.message : String(error);
  return cause instanceof Error ? `${message} (${cause.message})` : message;
}

/** Checks the format marker and, with `verifyAll`, every entry's checksum; an empty store gets the marker. */
async function checkFormat(
  db: Db,
  verifyAll: boolean,
  corrupt: (detail: string) => Error,
  topic: string,
  partition: number,
  path: string,
): Promise<void> {
  const format = await db.get(FORMAT_KEY);
  if (format === undefined) {
    const any = await db.keys({ limit: 1 }).all();
    if (any.length > 0) throw new StateMismatchError("old-format", topic, partition, path, "written without checksums by an older gokac");
    await db.put(FORMAT_KEY, utf8Encode.encode(FORMAT));
    return;
  }
  if (utf8.decode(format) !== FORMAT) throw corrupt(`unknown format marker ${JSON.stringify(utf8.decode(format))}`);
  if (!verifyAll) return;
  for await (const [key, sealed] of db.iterator()) {
    if (key === FORMAT_KEY) continue;
    if (key !== OFFSET_KEY && key !== ANCHOR_KEY && !key.startsWith(VALUE)) throw corrupt(`unexpected key ${JSON.stringify(key)}`);
    if (unseal(key, sealed) === undefined) throw corrupt(`checksum mismatch at key ${JSON.stringify(key)}`);
  }
}

function levelStore(db: Db, topic: string, partition: number, path: string): TableStore {
  const read = (key: string, sealed: Uint8Array | undefined): Uint8Array | undefined => {
    if (sealed === undefined) return undefined;
    const value = unseal(key, sealed);
    if (value === undefined)
      throw new StateMismatchError("corrupt", topic, partition, path, `checksum mismatch at key ${JSON.stringify(key)}`);
    return value;
  };
  /** Reads with the path, table and partition in any LevelDB error. */
  const guarded = async <T>(action: () => Promise<T>): Promise<T> => {
    try {
      return await action();
    } catch (error) {
      if (error instanceof StateMismatchError) throw error;
      throw new StateMismatchError("corrupt", topic, partition, path, `LevelDB read failed: ${describe(error)}`, { cause: error });
    }
  };
  const number = async (key: string): Promise<number | undefined> => {
    const raw = read(key, await db.get(key));
    return raw === undefined ? undefined : Number(utf8.decode(raw));
  };
  /** The offset (and anchor) record, through the public `put`: it counts the batch as not empty (see `fastPut`). */
  const putMeta = (batch: Batch, offset: number, anchor: number | undefined) => {
    batch.put(OFFSET_KEY, seal(OFFSET_KEY, utf8Encode.encode(String(offset))));
    if (anchor !== undefined) batch.put(ANCHOR_KEY, seal(ANCHOR_KEY, utf8Encode.encode(String(anchor))));
  };
  return {
    offset: () => guarded(() => number(OFFSET_KEY)),
    anchor: () => guarded(() => number(ANCHOR_KEY)),
    get: (key) => guarded(async () => read(VALUE + key, await db.get(VALUE + key))),
    getSync: (key) => {
      try {
        return read(VALUE + key, db.getSync(VALUE + key));
      } catch (error) {
        if (error instanceof StateMismatchError) throw error;
        throw new StateMismatchError("corrupt", topic, partition, path, `LevelDB read failed: ${describe(error)}`, { cause: error });
      }
    },
    getMany: (keys) =>
      guarded(async () => {
        const raws = await db.getMany(keys.map((key) => VALUE + key));
        return raws.map((raw, i) => read(VALUE + keys[i]!, raw));
      }),
    async write(changes: TableChanges, offset: number) {
      const batch = db.batch();
      const put = fastPut(batch);
      let anchor: number | undefined;
      for (const [key, value] of changes) {
        const stored = VALUE + key;
        if (value === null) batch.del(stored);
        else put(stored, seal(stored, value));
        anchor = recordHash(key, value);
      }
      putMeta(batch, offset, anchor);
      await batch.write();
    },
    async writeLog(log: LogChunk, offset: number) {
      // LevelDB applies a batch's operations in order, so a later entry of a key wins as in the log.
      const batch = db.batch();
      if (log.bytes !== undefined) putSealedFromBytes(batch, log, log.bytes);
      else {
        const put = fastPut(batch);
        for (let i = 0; i < log.length; i++) {
          const key = VALUE + log.key(i);
          const value = log.value(i);
          if (value === null) batch.del(key);
          else put(key, seal(key, value));
        }
      }
      const last = log.length - 1;
      putMeta(batch, offset, last < 0 ? undefined : recordHash(log.key(last), log.value(last)));
      await batch.write();
    },
    async *entries() {
      // Keys are `v` + key; `w` is the first string after every such key.
      for await (const [key, value] of db.iterator({ gte: VALUE, lt: "w" })) yield [key.slice(VALUE.length), read(key, value)!] as const;
    },
    close: () => db.close(),
  };
}
