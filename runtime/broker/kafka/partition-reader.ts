/**
 * Reads one partition from an offset without a consumer group: Fetch
 * requests sent straight to the partition's leader through kafkajs's internal
 * cluster (why: see kafkajs-internals.ts). Used for table recovery, joins and
 * views.
 */
import type { BrokerMessage, PartitionReader } from "../port.js";
import type { InternalCluster, InternalMessage } from "./kafkajs-internals.js";
import { toBrokerMessage } from "./messages.js";

/** The oldest offset still in a partition's log and its high watermark. */
export type PartitionBounds = (topic: string, partition: number) => Promise<{ low: number; high: number }>;

/** What a partition reader reads and how patiently. */
export interface PartitionReaderOptions {
  /** A cluster of the reader's own: Kafka answers one request per connection at a time, so readers don't share (long polls would queue). Closed with the reader. */
  readonly cluster: InternalCluster;
  readonly topic: string;
  readonly partition: number;
  /** Where to start; clamped into `[low, high]` of the log. */
  readonly offset: number;
  readonly bounds: PartitionBounds;
  /** How long fetches may keep failing (leader moves, broker restarts) before `next` rejects. */
  readonly failAfterMs?: number;
  /** Per-fetch byte limit for the partition. */
  readonly maxBytes?: number;
}

const READ_UNCOMMITTED = 0;

function errorType(error: unknown): string | undefined {
  return typeof error === "object" && error !== null && "type" in error && typeof error.type === "string" ? error.type : undefined;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Creates a reader positioned at `options.offset` (clamped to the log's
 * bounds). `next` returns the messages of one Fetch at or after the position
 * (tombstones included, control records skipped) and advances past them.
 */
export async function createPartitionReader(options: PartitionReaderOptions): Promise<PartitionReader> {
  const { cluster, topic, partition, bounds } = options;
  const failAfterMs = options.failAfterMs ?? 30_000;
  const maxBytes = options.maxBytes ?? 4 * 1024 * 1024;
  await cluster.connect();
  await cluster.addTargetTopic(topic);
  const { low, high } = await bounds(topic, partition);
  let position = Math.max(low, Math.min(options.offset, high));
  let closed = false;

  async function fetchOnce(maxWaitMs: number): Promise<InternalMessage[]> {
    const leader = cluster.findTopicPartitionMetadata(topic).find((p) => p.partitionId === partition)?.leader;
    if (leader === undefined || leader < 0) throw Object.assign(new Error(`no leader for ${topic}/${partition}`), { type: "LEADER_NOT_AVAILABLE" });
    const broker = await cluster.findBroker({ nodeId: leader });
    const { responses } = await broker.fetch({
      replicaId: -1,
      isolationLevel: READ_UNCOMMITTED,
      maxWaitTime: maxWaitMs,
      minBytes: 1,
      maxBytes,
      topics: [{ topic, partitions: [{ partition, fetchOffset: String(position), maxBytes }] }],
    });
    const messages: InternalMessage[] = [];
    for (const r of responses) {
      for (const p of r.partitions) if (p.partition === partition) for (const m of p.messages) messages.push(m);
    }
    return messages;
  }

  return {
    async next(maxWaitMs: number): Promise<BrokerMessage[]> {
      if (closed) throw new Error(`gokac: reader of ${topic}/${partition} is closed`);
      const giveUpAt = Date.now() + failAfterMs;
      for (let attempt = 0; ; attempt++) {
        try {
          const raw = await fetchOnce(Math.max(0, Math.floor(maxWaitMs)));
          // One pass: a fetch returns whole record batches, so skip what lies before the position, and control records.
          const from = position;
          const out: BrokerMessage[] = [];
          for (const m of raw) {
            const offset = Number(m.offset);
            if (offset < from) continue;
            position = offset + 1;
            if (m.isControlRecord !== true) out.push(toBrokerMessage(topic, partition, m));
          }
          return out;
        } catch (error) {
          if (errorType(error) === "OFFSET_OUT_OF_RANGE") {
            // Retention or compaction removed the position's messages: continue at the oldest one kept.
            const now = await bounds(topic, partition);
            position = Math.max(now.low, Math.min(position, now.high));
            continue;
          }
          if (closed || Date.now() > giveUpAt) throw error;
          await sleep(Math.min(1_000, 100 * 2 ** Math.min(attempt, 4)));
          await cluster.refreshMetadata().catch(() => undefined);
        }
      }
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await cluster.disconnect();
    },
  };
}
