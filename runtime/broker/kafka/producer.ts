/** The port's Producer over a kafkajs producer: explicit partitions, acks from all in-sync replicas. */
import type { Kafka, RecordMetadata, TopicMessages } from "kafkajs";
import type { Compression, ProduceRecord, ProducedOffset, Producer } from "../port.js";
import { CODEC_IDS } from "./compression.js";
import { toKafkaMessage } from "./messages.js";
import { partitionedMessages } from "./partitioned-messages.js";
import type { OutageGuard } from "./outage.js";

/**
 * Records per kafkajs `sendBatch` call. kafkajs groups a batch's messages per
 * partition by copying the partition's array for every message, which is
 * quadratic: 20k records for one partition take seconds, 1k take well under a
 * millisecond (its grouping is now replaced by a linear one,
 * partitioned-messages.ts; the chunks also keep a request's size bounded).
 * Larger sends go out as consecutive chunks, one after the other, so the
 * order within each partition is kept.
 */
export const MAX_RECORDS_PER_REQUEST = 1_000;

/**
 * Connects a producer. `send` groups records by topic (order within each
 * partition kept), sends them in one request per broker with `acks=-1`
 * (chunked, see `MAX_RECORDS_PER_REQUEST`), and maps each partition's base
 * offset back to the records in input order. Each topic's records are
 * compressed as `compression` says (one request per codec in use, sent
 * together: a partition belongs to one topic, so its order is kept). With
 * `outage`, a send that fails because the cluster is unreachable is retried
 * until the outage allowance is spent (a retry may write records twice:
 * at-least-once). kafkajs's own retries back off at most 500 ms: a write to
 * a killed broker's partition goes to the new leader within that of the
 * metadata naming it, not up to 2 s later.
 */
export async function createKafkaProducer(
  kafka: Kafka,
  compression: Readonly<Record<string, Compression>> = {},
  outage?: OutageGuard,
): Promise<Producer> {
  const producer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 500 } });
  await producer.connect();
  let closed = false;
  return {
    async send(records: readonly ProduceRecord[]): Promise<ProducedOffset[]> {
      if (closed) throw new Error("gokac: send on a closed Kafka producer");
      return sendInChunks(records, compression, (batches) => {
        const request = () => Promise.all(batches.map((b) => producer.sendBatch({ ...b, acks: -1 })));
        return outage === undefined ? request() : settleWithin(outage, outage.retry("producer", request));
      });
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await producer.disconnect();
    },
  };
}

/**
 * `sending`, or a `BrokerUnreachableError` once it went unacknowledged for
 * the outage allowance: a send always settles, even when a kafkajs request
 * never does (retries of failing requests are bounded by `outage.retry`, a
 * request left hanging is not).
 */
export async function settleWithin<T>(outage: OutageGuard, sending: Promise<T>): Promise<T> {
  const started = Date.now();
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new Error(`no acknowledgement within ${outage.maxOutageMs} ms`);
      reject(outage.exceeded("producer", started, error) ?? error);
    }, outage.maxOutageMs);
  });
  try {
    return await Promise.race([sending, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** One `sendBatch` request's worth of records: a codec and its topics' messages. */
export interface CodecBatch {
  readonly topicMessages: TopicMessages[];
  readonly compression: number;
}

/**
 * Sends `records` through `request` in chunks of `MAX_RECORDS_PER_REQUEST`,
 * one after the other (order per partition kept), each chunk as one batch per
 * codec; resolves with each record's offset in input order.
 */
export async function sendInChunks(
  records: readonly ProduceRecord[],
  compression: Readonly<Record<string, Compression>>,
  request: (batches: CodecBatch[]) => Promise<RecordMetadata[][]>,
): Promise<ProducedOffset[]> {
  if (records.length <= MAX_RECORDS_PER_REQUEST) return sendChunk(records, compression, request);
  const offsets: ProducedOffset[] = [];
  for (let from = 0; from < records.length; from += MAX_RECORDS_PER_REQUEST) {
    offsets.push(...(await sendChunk(records.slice(from, from + MAX_RECORDS_PER_REQUEST), compression, request)));
  }
  return offsets;
}

/**
 * How often a chunk's records of partitions kafkajs left unacknowledged are
 * sent again before the send fails. kafkajs (2.2.4; tulios/kafkajs#1303)
 * keeps, across its own retries, the answers of brokers that already
 * answered and skips them: when a partition's leader moved to such a broker
 * meanwhile (a killed broker's partitions), that partition's records are
 * never sent, yet the send resolves. Its answer then has no offset for it.
 */
export const MAX_RESENDS = 5;

/** One chunk: resolves with each record's offset in input order; records of partitions left out of kafkajs's answer are sent again. */
async function sendChunk(
  records: readonly ProduceRecord[],
  compression: Readonly<Record<string, Compression>>,
  request: (batches: CodecBatch[]) => Promise<RecordMetadata[][]>,
): Promise<ProducedOffset[]> {
  if (records.length === 0) return [];
  // Position of each record within its topic-partition, to find its offset from the base offset.
  const indexInPartition = new Array<number>(records.length);
  const counts: PerPartition = new Map();
  for (let i = 0; i < records.length; i++) {
    const { topic, partition } = records[i]!;
    const n = counts.get(topic)?.get(partition) ?? 0;
    indexInPartition[i] = n;
    setFor(counts, topic, partition, n + 1);
  }
  const base: PerPartition = new Map();
  // A partition is answered whole or not at all: the records still pending are every record of the partitions not answered.
  let pending = records;
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt > MAX_RESENDS) {
      const first = pending[0]!;
      throw new Error(`gokac: Kafka acknowledged no offset for ${first.topic}/${first.partition} after ${MAX_RESENDS} resends`);
    }
    const sent = await request(codecBatches(pending, compression));
    for (const m of sent.flat()) {
      if (m.baseOffset !== undefined && base.get(m.topicName)?.has(m.partition) !== true)
        setFor(base, m.topicName, m.partition, Number(m.baseOffset));
    }
    pending = pending.filter((record) => base.get(record.topic)?.has(record.partition) !== true);
  }
  return records.map((record, i) => ({
    topic: record.topic,
    partition: record.partition,
    offset: base.get(record.topic)!.get(record.partition)! + indexInPartition[i]!,
  }));
}

/** A number per topic-partition (a chunk's record counts, its base offsets), without a string per record. */
type PerPartition = Map<string, Map<number, number>>;

function setFor(map: PerPartition, topic: string, partition: number, value: number): void {
  let byPartition = map.get(topic);
  if (byPartition === undefined) map.set(topic, (byPartition = new Map()));
  byPartition.set(partition, value);
}

/** `records` as one kafkajs batch per codec in use, each topic's messages in input order. */
function codecBatches(records: readonly ProduceRecord[], compression: Readonly<Record<string, Compression>>): CodecBatch[] {
  const byTopic = new Map<string, TopicMessages>();
  for (const record of records) {
    let entry = byTopic.get(record.topic);
    if (entry === undefined) byTopic.set(record.topic, (entry = { topic: record.topic, messages: partitionedMessages() }));
    entry.messages.push(toKafkaMessage(record));
  }
  const byCodec = new Map<number, TopicMessages[]>();
  for (const entry of byTopic.values()) {
    const codec = CODEC_IDS[(Object.hasOwn(compression, entry.topic) ? compression[entry.topic] : undefined) ?? "none"];
    byCodec.set(codec, [...(byCodec.get(codec) ?? []), entry]);
  }
  return [...byCodec].map(([codec, topicMessages]) => ({ topicMessages, compression: codec }));
}
