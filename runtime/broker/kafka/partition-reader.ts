/**
 * Reads one partition from an offset without a consumer group: Fetch
 * requests sent straight to the partition's leader through kafkajs's internal
 * cluster (why: see kafkajs-internals.ts). Used for table recovery, joins and
 * views.
 */
import { logOfMessages, type BrokerMessage, type LogChunk, type PartitionReader } from "../port.js";
import {
  decodeLog,
  decodeMessages,
  NeedsFullDecoder,
  parseFetchResponse,
  RecordDecodeError,
  type AbortedTransaction,
} from "./fetch-decoder.js";
import { decodeFetchFully, fetchRaw, protocolError, type InternalCluster } from "./kafkajs-internals.js";
import { toBrokerMessage } from "./messages.js";
import { isOutageError, type OutageGuard } from "./outage.js";

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
  /** With it, fetches failing because the cluster is unreachable are retried for its allowance (instead of `failAfterMs`), then fail with `BrokerUnreachableError`. */
  readonly outage?: OutageGuard;
  /** Per-fetch byte limit for the partition (4 MiB by default); a function is asked before every fetch (a shared `ReaderBudget`). */
  readonly maxBytes?: number | (() => number);
}

function errorType(error: unknown): string | undefined {
  return typeof error === "object" && error !== null && "type" in error && typeof error.type === "string" ? error.type : undefined;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Creates a reader positioned at `options.offset` (clamped to the log's
 * bounds). `next` returns the messages of one Fetch at or after the position
 * (tombstones included, control records and aborted transactions skipped:
 * reads are read committed, up to the last stable offset) and advances past them;
 * `nextLog` the same as keys and values only (fetch-decoder.ts).
 */
export async function createPartitionReader(options: PartitionReaderOptions): Promise<PartitionReader> {
  const { cluster, topic, partition, bounds } = options;
  const failAfterMs = options.failAfterMs ?? 30_000;
  const limit = options.maxBytes ?? 4 * 1024 * 1024;
  const maxBytes = typeof limit === "number" ? () => limit : limit;
  await cluster.connect();
  await cluster.addTargetTopic(topic);
  const { low, high } = await bounds(topic, partition);
  let position = Math.max(low, Math.min(options.offset, high));
  let closed = false;

  /** One Fetch from the position: the partition's record batches, still encoded; throws its error code as kafkajs would. */
  async function fetchOnce(
    maxWaitMs: number,
  ): Promise<{ payload: Buffer; records: Buffer | null; aborted: readonly AbortedTransaction[] }> {
    const leader = cluster.findTopicPartitionMetadata(topic).find((p) => p.partitionId === partition)?.leader;
    if (leader === undefined || leader < 0)
      throw Object.assign(new Error(`no leader for ${topic}/${partition}`), { type: "LEADER_NOT_AVAILABLE", retriable: true });
    const broker = await cluster.findBroker({ nodeId: leader });
    const payload = await fetchRaw(broker, { topic, partition, offset: position, maxWaitMs, maxBytes: maxBytes() });
    const fetched = parseFetchResponse(payload, topic, partition);
    if (fetched === undefined) return { payload, records: null, aborted: [] };
    if (fetched.errorCode !== 0) throw protocolError(fetched.errorCode);
    return { payload, records: fetched.records, aborted: fetched.aborted };
  }

  /** Fetches (retrying what can be retried) and decodes with `decode`; advances the position to what it returns. */
  async function read<T extends { next: number }>(
    maxWaitMs: number,
    decode: (records: Buffer | null, payload: Buffer, from: number, aborted: readonly AbortedTransaction[]) => Promise<T> | T,
  ): Promise<T> {
    if (closed) throw new Error(`gokac: reader of ${topic}/${partition} is closed`);
    const giveUpAt = Date.now() + failAfterMs;
    let since: number | undefined;
    for (let attempt = 0; ; attempt++) {
      const started = Date.now();
      try {
        const { payload, records, aborted } = await fetchOnce(Math.max(0, Math.floor(maxWaitMs)));
        const result = await decode(records, payload, position, aborted);
        position = Math.max(position, result.next);
        return result;
      } catch (error) {
        if (error instanceof RecordDecodeError) {
          // The same bytes would come again: no retry. Named as every failure is: topic, partition, offset, key.
          throw new RecordDecodeError(
            error.offset,
            error.key,
            `${topic}/${partition}@${error.offset} key ${JSON.stringify(error.key)}: ${error.message}`,
            { cause: error },
          );
        }
        if (errorType(error) === "OFFSET_OUT_OF_RANGE") {
          // Retention or compaction removed the position's messages: continue at the oldest one kept.
          const now = await bounds(topic, partition);
          position = Math.max(now.low, Math.min(position, now.high));
          continue;
        }
        if (closed) throw error;
        if (options.outage !== undefined && isOutageError(error)) {
          since ??= started;
          const stop = options.outage.exceeded(`reader of ${topic}/${partition}`, since, error);
          if (stop !== undefined) throw stop;
        } else if (Date.now() > giveUpAt) throw error;
        await sleep(Math.min(1_000, 100 * 2 ** Math.min(attempt, 4)));
        await cluster.refreshMetadata().catch(() => undefined);
      }
    }
  }

  /** kafkajs's decoding of a response the lean decoder does not handle (other compression codecs). */
  async function fullyDecoded(payload: Buffer, from: number): Promise<{ messages: BrokerMessage[]; next: number }> {
    const messages: BrokerMessage[] = [];
    let next = from;
    for (const r of await decodeFetchFully(payload)) {
      if (r.topicName !== topic) continue;
      for (const p of r.partitions) {
        if (p.partition !== partition) continue;
        // Past the records of aborted transactions too (removed from `messages`).
        if (p.lastOffset !== undefined && p.lastOffset + 1 > next) next = p.lastOffset + 1;
        for (const m of p.messages) {
          const offset = Number(m.offset);
          if (offset < from) continue;
          if (offset + 1 > next) next = offset + 1;
          if (m.isControlRecord === true) continue;
          const message = toBrokerMessage(topic, partition, m);
          if (message.invalidKey !== undefined)
            throw new RecordDecodeError(offset, message.key, `key at offset ${offset} is not valid UTF-8`);
          messages.push(message);
        }
      }
    }
    return { messages, next };
  }

  return {
    async next(maxWaitMs: number): Promise<BrokerMessage[]> {
      const { messages } = await read(maxWaitMs, async (records, payload, from, aborted) => {
        try {
          return decodeMessages(records, from, topic, partition, aborted);
        } catch (error) {
          if (error instanceof NeedsFullDecoder) return fullyDecoded(payload, from);
          throw error;
        }
      });
      return messages;
    },
    nextLog(maxWaitMs: number): Promise<LogChunk & { next: number }> {
      return read(maxWaitMs, async (records, payload, from, aborted) => {
        try {
          return decodeLog(records, from, aborted);
        } catch (error) {
          if (!(error instanceof NeedsFullDecoder)) throw error;
          const { messages, next } = await fullyDecoded(payload, from);
          return { ...logOfMessages(messages), next };
        }
      });
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await cluster.disconnect();
    },
  };
}
