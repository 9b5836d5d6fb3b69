/**
 * A namespace on a broker: every topic and consumer-group name that goes
 * through the port gets a prefix (`gokac-test-1a2b3c.` → the topic
 * `example-stream` is `gokac-test-1a2b3c.example-stream` on the cluster, the
 * group `counter` is `gokac-test-1a2b3c.counter`), and every name that comes
 * back (messages, batches, produced offsets) loses it again. The processors
 * above see the names of their specs; the cluster keeps runs apart.
 * `gokac test --brokers` runs each test in its own namespace so that nothing
 * from an earlier run (or test) leaks in, then deletes what it created.
 */
import { GokacError } from "../errors.js";
import type {
  Batch,
  Broker,
  BrokerMessage,
  GroupMember,
  PartitionReader,
  ProducedOffset,
  Producer,
  ProducerOptions,
  TopicConfig,
  TransactionalProducer,
  TransactionOffsets,
} from "./port.js";

/** Listing and deleting the topics and consumer groups of a cluster (a namespaced broker sees only its own). */
export interface ClusterAdmin {
  /**
   * Creates several topics in one request and resolves once the cluster's
   * metadata shows every one (Kafka creates a batch far faster than one
   * topic after another); existing ones are left as they are.
   */
  createTopics(configs: readonly TopicConfig[]): Promise<void>;
  /** Topic names (within the namespace, without its prefix). */
  listTopics(): Promise<string[]>;
  /** Deletes topics (names within the namespace); missing ones are ignored. */
  deleteTopics(topics: readonly string[]): Promise<void>;
  /** Consumer-group names (within the namespace, without its prefix). */
  listGroups(): Promise<string[]>;
  /** Deletes consumer groups without members (names within the namespace); missing ones are ignored. */
  deleteGroups(groups: readonly string[]): Promise<void>;
}

/** Thrown for a namespace Kafka could not use in topic names. */
export class NamespaceError extends GokacError {
  override readonly name = "NamespaceError";
  declare readonly code: "INVALID_NAMESPACE";
  constructor(message: string) {
    super(message, { code: "INVALID_NAMESPACE" });
  }
}

/** Checks a namespace: Kafka's topic-name characters (letters, digits, `.`, `_`, `-`), 1 to 100 of them. */
export function checkNamespace(namespace: string): string {
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(namespace)) {
    throw new NamespaceError(`namespace ${JSON.stringify(namespace)} must be 1 to 100 of A-Z a-z 0-9 . _ - (e.g. "gokac-test-1a2b3c.")`);
  }
  return namespace;
}

/** `broker` with every topic and group name prefixed by `namespace` (see the module comment). */
export function namespaceBroker<B extends Broker & Partial<ClusterAdmin>>(broker: B, namespace: string): B {
  const prefix = checkNamespace(namespace);
  const inner = (name: string): string => prefix + name;
  const outer = (name: string): string => (name.startsWith(prefix) ? name.slice(prefix.length) : name);
  const message = (m: BrokerMessage): BrokerMessage => ({ ...m, topic: outer(m.topic) });
  const produced = (o: ProducedOffset): ProducedOffset => ({ ...o, topic: outer(o.topic) });
  const batch = (b: Batch): Batch => ({ ...b, topic: outer(b.topic), messages: b.messages.map(message) });
  const ours = (names: readonly string[]): string[] => names.filter((n) => n.startsWith(prefix)).map(outer);
  const producerOptions = (options: ProducerOptions | undefined): ProducerOptions | undefined =>
    options?.compression === undefined
      ? options
      : { ...options, compression: Object.fromEntries(Object.entries(options.compression).map(([topic, c]) => [inner(topic), c])) };
  const txOffsets = (o: TransactionOffsets | undefined): TransactionOffsets | undefined =>
    o === undefined ? undefined : { group: inner(o.group), offsets: o.offsets.map((x) => ({ ...x, topic: inner(x.topic) })) };

  const wrapped: Broker & Partial<ClusterAdmin> = {
    partitionCount: (topic) => broker.partitionCount(inner(topic)),
    isCompacted: (topic) => broker.isCompacted(inner(topic)),
    createTopic: (config) => broker.createTopic({ ...config, topic: inner(config.topic) }),
    highWatermark: (topic, partition) => broker.highWatermark(inner(topic), partition),
    committedOffset: (group, topic, partition) => broker.committedOffset(inner(group), inner(topic), partition),
    async reader(topic, partition, offset): Promise<PartitionReader> {
      const r = await broker.reader(inner(topic), partition, offset);
      const nextLog = r.nextLog?.bind(r);
      return {
        next: async (maxWaitMs) => (await r.next(maxWaitMs)).map(message),
        ...(nextLog === undefined ? {} : { nextLog }),
        close: () => r.close(),
      };
    },
    async producer(options): Promise<Producer> {
      const p = await broker.producer(producerOptions(options));
      return {
        send: async (records) => (await p.send(records.map((r) => ({ ...r, topic: inner(r.topic) })))).map(produced),
        close: () => p.close(),
      };
    },
    async joinGroup(options): Promise<GroupMember> {
      const callbacks = options.callbacks;
      const member = await broker.joinGroup({
        ...options,
        group: inner(options.group),
        topics: options.topics.map(inner),
        callbacks: {
          onAssigned: (partitions, partitionReady) => callbacks.onAssigned(partitions, partitionReady),
          ...(callbacks.onRebalanceStarted === undefined ? {} : { onRebalanceStarted: () => callbacks.onRebalanceStarted?.() }),
          onRevoked: (partitions) => callbacks.onRevoked(partitions),
          onBatch: (b) => callbacks.onBatch(batch(b)),
          onError: (error) => callbacks.onError(error),
          // Hot standby's callbacks carry partition numbers only: nothing to rename.
          ...(callbacks.onStandby === undefined ? {} : { onStandby: (partitions) => callbacks.onStandby!(partitions) }),
          ...(callbacks.warmOffsets === undefined ? {} : { warmOffsets: () => callbacks.warmOffsets!() }),
        },
      });
      return {
        commit: (offsets) => member.commit(offsets.map((o) => ({ ...o, topic: inner(o.topic) }))),
        leave: () => member.leave(),
      };
    },
    close: () => broker.close(),
  };
  if (broker.lowWatermark !== undefined) {
    const low = broker.lowWatermark.bind(broker);
    wrapped.lowWatermark = (topic, partition) => low(inner(topic), partition);
  }
  if (broker.transactionalProducer !== undefined) {
    const open = broker.transactionalProducer.bind(broker);
    // The transactional id is namespaced too: runs in other namespaces never fence each other.
    wrapped.transactionalProducer = async (id, options): Promise<TransactionalProducer> => {
      const p = await open(inner(id), producerOptions(options));
      const recovery = p.recovery;
      return {
        commit: async (records, offsets) =>
          (
            await p.commit(
              records.map((r) => ({ ...r, topic: inner(r.topic) })),
              txOffsets(offsets),
            )
          ).map(produced),
        ...(recovery === undefined
          ? {}
          : {
              recovery: {
                reinitialize: () => recovery.reinitialize(),
                committed: (offsets) => recovery.committed(txOffsets(offsets)!),
                end: (topic, partition) => recovery.end(inner(topic), partition),
                exceeded: (since, cause) => recovery.exceeded(since, cause),
                maxOutageMs: recovery.maxOutageMs,
              },
            }),
        close: () => p.close(),
      };
    };
  }
  const { createTopics, listTopics, deleteTopics, listGroups, deleteGroups } = broker;
  if (createTopics !== undefined)
    wrapped.createTopics = (configs) =>
      createTopics.call(
        broker,
        configs.map((c) => ({ ...c, topic: inner(c.topic) })),
      );
  if (listTopics !== undefined) wrapped.listTopics = async () => ours(await listTopics.call(broker));
  if (deleteTopics !== undefined) wrapped.deleteTopics = (topics) => deleteTopics.call(broker, topics.map(inner));
  if (listGroups !== undefined) wrapped.listGroups = async () => ours(await listGroups.call(broker));
  if (deleteGroups !== undefined) wrapped.deleteGroups = (groups) => deleteGroups.call(broker, groups.map(inner));
  for (const key of Object.getOwnPropertySymbols(broker)) Object.defineProperty(wrapped, key, { value: (broker as never)[key] });
  return wrapped as B;
}
