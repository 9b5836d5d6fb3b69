/**
 * gokac's built-in codecs for scalar values, byte-compatible with the usual
 * Kafka (Java) serializers so topics can be shared with other clients.
 */
import type { Codec } from "./codec.js";

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder("utf-8", { fatal: true });

function fixedView(data: Uint8Array, size: number, name: string): DataView {
  if (data.byteLength !== size) throw new RangeError(`${name}: expected ${size} bytes, got ${data.byteLength}`);
  return new DataView(data.buffer, data.byteOffset, data.byteLength);
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
    if (value < -(2n ** 63n) || value >= 2n ** 63n) throw new RangeError(`int64: ${value} is out of range`);
    const out = new Uint8Array(8);
    new DataView(out.buffer).setBigInt64(0, value, false);
    return out;
  },
  decode: (data) => fixedView(data, 8, "int64").getBigInt64(0, false),
};

/** A 64-bit IEEE 754 float as 8 bytes big-endian (Java's `DoubleSerializer`). */
export const float64Codec: Codec<number> = {
  name: "float64",
  encode(value) {
    if (typeof value !== "number") throw new TypeError(`float64: expected a number, got ${typeof value}`);
    const out = new Uint8Array(8);
    new DataView(out.buffer).setFloat64(0, value, false);
    return out;
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

/** Raw bytes, passed through unchanged. */
export const bytesCodec: Codec<Uint8Array> = {
  name: "bytes",
  encode(value) {
    if (!(value instanceof Uint8Array)) throw new TypeError("bytes: expected a Uint8Array");
    return value;
  },
  decode: (data) => data,
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
