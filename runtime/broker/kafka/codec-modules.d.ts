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
  /** Compresses into one LZ4 frame (dependent blocks: not for Kafka, see compression.ts). */
  export function compress(input: Uint8Array, maxSize?: number): Uint8Array;
  /** Compresses `length` bytes of `src` from `start` as one raw LZ4 block into `dst` (from 0); returns its size, 0 if not compressible. */
  export function compressBlock(src: Uint8Array, dst: Uint8Array, start: number, length: number, hashTable: Uint32Array): number;
  /** An upper bound of a block's compressed size. */
  export function compressBound(length: number): number;
}

declare module "lz4js/xxh32.js" {
  /** xxHash32 of `length` bytes of `src` from `index`. */
  export function hash(seed: number, src: Uint8Array, index: number, length: number): number;
}
