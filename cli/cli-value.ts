/**
 * Turns a value typed on the command line into the value a codec encodes:
 * JSON in general, a plain word for `string`, integers for `int64`.
 */

/** Why a command-line value was refused (exit 1). */
export class ValueError extends Error {
  override readonly name = "ValueError";
}

function json(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ValueError(`${what}: ${JSON.stringify(text)} is not valid JSON`);
  }
}

/**
 * Parses `text` for a codec named `codec` (a runtime codec's `name`):
 * `string` takes the text as is (or a JSON string literal), `int64` an
 * integer (as bigint), `float64` a number, `boolean` true/false, `bytes` the
 * text's UTF-8 bytes; every other codec (json, json:Type, custom) JSON.
 */
export function parseCliValue(codec: string, text: string): unknown {
  switch (codec) {
    case "string":
      return text.startsWith('"') ? json(text, "string") : text;
    case "int64": {
      const t = text.trim();
      if (!/^-?\d+$/.test(t)) throw new ValueError(`int64: ${JSON.stringify(text)} is not an integer`);
      const n = BigInt(t);
      if (n < -(2n ** 63n) || n >= 2n ** 63n) throw new ValueError(`int64: ${t} is out of range`);
      return n;
    }
    case "float64": {
      const n = json(text, "float64");
      if (typeof n !== "number") throw new ValueError(`float64: ${JSON.stringify(text)} is not a number`);
      return n;
    }
    case "boolean": {
      if (text === "true") return true;
      if (text === "false") return false;
      throw new ValueError(`boolean: ${JSON.stringify(text)} is neither true nor false`);
    }
    case "bytes":
      return new TextEncoder().encode(text);
    default:
      return json(text, codec);
  }
}

/** A decoded value as JSON for printing (bigint as a number literal, bytes as a UTF-8 string). */
export function toCliJson(value: unknown): string {
  if (value === undefined) return "null";
  if (value instanceof Uint8Array) return JSON.stringify(new TextDecoder().decode(value));
  return JSON.stringify(value, (_, v: unknown) => (typeof v === "bigint" ? `__bigint__${v}` : v)).replace(/"__bigint__(-?\d+)"/g, "$1");
}
