/**
 * A view (Goka's View): a read-only local copy of every partition of a
 * table, recovered to the high watermark on `start` and kept catching up
 * until `stop`. Processors use views for lookups; applications use them to
 * serve queries.
 */
import { partitionForKey, type Partitioner } from "../broker/partitioner.js";
import type { Broker } from "../broker/port.js";
import type { Codec } from "../codecs/codec.js";
import { ProcessorSetupError } from "../errors.js";
import { createEventHub, type EventHub, type EventSource } from "../events.js";
import type { GroupDefinition, TopicSpec } from "../graph.js";
import { createLevelStorage } from "../storage/level-storage.js";
import { createMemoryStorage } from "../storage/memory-storage.js";
import type { StateMismatchPolicy } from "../storage/state-errors.js";
import type { Storage } from "../storage/storage.js";
import { PartitionTable } from "../table/partition-table.js";
import { tableTopic } from "../topics/requirements.js";

/** Options of `createView`. */
export interface ViewOptions {
  /** Where partitions are kept; default: `level` under `stateDir` if given, else memory. */
  readonly storage?: Storage;
  readonly stateDir?: string;
  /** Shares instrumentation with a processor. */
  readonly events?: EventHub;
  /** Abandons recovery once true (a processor stopping while it starts). */
  readonly cancelled?: () => boolean;
  /** A partition whose local state cannot be trusted: rebuild it from the changelog (default) or fail. */
  readonly onStateMismatch?: StateMismatchPolicy;
}

/** A read-only, catching-up copy of a whole table. */
export interface View<V> extends EventSource {
  readonly topic: string;
  /** Recovers every partition to its high watermark, then keeps catching up in the background (returns early if stopped meanwhile). */
  start(): Promise<void>;
  /** The value of `key`, or `undefined`. Only after `start` resolved. */
  get(key: string): Promise<V | undefined>;
  /** As `get`, but synchronous when the storage allows (the processor's lookups). */
  getNow(key: string): V | undefined | Promise<V | undefined>;
  /** Stops catching up and closes the partitions. */
  stop(): Promise<void>;
}

/** A view of a table topic (a `TopicSpec` like `usersTable`) or of a group's table (its definition). */
export function createView<V>(broker: Broker, table: TopicSpec<V> | GroupDefinition<V>, options: ViewOptions = {}): View<V> {
  const { topic, codec, partitioner } = tableOf(table);
  const storage = options.storage ?? (options.stateDir === undefined ? createMemoryStorage() : createLevelStorage(options.stateDir));
  const events = options.events ?? createEventHub();
  let partitions: PartitionTable<V>[] = [];
  let started = false;
  let stopping = false;
  const cancelled = () => stopping || (options.cancelled?.() ?? false);

  function partitionOf(key: string): PartitionTable<V> {
    if (!started) throw new Error(`view of ${topic}: get before start`);
    const p = partitions[partitionForKey(key, partitions.length, partitioner)];
    if (p === undefined) throw new Error(`view of ${topic}: no partitions`);
    return p;
  }

  return {
    topic,
    on: (event, listener) => events.on(event, listener),
    async start() {
      const count = await broker.partitionCount(topic);
      if (count === undefined) throw new ProcessorSetupError(`view:${topic}`, `table topic ${topic} does not exist`);
      const opened = await Promise.all(
        Array.from({ length: count }, (_, p) =>
          PartitionTable.open(storage, topic, p, codec, { policy: options.onStateMismatch ?? "rebuild", events }),
        ),
      );
      partitions = opened;
      await Promise.all(opened.map((t) => t.recover(broker, events, cancelled)));
      if (cancelled()) return;
      for (const t of opened) {
        await t.catchUp(broker, (error) => events.emit("error", { error }));
      }
      started = true;
    },
    async get(key) {
      return partitionOf(key).get(key);
    },
    getNow(key) {
      return partitionOf(key).get(key);
    },
    async stop() {
      stopping = true;
      started = false;
      const closing = partitions;
      partitions = [];
      await Promise.all(closing.map((t) => t.close()));
    },
  };
}

function tableOf<V>(table: TopicSpec<V> | GroupDefinition<V>): { topic: string; codec: Codec<V>; partitioner: Partitioner } {
  if ("graph" in table) {
    const persist = table.graph.persist;
    if (persist === undefined) throw new TypeError(`group ${table.graph.group} has no table (persist) to view`);
    return { topic: tableTopic(table.graph.group), codec: persist.codec as Codec<V>, partitioner: table.graph.partitioner ?? "kafka" };
  }
  return { topic: table.name, codec: table.codec, partitioner: table.partitioner ?? "kafka" };
}
