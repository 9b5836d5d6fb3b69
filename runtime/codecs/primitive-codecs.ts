/**
 * gokac's built-in codecs for scalar values, byte-compatible with the usual
 * Kafka (Java) serializers so topics can be shared with other clients.
 */
import { GokacError } from "../errors.js";
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

/** A value JSON cannot carry as it is: refused rather than stored or sent changed. */
export class UnrepresentableValueError extends GokacError {
  override readonly name = "UnrepresentableValueError";
  declare readonly code: "UNREPRESENTABLE_VALUE";
  /** `path` is a JSON pointer to the offending part of the value (`""` for the value itself). */
  constructor(
    readonly path: string,
    readonly reason: "non-finite-number" | "no-json-representation" | "inexact-integer",
    detail: string,
  ) {
    super(`json: ${path === "" ? "the value" : path} ${detail}`, { code: "UNREPRESENTABLE_VALUE" });
  }
}

/**
 * Where `JSON.stringify` wrote `null` for something that is not null: a
 * non-finite number (NaN, ±Infinity) anywhere, or `undefined`/a function/a
 * symbol as an array item. Only called when the text contains `null`.
 */
function findLossyPart(value: unknown, path: string, seen: Set<object>): UnrepresentableValueError | undefined {
  if (typeof value === "number") {
    return Number.isFinite(value)
      ? undefined
      : new UnrepresentableValueError(path, "non-finite-number", `is ${value}, which JSON cannot carry`);
  }
  if (typeof value !== "object" || value === null || seen.has(value)) return undefined;
  seen.add(value);
  const json = (value as { toJSON?: unknown }).toJSON;
  if (typeof json === "function") return undefined; // Date and friends: their own JSON form
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      const kind = typeof item;
      if (kind === "undefined" || kind === "function" || kind === "symbol") {
        return new UnrepresentableValueError(`${path}/${i}`, "no-json-representation", `is ${kind}, which JSON would turn into null`);
      }
      const found = findLossyPart(item, `${path}/${i}`, seen);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  for (const [key, item] of Object.entries(value)) {
    const found = findLossyPart(item, `${path}/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`, seen);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** 16 or more digits in a row: the only way JSON text can hold an integer beyond 2^53 (or a long fraction). */
const LONG_DIGITS = /\d{16,}/;

/**
 * The first integer literal in JSON `text` (outside strings) that a double
 * cannot hold exactly, e.g. 9007199254740993 (it would silently become
 * 9007199254740992). Numbers with a fraction or exponent are decimal
 * approximations by nature and are left alone.
 */
function inexactInteger(text: string): string | undefined {
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) {
      inString = true;
      continue;
    }
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
      let end = i + 1;
      while (end < text.length && /[0-9.eE+-]/.test(text[end] as string)) end++;
      const literal = text.slice(i, end);
      i = end - 1;
      if (!/^-?\d{16,}$/.test(literal)) continue;
      if (BigInt(literal) !== BigInt(Number(literal))) return literal;
    }
  }
  return undefined;
}

/**
 * Any JSON value (UTF-8 JSON text). Encoding refuses what JSON would change:
 * non-finite numbers (JSON.stringify writes `null`), `undefined` array items,
 * values with no JSON form, bigints. Decoding refuses integers a double
 * cannot hold exactly instead of rounding them (use int64 or a string for
 * such numbers). Both raise `UnrepresentableValueError` (a `TypeError`).
 */
export const jsonCodec: Codec<unknown> = {
  name: "json",
  encode(value) {
    let text: string | undefined;
    try {
      text = JSON.stringify(value);
    } catch (error) {
      // bigint ("Do not know how to serialize a BigInt") and cyclic values
      throw new UnrepresentableValueError("", "no-json-representation", `cannot be written as JSON (${(error as Error).message})`);
    }
    if (text === undefined)
      throw new UnrepresentableValueError("", "no-json-representation", `is ${typeof value}, which has no JSON representation`);
    if (text.includes("null")) {
      const lossy = findLossyPart(value, "", new Set());
      if (lossy !== undefined) throw lossy;
    }
    return utf8Encoder.encode(text);
  },
  decode(data) {
    const text = utf8Decoder.decode(data);
    const value = JSON.parse(text) as unknown;
    if (LONG_DIGITS.test(text)) {
      const literal = inexactInteger(text);
      if (literal !== undefined)
        throw new UnrepresentableValueError(
          "",
          "inexact-integer",
          `holds the integer ${literal}, which a JavaScript number cannot hold exactly`,
        );
    }
    return value;
  },
};
