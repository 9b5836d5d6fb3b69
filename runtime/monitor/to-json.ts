/**
 * Table values as JSON for `/api/tables`: int64 values (bigints) print as
 * raw JSON numbers with every digit (exact in the text; parse them with a
 * big-number-aware parser to keep the precision), bytes as base64 strings.
 */

const MARK = "\u0000gokac-int64:";
const MARKED = /"\\u0000gokac-int64:(-?\d+)"/g;

/** `JSON.stringify` for decoded table values, with bigints as exact numbers. */
export function toJson(value: unknown, indent?: number): string {
  let bigints = false;
  const text = JSON.stringify(
    value,
    (_key, v: unknown) => {
      if (typeof v === "bigint") {
        bigints = true;
        return MARK + v.toString();
      }
      if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("base64");
      return v;
    },
    indent,
  );
  return bigints ? text.replace(MARKED, "$1") : text;
}
