/**
 * gokac's built-in codecs for scalar values, byte-compatible with the usual
 * Kafka (Java) serializers so topics can be shared with other clients.
 */
import type { Codec } from "./codec.js";

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8", { fatal: true });

// One scratch buffer for fixed-size values: decoding copies into it, encoding copies out of it,
// sparing a DataView per value on the hot path (codecs are synchronous, so sharing is safe).
const scratchBytes = new Uint8Array(8);
const scratch = new DataView(scratchBytes.buffer);
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function fixedView(data: Uint8Array, size: number, name: string): DataView {
  if (data.byteLength !== size) throw new RangeError(`${name}: expected ${size} bytes, got ${data.byteLength}`);
  scratchBytes.set(data);
  return scratch;
}

/** UTF-8 text; decoding rejects malformed UTF-8. */
export const stringCodec: Codec<string> = {
  name: "string",
  encode: (value) => utf8Encoder.encode(value),
  decode: (data) => utf8Decoder.decode(data),
};

/** A 64-bit signed integer as 8 bytes big-endian two's complement (Java's `LongSerializer`), as a bigint. */
export const int64Codec: Codec<bigint> = {
  name: "int64",
  encode(value) {
    if (typeof value !== "bigint") throw new TypeError(`int64: expected a bigint, got ${typeof value}`);
    if (value < INT64_MIN || value > INT64_MAX) throw new RangeError(`int64: ${value} is out of range`);
    scratch.setBigInt64(0, value, false);
    return scratchBytes.slice(0, 8);
  },
  decode: (data) => fixedView(data, 8, "int64").getBigInt64(0, false),
};

/** A 64-bit IEEE 754 float as 8 bytes big-endian (Java's `DoubleSerializer`). */
export const float64Codec: Codec<number> = {
  name: "float64",
  encode(value) {
    if (typeof value !== "number") throw new TypeError(`float64: expected a number, got ${typeof value}`);
    scratch.setFloat64(0, value, false);
    return scratchBytes.slice(0, 8);
  },
  decode: (data) => fixedView(data, 8, "float64").getFloat64(0, false),
};

/** One byte: 1 for true, 0 for false (Java's `BooleanSerializer`); decoding accepts only 0 and 1. */
export const booleanCodec: Codec<boolean> = {
  name: "boolean",
  encode(value) {
    if (typeof value !== "boolean") throw new TypeError(`boolean: expected a boolean, got ${typeof value}`);
    return Uint8Array.of(value ? 1 : 0);
  },
  decode(data) {
    const byte = fixedView(data, 1, "boolean").getUint8(0);
    if (byte > 1) throw new RangeError(`boolean: byte ${byte} is neither 0 nor 1`);
    return byte === 1;
  },
};

/**
 * Raw bytes, unchanged. Both directions copy, so a value never shares memory
 * with the message or store bytes: a handler changing an array after `emit` or
 * `setValue`, or one it read, cannot change what is sent or stored.
 */
export const bytesCodec: Codec<Uint8Array> = {
  name: "bytes",
  encode(value) {
    if (!(value instanceof Uint8Array)) throw new TypeError("bytes: expected a Uint8Array");
    return value.slice();
  },
  decode: (data) => data.slice(),
};

/** Any JSON value (UTF-8 JSON text); values that JSON cannot represent are rejected on encode. */
export const jsonCodec: Codec<unknown> = {
  name: "json",
  encode(value) {
    const text = JSON.stringify(value);
    if (text === undefined) throw new TypeError(`json: ${typeof value} has no JSON representation`);
    return utf8Encoder.encode(text);
  },
  decode: (data) => JSON.parse(utf8Decoder.decode(data)) as unknown,
};
