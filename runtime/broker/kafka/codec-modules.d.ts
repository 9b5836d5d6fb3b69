/** Types of the untyped pure-JS compression packages compression.ts uses (only what it calls). */
declare module "snappyjs" {
  /** Raw Snappy block decompression; returns the type it was given. */
  export function uncompress(input: Uint8Array, maxLength?: number): Uint8Array;
  /** Raw Snappy block compression; returns the type it was given. */
  export function compress(input: Uint8Array): Uint8Array;
}

declare module "lz4js" {
  /** Decompresses one LZ4 frame. */
  export function decompress(input: Uint8Array, maxSize?: number): Uint8Array;
  /** Compresses into one LZ4 frame. */
  export function compress(input: Uint8Array, maxSize?: number): Uint8Array;
}
