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

/**
 * A decoded value as JSON for printing: bytes as a UTF-8 string, and bigints
 * (int64) as JSON number literals with every digit. The choice: JSON numbers
 * have no size limit, so `12345678901234567890` is exact for jq, for Python
 * and for `gokac emit` (which reads int64 back as bigint); only a reader that
 * parses into doubles rounds it, and a string would lie about the type.
 */
export function toCliJson(value: unknown): string {
  if (value === undefined) return "null";
  if (value instanceof Uint8Array) return JSON.stringify(new TextDecoder().decode(value));
  return stringify(value) ?? "null";
}

/** JSON.stringify with bigints as exact number literals (undefined where JSON.stringify omits the value). */
function stringify(value: unknown): string | undefined {
  if (typeof value === "bigint") return value.toString();
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  const withJson = value as { toJSON?: () => unknown };
  if (typeof withJson.toJSON === "function") return stringify(withJson.toJSON());
  if (Array.isArray(value)) return `[${value.map((v) => stringify(v) ?? "null").join(",")}]`;
  const fields: string[] = [];
  for (const [k, v] of Object.entries(value)) {
    const text = stringify(v);
    if (text !== undefined) fields.push(`${JSON.stringify(k)}:${text}`);
  }
  return `{${fields.join(",")}}`;
}
