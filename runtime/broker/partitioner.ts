/**
 * Where a key goes: the two partitioners a topic may declare
 * (`partitioner:` in the specs).
 *
 * - `kafka` (default): the Java client's default partitioner,
 *   `toPositive(murmur2(keyBytes)) % numPartitions`.
 * - `goka`: a default Goka (v1.x) deployment. Goka does NOT use Kafka's
 *   partitioner: its emitters and processors give sarama
 *   `NewCustomHashPartitioner(DefaultHasher)`, i.e. FNV-1a 32 of the key
 *   bytes, `int32(hash) % numPartitions` (Go's truncated remainder), made
 *   non-negative; its views find a key's partition as `|int32(hash)| % n`,
 *   which is the same partition.
 */

const SEED = 0x9747b28c;
const M = 0x5bd1e995;
const utf8 = new TextEncoder();

/** Kafka's `Utils.murmur2`: 32-bit MurmurHash2 with Kafka's seed, as a signed 32-bit integer. */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = (SEED ^ length) | 0;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const rest = length & 3;
  if (rest === 3) h ^= data[whole + 2]! << 16;
  if (rest >= 2) h ^= data[whole + 1]! << 8;
  if (rest >= 1) {
    h ^= data[whole]!;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** How a topic places keys on its partitions: Kafka's Java client (`kafka`) or a default Goka (`goka`). */
export type Partitioner = "kafka" | "goka";

/** The partitioners a spec may name, the default first. */
export const PARTITIONERS: readonly Partitioner[] = ["kafka", "goka"];

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** 32-bit FNV-1a (Go's `hash/fnv` `New32a`), as an unsigned 32-bit integer. */
export function fnv1a32(data: Uint8Array): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < data.length; i++) h = Math.imul(h ^ data[i]!, FNV_PRIME);
  return h >>> 0;
}

/**
 * The partition a (UTF-8) key gets among `partitions` with `partitioner`
 * (default `kafka`). For `goka` this is sarama's hash partitioner as Goka
 * configures it: `int32(fnv1a32) % n` made non-negative; the absolute value
 * is taken of the remainder, so -2^31 lands on `2^31 % n` as sarama puts it.
 */
export function partitionForKey(key: string | Uint8Array, partitions: number, partitioner: Partitioner = "kafka"): number {
  if (!Number.isInteger(partitions) || partitions < 1)
    throw new RangeError(`partition count must be a positive integer, got ${partitions}`);
  const bytes = typeof key === "string" ? utf8.encode(key) : key;
  if (partitioner === "goka") return Math.abs((fnv1a32(bytes) | 0) % partitions);
  return (murmur2(bytes) & 0x7fffffff) % partitions;
}
