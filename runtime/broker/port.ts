/**
 * The broker port: the one narrow interface between the processor and a Kafka
 * cluster. `memory/` implements it in-process (tester, local development),
 * `kafka/` with kafkajs. Nothing outside `runtime/broker/*` imports a client.
 *
 * Conventions: offsets are numbers (safe up to 2^53); a partition's
 * *high watermark* is the offset the next produced message will get;
 * produce always names an explicit partition (the runtime partitions keys
 * itself, see `partitioner.ts`), so tables and inputs stay copartitioned
 * whatever the client's default partitioner would do.
 */

export interface BrokerMessage {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  /** UTF-8 key bytes decoded as a string; `""` for a null key. */
  readonly key: string;
  /** Set when the key was `null` (`key` is then `""`); a group with state treats it as undecodable. Brokers that cannot tell leave it out. */
  readonly nullKey?: true;
  /**
   * Set only when the key's bytes are not valid UTF-8: the raw bytes (`key`
   * then shows them lossily, for messages only). Such a message fails to
   * decode, as an undecodable value does; it is never handled with a mangled key.
   */
  readonly invalidKey?: Uint8Array;
  /** `null` is a tombstone. */
  readonly value: Uint8Array | null;
  readonly headers: Readonly<Record<string, Uint8Array>>;
  /** Milliseconds since the epoch. */
  readonly timestamp: number;
}

export interface ProduceRecord {
  readonly topic: string;
  readonly partition: number;
  readonly key: string;
  /** `null` produces a tombstone. */
  readonly value: Uint8Array | null;
  readonly headers?: Readonly<Record<string, Uint8Array | string>>;
  /** Milliseconds since the epoch; the broker's time when omitted. */
  readonly timestamp?: number;
}

export interface ProducedOffset {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/** Kafka's record-batch compression codecs, as a topic's `compression:` names them. */
export type Compression = "none" | "gzip" | "snappy" | "lz4" | "zstd";

/** Options of `Broker.producer`. */
export interface ProducerOptions {
  /** How records are compressed, by topic; topics not named are not compressed. Brokers without compression ignore it. */
  readonly compression?: Readonly<Record<string, Compression>>;
}

export interface TopicConfig {
  readonly topic: string;
  readonly partitions: number;
  /** `cleanup.policy=compact` (group tables). */
  readonly compacted: boolean;
}

export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

export interface Producer {
  /**
   * Sends records (any topics and partitions, in order per partition) and
   * resolves once every one is acknowledged, with the offset each got, in
   * input order. Rejects if any record was not acknowledged.
   */
  send(records: readonly ProduceRecord[]): Promise<ProducedOffset[]>;
  close(): Promise<void>;
}

/** Input offsets committed within a transaction: the group's, for each topic-partition the next offset to consume. */
export interface TransactionOffsets {
  readonly group: string;
  readonly offsets: readonly (TopicPartition & { readonly offset: number })[];
}

/**
 * A producer whose sends are Kafka transactions (`guarantee: exactly-once`).
 * Opening one fences every earlier producer of the same transactional id:
 * their open transaction is aborted and later ones fail.
 */
export interface TransactionalProducer {
  /**
   * In one transaction: sends `records` (as `Producer.send`) and commits
   * `offsets` for the group. Resolves with the records' offsets once the
   * transaction committed; rejects once it was aborted (nothing of it is
   * visible to read-committed readers). Calls run one after the other.
   */
  commit(records: readonly ProduceRecord[], offsets: TransactionOffsets | undefined): Promise<ProducedOffset[]>;
  /**
   * What the processor needs to ride out a failed `commit` (retry it without
   * losing or doubling anything; runtime/processor/transaction-retry.ts).
   * Optional: without it a failed commit stops the processor.
   */
  readonly recovery?: TransactionRecovery;
  close(): Promise<void>;
}

/**
 * Recovery after a failed `TransactionalProducer.commit`, which then rejects
 * with a `TransactionFailedError` (runtime/broker/transaction-failure.ts)
 * saying whether it was fenced or an outage and whether it may have committed.
 * Each method is one attempt (bounded retries of its own) and rejects with a
 * `TransactionFailedError` too; the caller owns the outage allowance.
 */
export interface TransactionRecovery {
  /**
   * Replaces the producer by a new one with the same transactional id
   * (InitProducerId): the broker first completes or aborts the failed
   * transaction, then bumps the id's epoch (the old producer is fenced).
   */
  reinitialize(): Promise<void>;
  /** The group's committed offsets of `offsets`' topic-partitions, in order (`undefined`: none). */
  committed(offsets: TransactionOffsets): Promise<(number | undefined)[]>;
  /** The end (last stable offset) of a topic-partition. */
  end(topic: string, partition: number): Promise<number>;
  /** The outage allowance: the error to give up with for failures since `since` (ms timestamp), or `undefined` to keep trying. */
  exceeded(since: number, cause: unknown): Error | undefined;
  /** The allowance in milliseconds (`maxOutageMs`). */
  readonly maxOutageMs: number;
}

/** Reads one partition from an offset onwards, batch by batch. */
export interface PartitionReader {
  /**
   * The next batch at or after the reader's position. Waits at most
   * `maxWaitMs` for data and returns `[]` if none came (the caller decides
   * whether it has caught up by comparing with the high watermark).
   */
  next(maxWaitMs: number): Promise<BrokerMessage[]>;
  /**
   * As `next`, for readers that only keep the latest value of each key
   * (table recovery, catching up): keys and values as parallel arrays, and
   * `next`, the reader's position afterwards (past control records and
   * offsets compaction removed). Optional: `next` serves where a broker has
   * nothing leaner.
   */
  nextLog?(maxWaitMs: number): Promise<LogChunk & { readonly next: number }>;
  close(): Promise<void>;
}

/**
 * A stretch of a partition's log in order: entry `i` sets `key(i)` to
 * `value(i)`, `null` deleting it. Entries are materialised on request, so a
 * store that copies them (LevelDB) creates each key and value only for the
 * moment it needs them: recovery reads millions.
 */
export interface LogChunk {
  readonly length: number;
  key(i: number): string;
  value(i: number): Uint8Array | null;
  /**
   * Optional: the entries as byte ranges of one buffer, for a store that
   * copies bytes anyway (LevelDB): no key string or value view per entry.
   * `at` holds four numbers per entry `i` from `4 * i`: key start, key
   * length, value start, value length, a length of -1 being null (a null
   * key is `""`, a null value a delete). Keys are UTF-8 (readers check).
   */
  readonly bytes?: LogBytes;
}

/** The byte ranges of a `LogChunk`'s entries (see `LogChunk.bytes`). */
export interface LogBytes {
  readonly buffer: Uint8Array;
  readonly at: Int32Array;
}

/** A `LogChunk` over arrays of keys and values. */
export function logOf(keys: readonly string[], values: readonly (Uint8Array | null)[]): LogChunk {
  return { length: keys.length, key: (i) => keys[i]!, value: (i) => values[i]! };
}

/** A `LogChunk` over port messages (readers without a leaner `nextLog`). */
export function logOfMessages(messages: readonly BrokerMessage[]): LogChunk {
  return { length: messages.length, key: (i) => messages[i]!.key, value: (i) => messages[i]!.value };
}

/** A batch of one partition of one topic, delivered to a group member. */
export interface Batch {
  readonly topic: string;
  readonly partition: number;
  readonly messages: readonly BrokerMessage[];
}

export interface GroupCallbacks {
  /**
   * Called with the partitions (numbers; the same for every topic, by the
   * copartitioned assignment) this member now owns, before any batch of them
   * is delivered. The processor recovers tables here. Optional
   * `partitionReady(p)`, when the broker passes it: called by the processor
   * once partition `p` can take batches, before the rest of the assignment
   * is ready; the member then delivers `p`'s batches at once instead of
   * after the whole `onAssigned` (a partition that stayed with this member
   * does not wait for the recovery of one that moved to it).
   */
  onAssigned(partitions: readonly number[], partitionReady?: (partition: number) => void): Promise<void>;
  /**
   * Optional: a rebalance has started and `onRevoked` will follow once the
   * running callback returns. Called at once, outside the serialised
   * callbacks, so a long `onAssigned` (table recovery) can give up instead
   * of holding up the rebalance past its timeout.
   */
  onRebalanceStarted?(): void;
  /** Called before partitions are taken away; resolve after draining and committing them. */
  onRevoked(partitions: readonly number[]): Promise<void>;
  /**
   * A batch to process. Batches of one topic-partition are delivered one at a
   * time in offset order; batches of different topic-partitions may overlap
   * (the processor serialises per partition). The next batch of the same
   * topic-partition is fetched once the returned promise resolves.
   */
  onBatch(batch: Batch): Promise<void>;
  /** The membership failed for good (broker gone, fenced, …); the processor stops with this error. */
  onError(error: Error): void;
  /**
   * Optional (hot standby, `GroupOptions.standby`): the partitions this member
   * keeps warm copies of from now on, called at every assignment before
   * `onAssigned` (serialised with it), so a promoted copy is closed before its
   * partition opens as active. Resolve once copies no longer wanted are
   * closed; new copies warm up in the background.
   */
  onStandby?(partitions: readonly number[]): Promise<void>;
  /** Optional: the changelog offset of each table partition held locally (active, standby or kept on disk), reported when joining. */
  warmOffsets?(): ReadonlyMap<number, number>;
}

export interface GroupOptions {
  readonly group: string;
  /** All copartitioned topics the group consumes: inputs and its loop. */
  readonly topics: readonly string[];
  readonly callbacks: GroupCallbacks;
  /**
   * Where the member id is kept between runs (a processor's state directory).
   * A restarted member rejoins under its previous id, so the broker does not
   * wait for the dead member's session timeout. Optional; brokers without
   * members that outlive a process ignore it.
   */
  readonly memberIds?: MemberIdStore;
  /**
   * Hot standby (the spec's `standby: N`): warm copies of each partition's
   * table the group keeps on N other members (`onStandby`). Brokers without
   * an assignment protocol (the in-memory broker) ignore it.
   */
  readonly standby?: number;
}

/** Keeps a group member's id between process runs (see `GroupOptions.memberIds`). */
export interface MemberIdStore {
  /** The id of the previous run, if any. */
  load(): Promise<string | undefined>;
  /** Records the id the broker gave this run. */
  save(memberId: string): Promise<void>;
}

export interface GroupMember {
  /**
   * Commits, for each topic-partition, the offset of the next message to
   * consume (last processed + 1). Resolves once the broker stored it.
   */
  commit(offsets: readonly (TopicPartition & { readonly offset: number })[]): Promise<void>;
  /** Stops fetching, lets running batches finish (revoking partitions), leaves the group. */
  leave(): Promise<void>;
}

export interface Broker {
  /** Partition count of a topic, or `undefined` if it does not exist. */
  partitionCount(topic: string): Promise<number | undefined>;
  /** Whether a topic is compacted (`undefined` if it does not exist). */
  isCompacted(topic: string): Promise<boolean | undefined>;
  /** Creates a topic; does nothing if it already exists with the same partition count. */
  createTopic(config: TopicConfig): Promise<void>;
  highWatermark(topic: string, partition: number): Promise<number>;
  /** The earliest offset still in a partition's log (after retention or deleted records). Optional: brokers whose logs always start at 0 omit it. */
  lowWatermark?(topic: string, partition: number): Promise<number>;
  /** The committed offset of a group for a partition (next to consume), or `undefined`. */
  committedOffset(group: string, topic: string, partition: number): Promise<number | undefined>;
  /** A reader positioned at `offset` (clamped to the earliest offset still in the log). */
  reader(topic: string, partition: number, offset: number): Promise<PartitionReader>;
  producer(options?: ProducerOptions): Promise<Producer>;
  /**
   * A transactional producer with `transactionalId`, connected and
   * initialised (earlier producers of the id fenced). Optional: brokers
   * without transactions (the in-memory one) omit it, and `exactly-once`
   * groups then run at-least-once there.
   */
  transactionalProducer?(transactionalId: string, options?: ProducerOptions): Promise<TransactionalProducer>;
  /** Joins a consumer group with the copartitioned assignment; resolves once the member runs. */
  joinGroup(options: GroupOptions): Promise<GroupMember>;
  /** Releases connections; members and readers should be closed first. */
  close(): Promise<void>;
}
