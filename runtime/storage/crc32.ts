/**
 * CRC-32 (IEEE 802.3, the one of zlib and `node:zlib`'s `crc32`) computed in
 * JavaScript, for the checksums of level-storage.ts. A stored entry's key is
 * a short string and its value a few bytes: for those, a table lookup per
 * byte costs less than `zlib.crc32`'s two native calls (one of them encoding
 * the key to UTF-8 first), and recovery seals millions of entries (issue 15).
 * Results are bit for bit those of `zlib.crc32(data, previous)`.
 *
 * `crc32cBytes` is CRC-32C (Castagnoli), which Kafka's record batches carry
 * (produce-encoder.ts).
 */

/** The byte table of a reflected CRC-32 with polynomial `poly`. */
function crcTable(poly: number): Int32Array {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? poly ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
}

const TABLE = crcTable(0xedb88320);
/** CRC-32C (Castagnoli), the checksum of Kafka's record batches. */
const TABLE_C = crcTable(0x82f63b78);

const utf8 = new TextEncoder();

/** The reflected CRC of `bytes` from `start` to `end` with `table`, continuing from `previous`. */
function crcBytes(table: Int32Array, bytes: Uint8Array, previous: number, start: number, end: number): number {
  let c = ~previous;
  for (let i = start; i < end; i++) c = table[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/** `zlib.crc32(bytes.subarray(start, end), previous)`. */
export function crc32Bytes(bytes: Uint8Array, previous = 0, start = 0, end = bytes.length): number {
  return crcBytes(TABLE, bytes, previous, start, end);
}

/** `zlib.crc32(text, previous)`: the CRC-32 of the UTF-8 bytes of `text`. */
export function crc32String(text: string, previous = 0): number {
  let c = ~previous;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // Anything but ASCII: its UTF-8 bytes from the encoder (keys are ASCII almost always).
    if (code >= 0x80) return crc32Bytes(utf8.encode(text.slice(i)), ~c >>> 0);
    c = TABLE[(c ^ code) & 0xff]! ^ (c >>> 8);
  }
  return ~c >>> 0;
}

/** The CRC-32C (Castagnoli) of `bytes.subarray(start, end)`, as Kafka's `Crc32C` computes it. */
export function crc32cBytes(bytes: Uint8Array, start = 0, end = bytes.length): number {
  return crcBytes(TABLE_C, bytes, 0, start, end);
}
