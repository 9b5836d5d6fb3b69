/** Conversions between kafkajs's message shapes and the broker port's. */
import { isUtf8 } from "node:buffer";
import type { IHeaders, KafkaMessage, Message } from "kafkajs";
import type { BrokerMessage, ProduceRecord } from "../port.js";
import type { InternalMessage } from "./kafkajs-internals.js";

const EMPTY = new Uint8Array(0);
/** Shared by every message without headers: one object less per record (frozen, as the port's headers are read-only). */
const NO_HEADERS: Readonly<Record<string, Uint8Array>> = Object.freeze({});

function bytes(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

function headersOf(raw: IHeaders | InternalMessage["headers"] | undefined): Readonly<Record<string, Uint8Array>> {
  if (raw === undefined) return NO_HEADERS;
  let headers: Record<string, Uint8Array> | undefined;
  for (const name in raw) {
    if (!Object.hasOwn(raw, name)) continue;
    const value = raw[name];
    // Kafka allows repeated header names; kafkajs gives them as an array. The port keeps the last, as Java's lastHeader.
    const last: Buffer | string | null | undefined = Array.isArray(value) ? value[value.length - 1] : value;
    if (last === undefined) continue;
    headers ??= {};
    // A null header value (legal in Kafka, common from Java) reads as empty, as in the lean decoder.
    headers[name] = last === null ? EMPTY : typeof last === "string" ? new TextEncoder().encode(last) : bytes(last);
  }
  return headers ?? NO_HEADERS;
}

/** A fetched kafkajs message as a port message; a key that is not UTF-8 is kept as `invalidKey` (see the port). */
export function toBrokerMessage(topic: string, partition: number, message: KafkaMessage | InternalMessage): BrokerMessage {
  const key = message.key;
  const converted: BrokerMessage = {
    topic,
    partition,
    offset: Number(message.offset),
    key: key === null || key === undefined ? "" : key.toString("utf8"),
    value: message.value === null || message.value === undefined ? null : message.value.length === 0 ? EMPTY : bytes(message.value),
    headers: headersOf(message.headers),
    timestamp: Number(message.timestamp),
  };
  if (key === null || key === undefined) return { ...converted, nullKey: true };
  return isUtf8(key) ? converted : { ...converted, invalidKey: Uint8Array.from(key) };
}

/** A port record as a kafkajs message (partition explicit; the client's partitioner never runs). */
export function toKafkaMessage(record: ProduceRecord): Message {
  const message: Message = {
    // Text: both encoders write it as UTF-8 (produce-encoder.ts, and kafkajs's for compressed batches), sparing a buffer per record.
    key: record.key,
    value: record.value === null ? null : Buffer.from(record.value.buffer, record.value.byteOffset, record.value.byteLength),
    partition: record.partition,
  };
  if (record.headers !== undefined) {
    const headers: IHeaders = {};
    for (const [name, value] of Object.entries(record.headers)) {
      headers[name] = typeof value === "string" ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    }
    message.headers = headers;
  }
  if (record.timestamp !== undefined) message.timestamp = String(record.timestamp);
  return message;
}
