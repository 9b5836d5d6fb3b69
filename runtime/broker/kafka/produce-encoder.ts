/**
 * Produce requests encoded by gokac (issue 15). kafkajs encodes every
 * produced record through an `Encoder` of its own (a 512-byte buffer per
 * record), 64-bit varints through `Long` objects and byte arrays, and copies
 * each record, batch and partition into the next encoder up: for the
 * changelog and outputs of a busy processor that was a quarter of the bytes
 * the process allocated. `encodeProduceRequest` writes the same request body
 * (Produce v3 to v7 share it) into one buffer sized up front, and
 * `leanProduces` makes the producers of a kafkajs client send it: kafkajs
 * still routes, retries, numbers idempotent sequences and reads the answers.
 * Compressed batches stay kafkajs's (the records are compressed as one block,
 * through the codecs registered with it).
 */
import type { Kafka } from "kafkajs";
import { crc32cBytes } from "../../storage/crc32.js";
import { swapRequestBuilder } from "./kafkajs-internals.js";

/** A record as kafkajs hands it to the Produce request: keys and values as buffers or text, headers by name. */
export interface ProduceMessage {
  readonly key?: Buffer | string | null;
  readonly value: Buffer | string | null;
  readonly headers?: Readonly<Record<string, Buffer | string | null | undefined | readonly (Buffer | string)[]>>;
  readonly timestamp?: string | number;
}

/** What kafkajs's `broker.produce` passes its Produce request builder. */
export interface ProduceArgs {
  readonly acks: number;
  readonly timeout: number;
  readonly compression?: number;
  readonly transactionalId?: string | null;
  /** A kafkajs `Long`, a number or decimal text; -1 when not idempotent. */
  readonly producerId?: { toString(): string } | number | string;
  readonly producerEpoch?: number;
  readonly topicData: readonly {
    readonly topic: string;
    readonly partitions: readonly {
      readonly partition: number;
      readonly firstSequence?: number;
      readonly messages: readonly ProduceMessage[];
    }[];
  }[];
}

const MAGIC = 2;
const TRANSACTIONAL = 0x10;
/** Bytes of a record batch from its attributes to its record count (what the CRC covers begins at the attributes). */
const BATCH_FIELDS = 2 + 4 + 8 + 8 + 8 + 2 + 4 + 4;
/** Bytes before the attributes: base offset, length, leader epoch, magic, CRC. */
const BATCH_PREFIX = 8 + 4 + 4 + 1 + 4;

/** Kafka's zigzag mapping of a signed safe integer to an unsigned one (0, -1, 1, -2… → 0, 1, 2, 3…), in doubles past 32 bits. */
function zigzag(n: number): number {
  return n >= 0 ? n * 2 : -n * 2 - 1;
}

/** Bytes of a zigzag varint of `n` (a safe integer). */
function varintSize(n: number): number {
  let z = zigzag(n);
  let size = 1;
  while (z >= 128) {
    z = Math.floor(z / 128);
    size++;
  }
  return size;
}

/** The UTF-8 length of a key, value or header: -1 for null. */
function lengthOf(data: Buffer | string | null | undefined): number {
  if (data === null || data === undefined) return -1;
  return typeof data === "string" ? Buffer.byteLength(data, "utf8") : data.length;
}

/** One header as Kafka lists it (a repeated name is one header per value). */
function eachHeader(message: ProduceMessage, visit: (name: string, value: Buffer | string | null) => void): void {
  const headers = message.headers;
  if (headers === undefined) return;
  for (const name of Object.keys(headers)) {
    const value = headers[name];
    if (Array.isArray(value)) for (const v of value as readonly (Buffer | string)[]) visit(name, v);
    else visit(name, (value as Buffer | string | null | undefined) ?? null);
  }
}

class Writer {
  offset = 0;
  constructor(readonly buf: Buffer) {}
  int8(n: number): void {
    this.buf[this.offset++] = n & 0xff;
  }
  int16(n: number): void {
    this.offset = this.buf.writeInt16BE(n, this.offset);
  }
  int32(n: number): void {
    this.offset = this.buf.writeInt32BE(n, this.offset);
  }
  int64(n: bigint): void {
    this.offset = this.buf.writeBigInt64BE(n, this.offset);
  }
  /** A zigzag varint (Kafka's `ByteUtils.writeVarint`/`writeVarlong`) of a safe integer. */
  varint(n: number): void {
    let z = zigzag(n);
    while (z >= 128) {
      this.buf[this.offset++] = (z % 128) | 0x80;
      z = Math.floor(z / 128);
    }
    this.buf[this.offset++] = z;
  }
  /** Text or bytes of known `length` (-1: null), after a varint of it. */
  varBytes(data: Buffer | string | null | undefined, length: number): void {
    this.varint(length);
    if (length <= 0) return;
    if (typeof data === "string") this.offset += this.buf.write(data, this.offset, length, "utf8");
    else this.offset += (data as Buffer).copy(this.buf, this.offset);
  }
  string(text: string | null): void {
    if (text === null) {
      this.int16(-1);
      return;
    }
    const length = Buffer.byteLength(text, "utf8");
    this.int16(length);
    this.offset += this.buf.write(text, this.offset, length, "utf8");
  }
}

/** Bytes of one record's body: everything after its length varint. */
function recordBody(message: ProduceMessage, offsetDelta: number, timestampDelta: number): number {
  const keyLength = lengthOf(message.key);
  const valueLength = lengthOf(message.value);
  let size = 1 + varintSize(timestampDelta) + varintSize(offsetDelta);
  size += varintSize(keyLength) + Math.max(keyLength, 0) + varintSize(valueLength) + Math.max(valueLength, 0);
  let headers = 0;
  if (message.headers !== undefined)
    eachHeader(message, (name, value) => {
      headers++;
      const nameLength = Buffer.byteLength(name, "utf8");
      const valueLength = lengthOf(value);
      size += varintSize(nameLength) + nameLength + varintSize(valueLength) + Math.max(valueLength, 0);
    });
  return size + varintSize(headers);
}

/** A message's timestamp in ms: its own, or `now`. */
function timestampOf(message: ProduceMessage, now: number): number {
  const t = message.timestamp;
  if (t === undefined || t === null) return now;
  const ms = Number(t);
  if (!Number.isSafeInteger(ms)) throw new TypeError(`gokac: record timestamp ${String(t)} is not an integer number of ms`);
  return ms;
}

/**
 * The body of an uncompressed Produce request (v3 to v7): byte for byte
 * kafkajs's when every message has a timestamp. A message without one gets
 * `now`; the batch's first and last timestamps are the smallest and largest
 * of all its messages' (kafkajs leaves those without one out of the last).
 */
export function encodeProduceRequest(args: ProduceArgs, now = Date.now()): Buffer {
  const producerId = BigInt(String(args.producerId ?? -1));
  const producerEpoch = args.producerEpoch ?? 0;
  const attributes = (args.compression ?? 0) | (args.transactionalId ? TRANSACTIONAL : 0);
  // Pass 1: sizes.
  const transactionalId = args.transactionalId ?? null;
  let size = 2 + (transactionalId === null ? 0 : Buffer.byteLength(transactionalId, "utf8")) + 2 + 4 + 4;
  const bodies: number[] = [];
  const firsts: number[] = [];
  const lasts: number[] = [];
  for (const topic of args.topicData) {
    size += 2 + Buffer.byteLength(topic.topic, "utf8") + 4;
    for (const partition of topic.partitions) {
      let first = Infinity;
      let last = -Infinity;
      for (const m of partition.messages) {
        const t = timestampOf(m, now);
        if (t < first) first = t;
        if (t > last) last = t;
      }
      if (partition.messages.length === 0) first = last = now;
      firsts.push(first);
      lasts.push(last);
      size += 4 + 4 + BATCH_PREFIX + BATCH_FIELDS;
      partition.messages.forEach((m, i) => {
        const body = recordBody(m, i, timestampOf(m, now) - first);
        bodies.push(body);
        size += varintSize(body) + body;
      });
    }
  }
  // Pass 2: bytes.
  const w = new Writer(Buffer.allocUnsafe(size));
  w.string(transactionalId);
  w.int16(args.acks);
  w.int32(args.timeout);
  w.int32(args.topicData.length);
  let batch = 0;
  let record = 0;
  for (const topic of args.topicData) {
    w.string(topic.topic);
    w.int32(topic.partitions.length);
    for (const partition of topic.partitions) {
      const first = firsts[batch]!;
      const last = lasts[batch++]!;
      w.int32(partition.partition);
      const sizeAt = w.offset;
      w.offset += 4;
      const batchStart = w.offset;
      w.int64(0n);
      const lengthAt = w.offset;
      w.offset += 4;
      w.int32(0); // partition leader epoch (the broker sets it)
      w.int8(MAGIC);
      const crcAt = w.offset;
      w.offset += 4;
      const crcFrom = w.offset;
      w.int16(attributes);
      w.int32(partition.messages.length - 1);
      w.int64(BigInt(first));
      w.int64(BigInt(last));
      w.int64(producerId);
      w.int16(producerEpoch);
      w.int32(partition.firstSequence ?? 0);
      w.int32(partition.messages.length);
      partition.messages.forEach((m, i) => {
        w.varint(bodies[record++]!);
        w.int8(0);
        w.varint(timestampOf(m, now) - first);
        w.varint(i);
        w.varBytes(m.key, lengthOf(m.key));
        w.varBytes(m.value, lengthOf(m.value));
        if (m.headers === undefined) {
          w.varint(0);
          return;
        }
        let headers = 0;
        eachHeader(m, () => headers++);
        w.varint(headers);
        eachHeader(m, (name, value) => {
          w.varBytes(name, Buffer.byteLength(name, "utf8"));
          w.varBytes(value, lengthOf(value));
        });
      });
      w.buf.writeInt32BE(w.offset - batchStart, sizeAt);
      w.buf.writeInt32BE(w.offset - lengthAt - 4, lengthAt);
      w.buf.writeUInt32BE(crc32cBytes(w.buf, crcFrom, w.offset), crcAt);
    }
  }
  if (w.offset !== size) throw new Error(`gokac: produce request encoded to ${w.offset} bytes, sized ${size}`);
  return w.buf;
}

const PRODUCE = 0;
const NONE = 0;

/** A kafkajs request builder: what its `broker.produce` sends. */
export type RequestBuilder = (args: ProduceArgs) => { request: { apiVersion: number; encode(): Promise<unknown> }; response: unknown };

/** kafkajs's Produce request `build` makes, its body encoded by `encodeProduceRequest` when uncompressed (v3 to v7). */
export function leanProduceBuilder(build: RequestBuilder): RequestBuilder {
  return (args) => {
    const built = build(args);
    const version = built.request.apiVersion;
    if ((args.compression ?? NONE) !== NONE || version < 3 || version > 7) return built;
    // kafkajs frames what `encode` gives through its `buf` and `buffer` (an Encoder's).
    const encode = () => {
      const buf = encodeProduceRequest(args);
      return Promise.resolve({ buf, buffer: buf });
    };
    return { ...built, request: { ...built.request, encode } };
  };
}

/** Makes the producers `kafka` creates from now on send uncompressed records encoded by `encodeProduceRequest`. */
export function leanProduces(kafka: Kafka): void {
  swapRequestBuilder<RequestBuilder>(kafka, "produce", PRODUCE, leanProduceBuilder);
}
