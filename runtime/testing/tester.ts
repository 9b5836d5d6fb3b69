/**
 * Goka's tester for gokac: register groups, consume messages into their
 * inputs, run until every processor is idle, then inspect tables and what
 * was emitted. Runs on the in-memory broker with memory storage, so it is
 * fast and leaves no files; the processors are the real ones.
 */
import { createMemoryBroker, type MemoryBroker } from "../broker/memory/index.js";
import type { ProduceRecord } from "../broker/port.js";
import { partitionForKey, type Partitioner } from "../broker/partitioner.js";
import type { Codec } from "../codecs/codec.js";
import type { Headers, HeadersInit } from "../context.js";
import { checkPositiveInteger } from "../errors.js";
import type { GroupDefinition, TopicSpec } from "../graph.js";
import { DEAD_LETTER_HEADERS, resolveErrorPolicy } from "../processor/error-policy.js";
import { createProcessor, type Processor, writeTableValue } from "../processor/processor.js";
import { createMemoryStorage } from "../storage/memory-storage.js";
import type { Storage } from "../storage/storage.js";
import { loopTopic, tableTopic } from "../topics/requirements.js";

/** Options of `createTester`. */
export interface TesterOptions {
  /** Partitions of topics the tester creates when a graph does not declare a count (default 1). */
  readonly partitions?: number;
  /** Messages per delivered batch (default 500). */
  readonly maxBatchSize?: number;
  /** How processors treat `null` input values (see `ProcessorOptions.nilHandling`; default `"ignore"`). */
  readonly nilHandling?: "ignore" | "process";
}

/** A message the tester saw on a topic. `value` is `null` for a tombstone. */
export interface EmittedMessage<V> {
  readonly key: string;
  readonly value: V | null;
  readonly headers: Headers;
  readonly partition: number;
}

/** A dead letter the tester saw: the original key and value bytes, its headers, and the failure its `gokac.error.*` headers describe. */
export interface DeadLetter {
  readonly key: string;
  /** The original value bytes (`null` for a tombstone). */
  readonly value: Uint8Array | null;
  /** Every header: the original ones plus `gokac.error.*`. */
  readonly headers: Headers;
  readonly kind: "decode" | "handler" | "timeout";
  /** The failure's reason, as text. */
  readonly message: string;
  /** Where the failed message was. */
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/** A group, by its definition or its name. */
export type GroupRef<V> = GroupDefinition<V> | string;

/** The tester. */
export interface Tester {
  /** The in-memory broker underneath (for topics and acks control). */
  readonly broker: MemoryBroker;
  /** Adds a group; its processor starts at the next `run` (or table access). */
  register(group: GroupDefinition<unknown>): void;
  /** Queues a message for a topic (a generated `TopicSpec`, or a name some registered group consumes); sent at the next `run`. */
  consume<V>(topic: TopicSpec<V> | string, key: string, value: V | null, options?: { headers?: HeadersInit }): void;
  /**
   * Sends queued messages and waits until every processor is idle; rejects with the first processor failure.
   * A queued value its codec refuses rejects too, and nothing queued is sent.
   */
  run(): Promise<void>;
  /** The group table's value of `key`. */
  tableValue<V>(group: GroupRef<V>, key: string): Promise<V | undefined>;
  /** Writes (or, with `undefined`, deletes) a group table value as a handler would, changelog included. */
  setTableValue<V>(group: GroupRef<V>, key: string, value: V | undefined): Promise<void>;
  /** Messages on `topic` since the tester started (or the last `clearEmitted`), in produce order, decoded. */
  emitted<V>(topic: TopicSpec<V>): EmittedMessage<V>[];
  /** Forgets what was emitted so far (on one topic, or all). */
  clearEmitted(topic?: TopicSpec<unknown> | string): void;
  /** Dead letters the group's error policies sent since the tester started (or the last `clearEmitted`), in order. */
  deadLetters(group: GroupRef<unknown>): DeadLetter[];
  /** Runs visitor `name` over every key of the group's table, then runs until idle. */
  visitAll(group: GroupRef<unknown>, name: string, meta: unknown): Promise<void>;
  /** The processor of a registered group. */
  processor<V>(group: GroupRef<V>): Processor<V>;
  /** Stops every processor. */
  close(): Promise<void>;
}

interface Registered {
  readonly definition: GroupDefinition<any>;
  readonly processor: Processor<any>;
  started: boolean;
}

/** Creates a tester. */
export function createTester(options: TesterOptions = {}): Tester {
  checkPositiveInteger("partitions", options.partitions);
  checkPositiveInteger("maxBatchSize", options.maxBatchSize);
  const defaultPartitions = options.partitions ?? 1;
  const broker = createMemoryBroker({
    autoCreatePartitions: defaultPartitions,
    ...(options.maxBatchSize === undefined ? {} : { maxBatchSize: options.maxBatchSize }),
  });
  // One storage per group, as each group has its own state directory in production (a join and its table's owner each keep a copy).
  const storages = new Map<string, Storage>();
  const groups = new Map<string, Registered>();
  const queued: {
    topic: string;
    codec: Codec<unknown>;
    partitioner: Partitioner;
    key: string;
    value: unknown;
    headers: HeadersInit | undefined;
  }[] = [];
  const marks = new Map<string, number>();
  const failures: Error[] = [];

  async function ensureTopic(topic: string, partitions: number, compacted: boolean): Promise<void> {
    if ((await broker.partitionCount(topic)) === undefined) await broker.createTopic({ topic, partitions, compacted });
  }

  async function startAll(): Promise<void> {
    const pending = [...groups.values()].filter((g) => !g.started);
    // 1. Each group's copartitioned topics with its count first, so another group's lookup or output of them finds the right count.
    for (const g of pending) {
      const graph = g.definition.graph;
      const n = graph.partitions ?? defaultPartitions;
      for (const input of graph.inputs) for (const t of input.topics) await ensureTopic(t, n, false);
      if (graph.persist !== undefined) await ensureTopic(tableTopic(graph.group), n, true);
      if (graph.loop !== undefined) await ensureTopic(loopTopic(graph.group), n, false);
      for (const j of graph.joins ?? []) await ensureTopic(j.table, n, true);
    }
    // 2. Lookups and outputs nobody registered consumes or owns.
    for (const g of pending) {
      const graph = g.definition.graph;
      for (const l of graph.lookups ?? []) await ensureTopic(l.table, defaultPartitions, true);
      for (const o of graph.outputs ?? []) await ensureTopic(o.topic, defaultPartitions, false);
      g.started = true;
    }
    await Promise.all(pending.map((g) => g.processor.start()));
  }

  function find<V>(group: GroupRef<V>): Registered {
    return findRegistered(groups, group, "tester");
  }

  function throwIfFailed(): void {
    const first = failures[0];
    if (first !== undefined) throw first;
  }

  async function run(): Promise<void> {
    await startAll();
    if (queued.length > 0) {
      const records: ProduceRecord[] = [];
      // Encode everything before sending anything: a refused value sends nothing.
      for (const q of queued.splice(0)) {
        await ensureTopic(q.topic, defaultPartitions, false);
        const partitions = (await broker.partitionCount(q.topic)) ?? defaultPartitions;
        const value = q.value === null ? null : q.codec.encode(q.value);
        const base = { topic: q.topic, partition: partitionForKey(q.key, partitions, q.partitioner), key: q.key, value };
        records.push(q.headers === undefined ? base : { ...base, headers: q.headers });
      }
      const producer = await broker.producer();
      await producer.send(records);
      await producer.close();
    }
    await broker.idle();
    throwIfFailed();
  }

  return {
    broker,
    register(definition) {
      const name = definition.graph.group;
      if (groups.has(name)) throw new Error(`tester: group ${name} is registered twice`);
      let storage = storages.get(name);
      if (storage === undefined) {
        storage = createMemoryStorage();
        storages.set(name, storage);
      }
      const processor = createProcessor(definition, {
        broker,
        storage,
        ...(options.maxBatchSize === undefined ? {} : { maxBatchSize: options.maxBatchSize }),
        ...(options.nilHandling === undefined ? {} : { nilHandling: options.nilHandling }),
      });
      processor.on("error", ({ error }) => failures.push(error));
      groups.set(name, { definition, processor, started: false });
    },
    consume(topic, key, value, consumeOptions) {
      const { name, codec, partitioner } = consumedTopic(topic, groups.values(), "tester");
      queued.push({ topic: name, codec, partitioner, key, value, headers: consumeOptions?.headers });
    },
    run,
    async tableValue<V>(group: GroupRef<V>, key: string) {
      await startAll();
      return (await find(group).processor.get(key)) as V | undefined;
    },
    async setTableValue(group, key, value) {
      await startAll();
      await writeTableValue(find(group).processor, key, value);
      await broker.idle();
      throwIfFailed();
    },
    emitted<V>(topic: TopicSpec<V>) {
      const all = broker.messages(topic.name);
      return all.slice(marks.get(topic.name) ?? 0).map((m) => ({
        key: m.key,
        value: m.value === null ? null : topic.codec.decode(m.value),
        headers: m.headers,
        partition: m.partition,
      }));
    },
    deadLetters(group) {
      const topic = resolveErrorPolicy(find(group).definition.graph).deadLetter;
      if (topic === undefined) return [];
      const text = (headers: Headers, name: string) => new TextDecoder().decode(headers[name] ?? new Uint8Array());
      return broker
        .messages(topic)
        .slice(marks.get(topic) ?? 0)
        .map((m) => ({
          key: m.key,
          value: m.value,
          headers: m.headers,
          kind: text(m.headers, DEAD_LETTER_HEADERS.kind) as DeadLetter["kind"],
          message: text(m.headers, DEAD_LETTER_HEADERS.message),
          topic: text(m.headers, DEAD_LETTER_HEADERS.topic),
          partition: Number(text(m.headers, DEAD_LETTER_HEADERS.partition)),
          offset: Number(text(m.headers, DEAD_LETTER_HEADERS.offset)),
        }));
    },
    clearEmitted(topic) {
      const names = topic === undefined ? broker.topics() : [typeof topic === "string" ? topic : topic.name];
      for (const name of names) marks.set(name, broker.messages(name).length);
    },
    async visitAll(group, name, meta) {
      await run();
      await find(group).processor.visitAll(name, meta);
      await broker.idle();
      throwIfFailed();
    },
    processor<V>(group: GroupRef<V>) {
      return find(group).processor as Processor<V>;
    },
    async close() {
      await Promise.all([...groups.values()].map((g) => g.processor.stop()));
      await broker.close();
    },
  };
}

/** The registered group `group` names (by definition or name), or an error naming `who` (the tester or the cluster tester). */
export function findRegistered<R>(groups: ReadonlyMap<string, R>, group: GroupRef<unknown>, who: string): R {
  const name = typeof group === "string" ? group : group.graph.group;
  const g = groups.get(name);
  if (g === undefined) throw new Error(`${who}: group ${name} is not registered`);
  return g;
}

/**
 * The name, codec and partitioner of a topic a test feeds: a `TopicSpec`'s own, or for a
 * topic name those of the registered group consuming it (an input, or the group's loop).
 */
export function consumedTopic(
  topic: string | TopicSpec<unknown>,
  registered: Iterable<{ readonly definition: GroupDefinition<unknown> }>,
  who: string,
): { name: string; codec: Codec<unknown>; partitioner: Partitioner } {
  if (typeof topic !== "string") return { name: topic.name, codec: topic.codec, partitioner: topic.partitioner ?? "kafka" };
  for (const { definition } of registered) {
    const graph = definition.graph;
    for (const input of graph.inputs)
      if (input.topics.includes(topic)) return { name: topic, codec: input.codec, partitioner: input.partitioner ?? "kafka" };
    if (graph.loop !== undefined && topic === loopTopic(graph.group))
      return { name: topic, codec: graph.loop.codec, partitioner: graph.partitioner ?? "kafka" };
  }
  throw new Error(`${who}: no registered group consumes ${topic}; pass its TopicSpec`);
}
