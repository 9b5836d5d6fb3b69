/**
 * A lean decoder of Fetch responses (v11) for partition readers.
 *
 * Why not kafkajs's: it turns every record into an object with its offset and
 * timestamp as strings (through a 64-bit Long), its key and value as Buffer
 * slices and its headers as an object, then the reader converts each one
 * again. Recovery reads millions of records, and that decoding plus its
 * garbage was more than half of a recovery's CPU time (bench/results). Here
 * the response is walked once, straight into what the caller keeps: parallel
 * key/value arrays for recovery (`decodeLog`), port messages for catching up
 * (`decodeMessages`).
 *
 * Handled: record batches of magic 2 (the only format Kafka 4 writes),
 * uncompressed or compressed with any of Kafka's codecs (compression.ts),
 * control batches skipped, a trailing partial batch (cut by the fetch's byte
 * limit) left for the next fetch. Read committed: the batches of aborted
 * transactions are skipped, as the response's aborted-transactions list and
 * the abort markers say (`AbortedTransaction`). An old message format throws
 * `NeedsFullDecoder` and the reader decodes that response with kafkajs.
 *
 * Keys must be UTF-8 (gokac's keys are strings): a key that is not, or a
 * batch that does not decompress, throws `RecordDecodeError` with the offset,
 * never a silently mangled key.
 */
import { isUtf8 } from "node:buffer";
import { GokacError } from "../../errors.js";
import { logOf, type BrokerMessage, type LogBytes, type LogChunk } from "../port.js";
import { decompressRecords } from "./compression.js";

/** A response this decoder does not handle; kafkajs's decoder does. */
export class NeedsFullDecoder extends GokacError {
  override readonly name = "NeedsFullDecoder";
  declare readonly code: "NEEDS_FULL_DECODER";
  constructor(message: string) {
    super(message, { code: "NEEDS_FULL_DECODER" });
  }
}

/** A record (or its batch) that cannot be decoded: a key that is not UTF-8, a batch that does not decompress. */
export class RecordDecodeError extends GokacError {
  override readonly name = "RecordDecodeError";
  declare readonly code: "RECORD_DECODE";
  constructor(
    /** The record's offset (a batch's base offset when the whole batch failed). */
    readonly offset: number,
    /** The key as far as it is known: its bytes shown lossily (U+FFFD), `""` for a whole batch. */
    readonly key: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, { code: "RECORD_DECODE", cause: options?.cause });
  }
}

/**
 * An aborted transaction overlapping a read-committed fetch (the Fetch
 * response's `aborted_transactions`): from `firstOffset` on, the
 * transactional batches of `producerId` are aborted until its abort marker.
 */
export interface AbortedTransaction {
  readonly producerId: number;
  readonly firstOffset: number;
}

/** One partition of a Fetch response, records still encoded. */
export interface FetchedPartition {
  readonly errorCode: number;
  readonly highWatermark: number;
  readonly logStartOffset: number;
  /** The record batches, or `null`. */
  readonly records: Buffer | null;
  /** Aborted transactions in the fetched range, by first offset (empty for a read-uncommitted fetch or when there are none). */
  readonly aborted: readonly AbortedTransaction[];
}

/** A stretch of a partition's log, and where the next fetch starts (after the last complete batch). */
export interface DecodedLog extends LogChunk {
  readonly next: number;
}

/**
 * Entries of uncompressed batches, left in the response: positions in typed
 * arrays, and a key string or value view made only when asked for. A
 * recovery's millions of keys and values then die young, right after the
 * store copied them, instead of surviving a whole batch into the old
 * generation (that garbage collection was a fifth of recovery's CPU).
 */
class RecordsInPlace implements DecodedLog {
  length = 0;
  next: number;
  /** Per entry: key start, key length (-1: null), value start, value length (-1: null). */
  private readonly at: Int32Array;

  constructor(
    private readonly records: Buffer,
    capacity: number,
    from: number,
  ) {
    this.at = new Int32Array(capacity * 4);
    this.next = from;
  }

  add(keyStart: number, keyLength: number, valueStart: number, valueLength: number): void {
    const j = this.length++ * 4;
    this.at[j] = keyStart;
    this.at[j + 1] = keyLength;
    this.at[j + 2] = valueStart;
    this.at[j + 3] = valueLength;
  }

  key(i: number): string {
    const length = this.at[i * 4 + 1]!;
    if (length <= 0) return "";
    const start = this.at[i * 4]!;
    return utf8(this.records, start, start + length);
  }

  value(i: number): Uint8Array | null {
    const length = this.at[i * 4 + 3]!;
    if (length < 0) return null;
    if (length === 0) return EMPTY;
    return new Uint8Array(this.records.buffer, this.records.byteOffset + this.at[i * 4 + 2]!, length);
  }

  /** The entries where they lie (`LogChunk.bytes`): LevelDB copies them from there. */
  get bytes(): LogBytes {
    return { buffer: this.records, at: this.at };
  }
}

/** Messages decoded for the port, and where the next fetch starts. */
export interface DecodedMessages {
  readonly messages: BrokerMessage[];
  readonly next: number;
}

const NO_HEADERS: Readonly<Record<string, Uint8Array>> = Object.freeze({});
const EMPTY = new Uint8Array(0);
const COMPRESSION_NONE = 0;
const CONTROL_BATCH = 0x20;
const TRANSACTIONAL_BATCH = 0x10;
/** A control record's type (its key's second int16) for an abort marker. */
const ABORT_MARKER = 0;
const NO_ABORTED: readonly AbortedTransaction[] = Object.freeze([]);

/** A Fetch answer's aborted-transactions array of `count` entries at `at` (16 bytes each), by first offset. */
export function readAbortedTransactions(payload: Buffer, at: number, count: number): readonly AbortedTransaction[] {
  if (count <= 0) return NO_ABORTED;
  const list: AbortedTransaction[] = [];
  for (let i = 0; i < count; i++) {
    list.push({ producerId: Number(payload.readBigInt64BE(at + i * 16)), firstOffset: Number(payload.readBigInt64BE(at + i * 16 + 8)) });
  }
  return list.sort((a, b) => a.firstOffset - b.firstOffset);
}
const LOG_APPEND_TIME = 0x08;
/** Bytes of a v2 batch header before its first record. */
const BATCH_HEADER = 61;

const EMPTY_BUFFER = Buffer.alloc(0);

type Utf8Slicing = Buffer & { utf8Slice?(start: number, end: number): string };
/**
 * `buffer.toString("utf8", start, end)` without its argument handling, which
 * was half the cost of a recovery's key strings: Node's Buffer has had
 * `utf8Slice` (what `toString` calls) forever, undocumented; `toString` if not.
 */
const utf8: (buffer: Buffer, start: number, end: number) => string =
  typeof (EMPTY_BUFFER as Utf8Slicing).utf8Slice === "function"
    ? (buffer, start, end) => (buffer as Utf8Slicing & { utf8Slice(start: number, end: number): string }).utf8Slice(start, end)
    : (buffer, start, end) => buffer.toString("utf8", start, end);
// The cursor of the decoding in progress: decoding is synchronous, so module state spares an object per call.
let buf: Buffer = EMPTY_BUFFER;
let pos = 0;

/** A zigzag varint that fits 32 bits (lengths, counts, offset deltas). */
function varint(): number {
  let b = buf[pos++]!;
  if (b < 0x80) return (b >>> 1) ^ -(b & 1);
  let value = b & 0x7f;
  let shift = 7;
  do {
    b = buf[pos++]!;
    value |= (b & 0x7f) << shift;
    shift += 7;
  } while (b >= 0x80 && shift < 35);
  return (value >>> 1) ^ -(value & 1);
}

/** A zigzag varlong as a number (exact below 2^53: timestamp deltas). */
function varlong(): number {
  let value = 0;
  let scale = 1;
  let b: number;
  do {
    b = buf[pos++]!;
    value += (b & 0x7f) * scale;
    scale *= 128;
  } while (b >= 0x80);
  return value % 2 === 0 ? value / 2 : -(value + 1) / 2;
}

function skipVarint(): void {
  while (buf[pos++]! >= 0x80);
}

/**
 * Finds `partition` of `topic` in a Fetch v11 response body (after the
 * correlation id). `undefined` if the response does not hold it.
 */
export function parseFetchResponse(payload: Buffer, topic: string, partition: number): FetchedPartition | undefined {
  let at = 4; // throttle_time_ms
  const errorCode = payload.readInt16BE(at);
  at += 2 + 4; // error_code, session_id
  if (errorCode !== 0) return { errorCode, highWatermark: -1, logStartOffset: -1, records: null, aborted: NO_ABORTED };
  const topics = payload.readInt32BE(at);
  at += 4;
  for (let t = 0; t < topics; t++) {
    const nameLength = payload.readInt16BE(at);
    at += 2;
    const name = payload.toString("utf8", at, at + nameLength);
    at += nameLength;
    const partitions = payload.readInt32BE(at);
    at += 4;
    for (let p = 0; p < partitions; p++) {
      const id = payload.readInt32BE(at);
      const partitionError = payload.readInt16BE(at + 4);
      const highWatermark = Number(payload.readBigInt64BE(at + 6));
      // last_stable_offset at + 14
      const logStartOffset = Number(payload.readBigInt64BE(at + 22));
      at += 30;
      const abortedCount = payload.readInt32BE(at);
      at += 4;
      const aborted = name === topic && id === partition ? readAbortedTransactions(payload, at, abortedCount) : NO_ABORTED;
      at += Math.max(0, abortedCount) * 16 + 4; // aborted transactions, preferred_read_replica
      const length = payload.readInt32BE(at);
      at += 4;
      const records = length < 0 ? null : payload.subarray(at, at + length);
      at += Math.max(0, length);
      if (name === topic && id === partition) return { errorCode: partitionError, highWatermark, logStartOffset, records, aborted };
    }
  }
  return undefined;
}

/**
 * Walks the complete record batches of `records`, calling `visit` with the
 * cursor at each record (after its length) of a data batch whose offset is
 * at least `from`. `baseTimestamp` is the batch's first timestamp, or its max
 * timestamp when `appendTime` (a LogAppendTime batch: every record has that
 * time, whatever its delta). Returns the offset after the last complete batch, or
 * `from` if there was none. With `aborted` (a read-committed fetch's list),
 * the transactional batches of aborted transactions are skipped as Kafka's
 * consumers do: a transaction's producer is aborted from its first offset
 * until its abort marker.
 */
function walkBatches(
  records: Buffer,
  from: number,
  visit: (offset: number, baseTimestamp: number, end: number, appendTime: boolean) => void,
  aborted: readonly AbortedTransaction[] = NO_ABORTED,
): number {
  let next = from;
  let at = 0;
  /** Producers whose open transaction is aborted, and the next entry of `aborted` not yet reached. */
  let abortedProducers: Set<number> | undefined;
  let nextAborted = 0;
  try {
    while (at + BATCH_HEADER <= records.length || (at + 17 <= records.length && records.readInt8(at + 16) !== 2)) {
      // An old-format message set (magic 0/1, shorter headers) goes to kafkajs even when smaller than a v2 header.
      const magic = records.readInt8(at + 16);
      if (magic !== 2) throw new NeedsFullDecoder(`record batch of magic ${magic}`);
      const batchEnd = at + 12 + records.readInt32BE(at + 8);
      if (batchEnd > records.length) break; // cut by the byte limit: the next fetch starts at it
      const baseOffset = Number(records.readBigInt64BE(at));
      const lastOffset = baseOffset + records.readInt32BE(at + 23);
      const attributes = records.readInt16BE(at + 21);
      const count = records.readInt32BE(at + 57);
      let skip = false;
      if (nextAborted < aborted.length || abortedProducers !== undefined) {
        const producerId = Number(records.readBigInt64BE(at + 43));
        while (nextAborted < aborted.length && aborted[nextAborted]!.firstOffset <= lastOffset) {
          (abortedProducers ??= new Set()).add(aborted[nextAborted++]!.producerId);
        }
        if ((attributes & CONTROL_BATCH) !== 0) {
          if (controlType(records, at) === ABORT_MARKER) abortedProducers?.delete(producerId);
        } else skip = (attributes & TRANSACTIONAL_BATCH) !== 0 && abortedProducers?.has(producerId) === true;
      }
      if ((attributes & CONTROL_BATCH) === 0 && !skip && lastOffset >= from) {
        const compression = attributes & 0x07;
        let body: Buffer;
        if (compression === COMPRESSION_NONE) body = records;
        else {
          try {
            body = decompressRecords(compression, records.subarray(at + BATCH_HEADER, batchEnd));
          } catch (error) {
            throw new RecordDecodeError(baseOffset, "", error instanceof Error ? error.message : String(error), { cause: error });
          }
        }
        const appendTime = (attributes & LOG_APPEND_TIME) !== 0;
        const baseTimestamp = Number(records.readBigInt64BE(at + (appendTime ? 35 : 27))); // max_timestamp or first_timestamp
        buf = body;
        pos = body === records ? at + BATCH_HEADER : 0;
        for (let i = 0; i < count; i++) {
          const length = varint();
          const end = pos + length;
          pos++; // attributes
          visit(baseOffset, baseTimestamp, end, appendTime);
          pos = end;
        }
      }
      at = batchEnd;
      if (lastOffset + 1 > next) next = lastOffset + 1;
    }
  } finally {
    buf = EMPTY_BUFFER; // no response kept alive by the cursor
  }
  return next;
}

/** The type of the control record opening the (uncompressed) control batch at `at`: its key's second int16 (0 abort, 1 commit); -1 if unreadable. */
function controlType(records: Buffer, at: number): number {
  if (records.readInt32BE(at + 57) < 1 || (records.readInt16BE(at + 21) & 0x07) !== COMPRESSION_NONE) return -1;
  buf = records;
  pos = at + BATCH_HEADER;
  varint(); // length
  pos++; // attributes
  varlong(); // timestamp delta
  varint(); // offset delta
  const keyLength = varint();
  return keyLength >= 4 ? records.readInt16BE(pos + 2) : -1;
}

function bytesAt(start: number, length: number): Uint8Array {
  return length === 0 ? EMPTY : new Uint8Array(buf.buffer, buf.byteOffset + start, length);
}

// The key and value positions of the record `readEntry` read last (a length of -1 is null).
let keyStart = 0;
let keyLength = 0;
let valueStart = 0;
let valueLength = 0;

/**
 * Throws unless the `length` bytes at `start` of the cursor's buffer are
 * UTF-8. ASCII (most keys) is checked by a loop, anything else by Node.
 */
function checkKey(offset: number, start: number, length: number): void {
  const end = start + length;
  for (let i = start; i < end; i++) {
    if (buf[i]! >= 0x80) {
      if (isUtf8(buf.subarray(start, end))) return;
      throw new RecordDecodeError(
        offset,
        utf8(buf, start, end),
        `key at offset ${offset} is not valid UTF-8 (${buf.toString("hex", start, end)})`,
      );
    }
  }
}

/** Reads the positions of the record at the cursor (after its attributes) into the module's entry; false if it lies before `from`. */
function readEntry(baseOffset: number, from: number): boolean {
  skipVarint(); // timestamp delta
  const offset = baseOffset + varint();
  if (offset < from) return false;
  keyLength = varint();
  keyStart = pos;
  if (keyLength > 0) checkKey(offset, keyStart, keyLength);
  pos += Math.max(0, keyLength);
  valueLength = varint();
  valueStart = pos;
  return true;
}

/** The records of `records` from offset `from` as keys and values (recovery: no timestamps, no headers); `aborted` as in `FetchedPartition`. */
export function decodeLog(records: Buffer | null, from: number, aborted: readonly AbortedTransaction[] = NO_ABORTED): DecodedLog {
  if (records === null) return { ...logOf([], []), next: from };
  const capacity = uncompressedRecordCount(records);
  if (capacity !== undefined) {
    const log = new RecordsInPlace(records, capacity, from);
    log.next = walkBatches(
      records,
      from,
      (baseOffset) => {
        if (readEntry(baseOffset, from)) log.add(keyStart, keyLength, valueStart, valueLength);
      },
      aborted,
    );
    return log;
  }
  // Compressed batches decode into buffers of their own: keys and values are made at once.
  const keys: string[] = [];
  const values: (Uint8Array | null)[] = [];
  const next = walkBatches(
    records,
    from,
    (baseOffset) => {
      if (!readEntry(baseOffset, from)) return;
      keys.push(keyLength < 0 ? "" : utf8(buf, keyStart, keyStart + keyLength));
      values.push(valueLength < 0 ? null : bytesAt(valueStart, valueLength));
    },
    aborted,
  );
  return { ...logOf(keys, values), next };
}

/** The records in the complete batches of `records` if none is compressed; `undefined` otherwise. */
function uncompressedRecordCount(records: Buffer): number | undefined {
  let count = 0;
  for (let at = 0; at + BATCH_HEADER <= records.length;) {
    const batchEnd = at + 12 + records.readInt32BE(at + 8);
    if (batchEnd > records.length) break;
    const magic = records.readInt8(at + 16);
    if (magic !== 2) throw new NeedsFullDecoder(`record batch of magic ${magic}`);
    if ((records.readInt16BE(at + 21) & 0x07) !== COMPRESSION_NONE) return undefined;
    count += records.readInt32BE(at + 57);
    at = batchEnd;
  }
  return count;
}

/** The records of `records` from offset `from` as port messages; `aborted` as in `FetchedPartition`. */
export function decodeMessages(
  records: Buffer | null,
  from: number,
  topic: string,
  partition: number,
  aborted: readonly AbortedTransaction[] = NO_ABORTED,
): DecodedMessages {
  const messages: BrokerMessage[] = [];
  if (records === null) return { messages, next: from };
  const next = walkBatches(
    records,
    from,
    (baseOffset, baseTimestamp, end, appendTime) => {
      const delta = varlong();
      const timestamp = appendTime ? baseTimestamp : baseTimestamp + delta;
      const offset = baseOffset + varint();
      if (offset < from) return;
      const keyLength = varint();
      if (keyLength > 0) checkKey(offset, pos, keyLength);
      const key = keyLength < 0 ? "" : utf8(buf, pos, pos + keyLength);
      pos += Math.max(0, keyLength);
      const valueLength = varint();
      const value = valueLength < 0 ? null : bytesAt(pos, valueLength);
      pos += Math.max(0, valueLength);
      messages.push({ topic, partition, offset, key, value, headers: pos < end ? readHeaders() : NO_HEADERS, timestamp });
    },
    aborted,
  );
  return { messages, next };
}

/** Record headers; a repeated name keeps its last value (as Java's `lastHeader`), a null value reads as empty. */
function readHeaders(): Readonly<Record<string, Uint8Array>> {
  const count = varint();
  if (count <= 0) return NO_HEADERS;
  const headers: Record<string, Uint8Array> = {};
  for (let i = 0; i < count; i++) {
    const nameLength = varint();
    const name = buf.toString("utf8", pos, pos + nameLength);
    pos += nameLength;
    const valueLength = varint();
    headers[name] = valueLength < 0 ? EMPTY : bytesAt(pos, valueLength);
    pos += Math.max(0, valueLength);
  }
  return headers;
}

/**
 * The records of `records` from offset `from` as port messages for a group
 * member's input (group-fetch.ts): as `decodeMessages`, but a key is never an
 * error here: a null key is marked `nullKey`, a key that is not UTF-8 keeps
 * its bytes as `invalidKey` (copied), as the port asks of group inputs, so
 * the processor fails that message by its error policy. `aborted` as in
 * `FetchedPartition`.
 */
export function decodeInputMessages(
  records: Buffer | null,
  from: number,
  topic: string,
  partition: number,
  aborted: readonly AbortedTransaction[] = NO_ABORTED,
): DecodedMessages {
  const messages: BrokerMessage[] = [];
  if (records === null) return { messages, next: from };
  const next = walkBatches(
    records,
    from,
    (baseOffset, baseTimestamp, end, appendTime) => {
      const delta = varlong();
      const timestamp = appendTime ? baseTimestamp : baseTimestamp + delta;
      const offset = baseOffset + varint();
      if (offset < from) return;
      const keyLength = varint();
      const keyStart = pos;
      const key = keyLength <= 0 ? "" : utf8(buf, keyStart, keyStart + keyLength);
      pos += Math.max(0, keyLength);
      const valueLength = varint();
      const value = valueLength < 0 ? null : bytesAt(pos, valueLength);
      pos += Math.max(0, valueLength);
      const headers = pos < end ? readHeaders() : NO_HEADERS;
      const message: BrokerMessage = { topic, partition, offset, key, value, headers, timestamp };
      if (keyLength < 0) messages.push({ ...message, nullKey: true });
      else if (keyLength > 0 && !isUtf8Key(keyStart, keyLength)) {
        messages.push({ ...message, invalidKey: Uint8Array.from(buf.subarray(keyStart, keyStart + keyLength)) });
      } else messages.push(message);
    },
    aborted,
  );
  return { messages, next };
}

/** Whether the `length` bytes at `start` of the cursor's buffer are UTF-8 (ASCII by a loop, the rest by Node). */
function isUtf8Key(start: number, length: number): boolean {
  const end = start + length;
  for (let i = start; i < end; i++) if (buf[i]! >= 0x80) return isUtf8(buf.subarray(start, end));
  return true;
}
