/**
 * The benchmark's data: key names, values and the partition of a key. Every
 * contender reads the same seeded topics, so only the seeding uses these.
 */

/** The key of the `index`-th distinct key, fixed width so every message has the same size. */
export function benchKey(index: number): string {
  return `key-${index.toString().padStart(7, "0")}`;
}

/** The input value of message `i`: small positive int64s, so sums stay exact. */
export function benchValue(i: number): bigint {
  return BigInt((i % 7) + 1);
}

/** An int64 as Kafka's LongSerializer writes it: 8 bytes, big-endian two's complement. */
export function encodeInt64(value: bigint): Buffer {
  const buf = Buffer.allocUnsafe(8);
  buf.writeBigInt64BE(value);
  return buf;
}

/**
 * Goka's default partitioner: FNV-1a 32 of the key bytes, read as a signed
 * int32, absolute value, modulo the partition count. Seeding with it puts
 * every key where a Goka emitter would.
 */
export function partitionOf(key: string, partitions: number): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(key, "utf8")) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  const signed = hash | 0;
  return Math.abs(signed) % partitions;
}
