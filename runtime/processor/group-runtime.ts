/**
 * What every partition processor of one processor shares: the resolved graph
 * (handlers and codecs by topic), the producer, the group member, partition
 * counts for keying, the lookup views, and how to fail the processor.
 */
import type { Partitioner } from "../broker/partitioner.js";
import type { Broker, GroupMember, Producer, ProducerOptions } from "../broker/port.js";
import type { Codec } from "../codecs/codec.js";
import type { EventHub } from "../events.js";
import type { StateMismatchPolicy } from "../storage/state-errors.js";
import type { Storage } from "../storage/storage.js";
import type { View } from "../view/view.js";
import type { ResolvedErrorPolicy } from "./error-policy.js";

type AnyHandler = (ctx: any, msg: any) => void | Promise<void>;

/** A consumed topic (input or loop): how to decode it and whom to call. */
export interface ConsumedTopic {
  readonly codec: Codec<unknown>;
  readonly handler: AnyHandler;
}

/** The shared state of a started processor. */
export interface GroupRuntime {
  readonly group: string;
  readonly broker: Broker;
  readonly storage: Storage;
  readonly events: EventHub;
  readonly producer: Producer;
  /**
   * `guarantee: exactly-once` on a broker with transactions: each partition
   * opens a transactional producer with id `<idPrefix><partition>` and
   * commits every batch as one transaction. `undefined`: at-least-once.
   */
  readonly transactions: { readonly idPrefix: string; readonly options: ProducerOptions } | undefined;
  /** The group membership, once `joinGroup` was called (batches may arrive before it resolves). */
  member: Promise<GroupMember> | undefined;
  /** Input and loop topics. */
  readonly consumed: ReadonlyMap<string, ConsumedTopic>;
  /** `<group>-table` and its codec, with `persist`. */
  readonly table: { readonly topic: string; readonly codec: Codec<unknown> } | undefined;
  /** `<group>-loop` and its codec, with `loop`. */
  readonly loop: { readonly topic: string; readonly codec: Codec<unknown> } | undefined;
  readonly joins: ReadonlyMap<string, Codec<unknown>>;
  readonly lookups: ReadonlyMap<string, View<unknown>>;
  /** Declared outputs: codec, live partition count and partitioner. */
  readonly outputs: ReadonlyMap<string, { readonly codec: Codec<unknown>; readonly partitions: number; readonly partitioner: Partitioner }>;
  readonly visitors: ReadonlyMap<string, AnyHandler>;
  /** The copartitioned count of inputs, loop and tables. */
  readonly partitions: number;
  /** How keys are placed on the group's table and loop. */
  readonly partitioner: Partitioner;
  readonly maxBatchSize: number;
  /** Estimated bytes of table values each partition's cache keeps between batches. */
  readonly tableCacheBytes: number;
  /** What to do with a table partition whose local state cannot be trusted. */
  readonly onStateMismatch: StateMismatchPolicy;
  /** Skip (and commit) input messages whose value is `null`. */
  readonly ignoreNil: boolean;
  /** The spec's `errors:` with defaults. */
  readonly errors: ResolvedErrorPolicy;
  /** Partition count of the dead-letter topic (0 when no policy dead-letters). */
  readonly deadLetterPartitions: number;
  /** A `null` key is a decode failure (the group has state: persist, joins or loop). */
  readonly keyRequired: boolean;
  /** Messages (and visited keys) skipped or dead-lettered so far, by policy. */
  readonly failedMessages: { skip: number; "dead-letter": number };
  /** Stops the processor with `error` (first failure wins). */
  fail(error: Error): void;
  readonly failed: boolean;
  /** The processor is stopping or failed: abandon recovery. */
  readonly cancelled: boolean;
}
