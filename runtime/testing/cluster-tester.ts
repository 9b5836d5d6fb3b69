/**
 * The tester's core on a real broker (`gokac test --brokers`): register
 * groups, consume messages into their inputs, run until every processor is
 * idle, then read tables and what was emitted. The processors are the real
 * ones with memory storage; the broker is any port, normally a Kafka broker
 * with a namespace of its own (runtime/broker/namespace.ts) so that each
 * run starts from empty topics.
 *
 * "Idle" on a cluster, where nothing can be asked directly, is watched at
 * the port: every group member has committed up to the high watermark of
 * every partition it consumes and handles no batch, every reader (joined
 * tables, lookup views) has read up to the high watermark and waits for
 * more, no send is in flight, and the high watermarks did not move between
 * two such observations.
 */
import type { ClusterAdmin } from "../broker/namespace.js";
import type { Batch, Broker, GroupMember, PartitionReader, ProduceRecord, Producer } from "../broker/port.js";
import { partitionForKey, type Partitioner } from "../broker/partitioner.js";
import type { Codec } from "../codecs/codec.js";
import { checkPositiveInteger, GokacError } from "../errors.js";
import type { GroupDefinition, TopicSpec } from "../graph.js";
import { createProcessor, type Processor } from "../processor/processor.js";
import { createMemoryStorage } from "../storage/memory-storage.js";
import { loopTopic, tableTopic } from "../topics/requirements.js";
import { consumedTopic, findRegistered, type EmittedMessage, type GroupRef } from "./tester.js";

/** Options of `createClusterTester`. */
export interface ClusterTesterOptions {
  /** Partitions of topics created when a graph does not declare a count (default 1, as `createTester`). */
  readonly partitions?: number;
  /** How long `run` waits for the processors to become idle, in milliseconds (default 60000). */
  readonly idleTimeoutMs?: number;
}

/** Thrown by `run` when the processors did not become idle in time. */
export class ClusterNotIdleError extends GokacError {
  override readonly name = "ClusterNotIdleError";
  declare readonly code: "NOT_IDLE";
  constructor(message: string) {
    super(message, { code: "NOT_IDLE" });
  }
}

/** A tester on a real broker: the part of `Tester` that works on any broker, with `emitted` read from the topic. */
export interface ClusterTester {
  /** Adds a group; its processor starts at the next `run` (or table access). */
  register(group: GroupDefinition<unknown>): void;
  /** Queues a message for a topic (a `TopicSpec`, or a name some registered group consumes); sent at the next `run`. */
  consume<V>(topic: TopicSpec<V> | string, key: string, value: V | null): void;
  /** Sends queued messages and waits until every processor is idle; rejects with the first processor failure. */
  run(): Promise<void>;
  /** The group table's value of `key`. */
  tableValue<V>(group: GroupRef<V>, key: string): Promise<V | undefined>;
  /** Every message on `topic`, read from the broker, ordered by timestamp (then partition and offset). */
  emitted<V>(topic: TopicSpec<V>): Promise<EmittedMessage<V>[]>;
  /** Stops every processor and closes the broker. */
  close(): Promise<void>;
}

interface Activity {
  /** Batches being handled, assignments being recovered, sends in flight. */
  busy: number;
  /** Each group member's topics and the offsets it committed, by `topic/partition`. */
  readonly members: Set<{ readonly topics: readonly string[]; readonly committed: Map<string, number> }>;
  /** Each open reader: where it is and whether it is waiting for data (so everything read before is applied). */
  readonly readers: Set<{ readonly topic: string; readonly partition: number; position: number; waiting: boolean }>;
}

/** `broker` reporting what goes through it into `activity`. */
function watched(broker: Broker, activity: Activity): Broker {
  const busyWhile = async <T>(work: () => Promise<T>): Promise<T> => {
    activity.busy++;
    try {
      return await work();
    } finally {
      activity.busy--;
    }
  };
  return {
    ...broker,
    partitionCount: (topic) => broker.partitionCount(topic),
    isCompacted: (topic) => broker.isCompacted(topic),
    createTopic: (config) => broker.createTopic(config),
    highWatermark: (topic, partition) => broker.highWatermark(topic, partition),
    committedOffset: (group, topic, partition) => broker.committedOffset(group, topic, partition),
    close: () => broker.close(),
    async reader(topic, partition, offset): Promise<PartitionReader> {
      const r = await broker.reader(topic, partition, offset);
      const low = (await broker.lowWatermark?.(topic, partition)) ?? 0;
      const state = { topic, partition, position: Math.max(offset, low), waiting: false };
      activity.readers.add(state);
      const reading = async <T>(read: () => Promise<T>, next: (t: T) => number | undefined): Promise<T> => {
        state.waiting = true;
        try {
          const got = await read();
          const position = next(got);
          if (position !== undefined) state.position = Math.max(state.position, position);
          return got;
        } finally {
          state.waiting = false;
        }
      };
      const nextLog = r.nextLog?.bind(r);
      return {
        next: (maxWaitMs) =>
          reading(
            () => r.next(maxWaitMs),
            (ms) => (ms.length === 0 ? undefined : ms[ms.length - 1]!.offset + 1),
          ),
        ...(nextLog === undefined
          ? {}
          : {
              nextLog: (maxWaitMs: number) =>
                reading(
                  () => nextLog(maxWaitMs),
                  (chunk) => chunk.next,
                ),
            }),
        close: () => {
          activity.readers.delete(state);
          return r.close();
        },
      };
    },
    async producer(options): Promise<Producer> {
      const p = await broker.producer(options);
      return { send: (records) => busyWhile(() => p.send(records)), close: () => p.close() };
    },
    async joinGroup(options): Promise<GroupMember> {
      const state = { topics: options.topics, committed: new Map<string, number>() };
      activity.members.add(state);
      const c = options.callbacks;
      const member = await broker.joinGroup({
        ...options,
        callbacks: {
          ...c,
          onAssigned: (partitions) => busyWhile(() => c.onAssigned(partitions)),
          onRevoked: (partitions) => busyWhile(() => c.onRevoked(partitions)),
          onBatch: (batch: Batch) => busyWhile(() => c.onBatch(batch)),
        },
      });
      return {
        async commit(offsets) {
          await member.commit(offsets);
          for (const o of offsets) {
            const key = `${o.topic}/${o.partition}`;
            state.committed.set(key, Math.max(state.committed.get(key) ?? 0, o.offset));
          }
        },
        async leave() {
          activity.members.delete(state);
          await member.leave();
        },
      };
    },
  };
}

interface Registered {
  readonly definition: GroupDefinition<unknown>;
  readonly processor: Processor<unknown>;
  started: boolean;
}

/** Creates a tester on `broker` (which it closes on `close`). */
export function createClusterTester(
  broker: Broker & Partial<Pick<ClusterAdmin, "createTopics">>,
  options: ClusterTesterOptions = {},
): ClusterTester {
  checkPositiveInteger("partitions", options.partitions);
  const defaultPartitions = options.partitions ?? 1;
  const idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
  const activity: Activity = { busy: 0, members: new Set(), readers: new Set() };
  const port = watched(broker, activity);
  const createTopics = broker.createTopics?.bind(broker);
  const groups = new Map<string, Registered>();
  const queued: { topic: string; codec: Codec<unknown>; partitioner: Partitioner; key: string; value: unknown }[] = [];
  const failures: Error[] = [];
  const partitionCounts = new Map<string, number>();

  async function partitionsOf(topic: string): Promise<number> {
    let n = partitionCounts.get(topic);
    if (n === undefined) {
      n = await broker.partitionCount(topic);
      if (n === undefined) return 0;
      partitionCounts.set(topic, n);
    }
    return n;
  }

  /** Creates `topic` when missing and waits until the cluster's metadata shows it (a processor checks its topics at start). */
  async function ensureTopic(topic: string, partitions: number, compacted: boolean): Promise<void> {
    if ((await broker.partitionCount(topic)) !== undefined) return;
    await broker.createTopic({ topic, partitions, compacted });
    const giveUpAt = Date.now() + idleTimeoutMs;
    while ((await broker.partitionCount(topic)) === undefined) {
      if (Date.now() > giveUpAt) throw new ClusterNotIdleError(`topic ${topic} created but not visible after ${idleTimeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async function startAll(): Promise<void> {
    const pending = [...groups.values()].filter((g) => !g.started);
    // The counts as createTester gives them: each group's copartitioned topics with its count first, then lookups and
    // outputs nobody owns; then all created in one request when the broker can (ClusterAdmin.createTopics), else one by one.
    const wanted = new Map<string, { partitions: number; compacted: boolean }>();
    const want = (topic: string, partitions: number, compacted: boolean) => {
      if (!wanted.has(topic)) wanted.set(topic, { partitions, compacted });
    };
    for (const g of pending) {
      const graph = g.definition.graph;
      const n = graph.partitions ?? defaultPartitions;
      for (const input of graph.inputs) for (const t of input.topics) want(t, n, false);
      if (graph.persist !== undefined) want(tableTopic(graph.group), n, true);
      if (graph.loop !== undefined) want(loopTopic(graph.group), n, false);
      for (const j of graph.joins ?? []) want(j.table, n, true);
    }
    for (const g of pending) {
      const graph = g.definition.graph;
      for (const l of graph.lookups ?? []) want(l.table, defaultPartitions, true);
      for (const o of graph.outputs ?? []) want(o.topic, defaultPartitions, false);
      g.started = true;
    }
    if (createTopics !== undefined) await createTopics([...wanted].map(([topic, config]) => ({ topic, ...config })));
    else for (const [topic, { partitions, compacted }] of wanted) await ensureTopic(topic, partitions, compacted);
    await Promise.all(pending.map((g) => g.processor.start()));
  }

  function find(group: GroupRef<unknown>): Registered {
    return findRegistered(groups, group, "cluster tester");
  }

  function throwIfFailed(): void {
    const first = failures[0];
    if (first !== undefined) throw first;
  }

  /** The high watermark of every partition a member consumes or a reader reads, by `topic/partition`. */
  async function watermarks(): Promise<Map<string, number>> {
    const topics = new Set<string>();
    for (const m of activity.members) for (const t of m.topics) topics.add(t);
    for (const r of activity.readers) topics.add(r.topic);
    const marks = new Map<string, number>();
    for (const topic of topics) {
      const n = await partitionsOf(topic);
      const highs = await Promise.all(Array.from({ length: n }, (_, p) => broker.highWatermark(topic, p)));
      highs.forEach((h, p) => marks.set(`${topic}/${p}`, h));
    }
    return marks;
  }

  function quiet(marks: ReadonlyMap<string, number>): boolean {
    if (activity.busy > 0) return false;
    for (const m of activity.members) {
      for (const [key, high] of marks) {
        if (!m.topics.includes(key.slice(0, key.lastIndexOf("/")))) continue;
        if ((m.committed.get(key) ?? 0) < high) return false;
      }
    }
    for (const r of activity.readers) if (!r.waiting || r.position < (marks.get(`${r.topic}/${r.partition}`) ?? 0)) return false;
    return true;
  }

  async function settle(): Promise<void> {
    const giveUpAt = Date.now() + idleTimeoutMs;
    let previous: string | undefined;
    for (;;) {
      throwIfFailed();
      const marks = await watermarks();
      const snapshot = JSON.stringify([...marks].sort());
      if (quiet(marks)) {
        if (snapshot === previous) return;
        previous = snapshot;
      } else previous = undefined;
      if (Date.now() > giveUpAt) throw new ClusterNotIdleError(`the processors were not idle after ${idleTimeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  return {
    register(definition) {
      const name = definition.graph.group;
      if (groups.has(name)) throw new Error(`cluster tester: group ${name} is registered twice`);
      const processor = createProcessor(definition, { broker: port, storage: createMemoryStorage() });
      processor.on("error", ({ error }) => failures.push(error));
      groups.set(name, { definition, processor, started: false });
    },
    consume(topic, key, value) {
      const { name, codec, partitioner } = consumedTopic(topic, groups.values(), "cluster tester");
      queued.push({ topic: name, codec, partitioner, key, value });
    },
    async run() {
      await startAll();
      if (queued.length > 0) {
        const records: ProduceRecord[] = [];
        for (const q of queued.splice(0)) {
          await ensureTopic(q.topic, defaultPartitions, false);
          const partitions = await partitionsOf(q.topic);
          const value = q.value === null ? null : q.codec.encode(q.value);
          records.push({ topic: q.topic, partition: partitionForKey(q.key, partitions, q.partitioner), key: q.key, value });
        }
        const producer = await port.producer();
        try {
          await producer.send(records);
        } finally {
          await producer.close();
        }
      }
      await settle();
    },
    async tableValue<V>(group: GroupRef<V>, key: string) {
      await startAll();
      return (await find(group as GroupRef<unknown>).processor.get(key)) as V | undefined;
    },
    async emitted<V>(topic: TopicSpec<V>) {
      const found: { message: EmittedMessage<V>; timestamp: number; offset: number }[] = [];
      const n = await partitionsOf(topic.name);
      for (let p = 0; p < n; p++) {
        const high = await broker.highWatermark(topic.name, p);
        const low = (await broker.lowWatermark?.(topic.name, p)) ?? 0;
        if (high <= low) continue;
        const reader = await broker.reader(topic.name, p, low);
        try {
          const giveUpAt = Date.now() + idleTimeoutMs;
          for (let position = low; position < high;) {
            if (Date.now() > giveUpAt) throw new ClusterNotIdleError(`${topic.name}[${p}]: offsets ${position} to ${high} not readable`);
            for (const m of await reader.next(1_000)) {
              position = m.offset + 1;
              if (m.offset >= high) continue;
              const value = m.value === null ? null : topic.codec.decode(m.value);
              found.push({ message: { key: m.key, value, headers: m.headers, partition: p }, timestamp: m.timestamp, offset: m.offset });
            }
          }
        } finally {
          await reader.close();
        }
      }
      found.sort((a, b) => a.timestamp - b.timestamp || a.message.partition - b.message.partition || a.offset - b.offset);
      return found.map((f) => f.message);
    },
    async close() {
      await Promise.all([...groups.values()].map((g) => g.processor.stop()));
      await broker.close();
    },
  };
}
