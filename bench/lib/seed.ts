/**
 * Fills the benchmark topics: the throughput input (int64 values over a set
 * of keys) and a recovery changelog (one int64 per distinct key).
 */
import type { BenchCluster } from "./cluster.js";
import { benchKey, benchValue, encodeInt64, partitionOf } from "./keys.js";

/**
 * Records per produce request while seeding. kafkajs groups a send's records
 * by partition with an array copy per record (groupMessagesPerPartition.js),
 * quadratic in the records per partition: keep sends small.
 */
const chunk = 2_000;

interface Seeded {
  readonly messages: number;
  readonly seconds: number;
}

async function produceAll(
  cluster: BenchCluster,
  topic: string,
  partitions: number,
  count: number,
  record: (i: number) => { key: string; value: Buffer },
): Promise<Seeded> {
  const started = performance.now();
  // 1. Group records by partition, keeping their order.
  const byPartition: { key: string; value: Buffer; partition: number }[][] = Array.from({ length: partitions }, () => []);
  for (let i = 0; i < count; i++) {
    const r = record(i);
    const partition = partitionOf(r.key, partitions);
    (byPartition[partition] as { key: string; value: Buffer; partition: number }[]).push({ ...r, partition });
  }
  // 2. Send every partition's records in chunks, partitions in parallel.
  await cluster.withProducer((producer) =>
    Promise.all(
      byPartition.map(async (records) => {
        for (let from = 0; from < records.length; from += chunk) {
          await producer.send({ topic, acks: 1, messages: records.slice(from, from + chunk) });
        }
      }),
    ),
  );
  return { messages: count, seconds: (performance.now() - started) / 1000 };
}

/** The throughput input: message i has key `benchKey(i % keys)` and value `benchValue(i)`. */
export function seedInput(cluster: BenchCluster, topic: string, partitions: number, messages: number, keys: number): Promise<Seeded> {
  return produceAll(cluster, topic, partitions, messages, (i) => ({ key: benchKey(i % keys), value: encodeInt64(benchValue(i)) }));
}

/** A table changelog with `keys` distinct keys, each with one int64 value. */
export function seedTable(cluster: BenchCluster, topic: string, partitions: number, keys: number): Promise<Seeded> {
  return produceAll(cluster, topic, partitions, keys, (i) => ({ key: benchKey(i), value: encodeInt64(BigInt(i)) }));
}

/** The sum the accumulator must hold for key index `k` after consuming the seeded input. */
export function expectedSum(k: number, messages: number, keys: number): bigint {
  let sum = 0n;
  for (let i = k; i < messages; i += keys) sum += benchValue(i);
  return sum;
}
