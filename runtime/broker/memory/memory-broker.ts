/**
 * The in-memory broker: the broker port in-process, faithful in what the
 * processor relies on (partitions, offsets, high watermarks, consumer groups
 * with the copartitioned assignment and rebalances, committed offsets,
 * tombstones, asynchronous produce acks). Used by the tester and for local
 * development; no compaction.
 */
import { checkPositiveInteger } from "../../errors.js";
import type { Broker, BrokerMessage, PartitionReader, ProduceRecord, ProducedOffset, TopicConfig } from "../port.js";
import { type AckControl, createAckQueue } from "./memory-acks.js";
import { MemoryGroup } from "./memory-group.js";
import { createTopicLog, type TopicLog } from "./memory-log.js";

/** Options of `createMemoryBroker`. */
export interface MemoryBrokerOptions {
  /** Create unknown topics on produce with this many partitions (like `auto.create.topics.enable`); off when absent. */
  readonly autoCreatePartitions?: number;
  /** Most messages per delivered batch or reader batch (default 500). */
  readonly maxBatchSize?: number;
}

/** The in-memory broker with test controls. */
export interface MemoryBroker extends Broker {
  /** Holds, releases or fails produce acknowledgements. */
  readonly acks: AckControl;
  /** Resolves once nothing more happens without outside action: no send in flight, no rebalance, every group fetcher and reader caught up and waiting. */
  idle(): Promise<void>;
  /** Every message of a topic, in append order across partitions (tombstones included). */
  messages(topic: string): readonly BrokerMessage[];
  /** Topic names, sorted. */
  topics(): string[];
  /** Ends every member of `group` for good (a broker loss): their `onError` gets `error`; their commits fail afterwards, `leave` does nothing. */
  failGroup(group: string, error: Error): Promise<void>;
}

const utf8 = new TextEncoder();
/** Shared by every message produced without headers (most), sparing an object per message. */
const NO_HEADERS: Readonly<Record<string, Uint8Array>> = Object.freeze({});

/** Creates an empty in-memory broker. */
export function createMemoryBroker(options: MemoryBrokerOptions = {}): MemoryBroker {
  checkPositiveInteger("autoCreatePartitions", options.autoCreatePartitions);
  checkPositiveInteger("maxBatchSize", options.maxBatchSize);
  const maxBatchSize = options.maxBatchSize ?? 500;
  const topics = new Map<string, TopicLog>();
  const appendOrder = new Map<string, BrokerMessage[]>();
  const groups = new Map<string, MemoryGroup>();
  const acks = createAckQueue();
  const readers = new Set<{ readonly idle: boolean }>();
  let closed = false;

  const env = { topic: (name: string) => topics.get(name), maxBatchSize };

  function requireTopic(name: string): TopicLog {
    const topic = topics.get(name);
    if (topic === undefined) throw new Error(`memory broker: unknown topic ${name}`);
    return topic;
  }

  function createTopic(config: TopicConfig): void {
    const existing = topics.get(config.topic);
    if (existing !== undefined) {
      if (existing.partitions.length !== config.partitions) {
        throw new Error(
          `memory broker: topic ${config.topic} exists with ${existing.partitions.length} partitions, not ${config.partitions}`,
        );
      }
      return;
    }
    if (!Number.isInteger(config.partitions) || config.partitions < 1)
      throw new RangeError(`memory broker: bad partition count ${config.partitions}`);
    topics.set(config.topic, createTopicLog(config.topic, config.partitions, config.compacted));
    appendOrder.set(config.topic, []);
  }

  function append(record: ProduceRecord, now: number): ProducedOffset {
    if (!topics.has(record.topic) && options.autoCreatePartitions !== undefined) {
      createTopic({ topic: record.topic, partitions: options.autoCreatePartitions, compacted: false });
    }
    const log = requireTopic(record.topic).partitions[record.partition];
    if (log === undefined) throw new Error(`memory broker: topic ${record.topic} has no partition ${record.partition}`);
    let headers: Readonly<Record<string, Uint8Array>> = NO_HEADERS;
    if (record.headers !== undefined) {
      const encoded: Record<string, Uint8Array> = {};
      for (const [name, value] of Object.entries(record.headers)) encoded[name] = typeof value === "string" ? utf8.encode(value) : value;
      headers = encoded;
    }
    const message: BrokerMessage = {
      topic: record.topic,
      partition: record.partition,
      offset: log.highWatermark,
      key: record.key,
      value: record.value,
      headers,
      timestamp: record.timestamp ?? now,
    };
    log.append(message);
    appendOrder.get(record.topic)?.push(message);
    return { topic: message.topic, partition: message.partition, offset: message.offset };
  }

  function group(name: string): MemoryGroup {
    let g = groups.get(name);
    if (g === undefined) {
      g = new MemoryGroup(name, env);
      groups.set(name, g);
    }
    return g;
  }

  function isIdle(): boolean {
    return acks.inFlight === 0 && [...groups.values()].every((g) => g.idle) && [...readers].every((r) => r.idle);
  }

  return {
    acks,
    async partitionCount(topic) {
      return topics.get(topic)?.partitions.length;
    },
    async isCompacted(topic) {
      return topics.get(topic)?.compacted;
    },
    async createTopic(config) {
      createTopic(config);
    },
    async highWatermark(topic, partition) {
      const log = requireTopic(topic).partitions[partition];
      if (log === undefined) throw new Error(`memory broker: topic ${topic} has no partition ${partition}`);
      return log.highWatermark;
    },
    async committedOffset(groupName, topic, partition) {
      return groups.get(groupName)?.committedOffset(topic, partition);
    },
    async reader(topic, partition, offset) {
      const log = requireTopic(topic).partitions[partition];
      if (log === undefined) throw new Error(`memory broker: topic ${topic} has no partition ${partition}`);
      let position = Math.max(0, Math.min(offset, log.highWatermark));
      let waiting = false;
      let isClosed = false;
      const wake: { wake?: () => void } = {};
      const state = {
        get idle() {
          return isClosed || (waiting && position >= log.highWatermark);
        },
      };
      readers.add(state);
      const reader: PartitionReader = {
        async next(maxWaitMs) {
          if (isClosed) return [];
          waiting = true;
          try {
            if (position >= log.highWatermark) await log.waitForAppend(maxWaitMs, wake);
          } finally {
            waiting = false;
          }
          if (isClosed) return [];
          const batch = log.messages.slice(position, position + maxBatchSize);
          position += batch.length;
          return batch;
        },
        async close() {
          isClosed = true;
          readers.delete(state);
          wake.wake?.();
        },
      };
      return reader;
    },
    async producer() {
      let producerClosed = false;
      return {
        send(records) {
          if (producerClosed || closed) return Promise.reject(new Error("memory broker: producer is closed"));
          for (const r of records) {
            const topic = topics.get(r.topic);
            if (topic === undefined && options.autoCreatePartitions === undefined)
              return Promise.reject(new Error(`memory broker: unknown topic ${r.topic}`));
            const count = topic?.partitions.length ?? options.autoCreatePartitions ?? 0;
            if (!Number.isInteger(r.partition) || r.partition < 0 || r.partition >= count) {
              return Promise.reject(new Error(`memory broker: topic ${r.topic} has no partition ${r.partition}`));
            }
          }
          return new Promise<ProducedOffset[]>((resolve, reject) => {
            acks.schedule({
              deliver: () => {
                const now = Date.now();
                try {
                  resolve(records.map((r) => append(r, now)));
                } catch (error) {
                  reject(error);
                }
              },
              reject,
            });
          });
        },
        async close() {
          producerClosed = true;
        },
      };
    },
    async joinGroup(groupOptions) {
      for (const topic of groupOptions.topics) requireTopic(topic);
      return group(groupOptions.group).join(groupOptions);
    },
    async idle() {
      // Stable across a few macrotasks, so work scheduled by callbacks (I/O, timers of 0) shows up first.
      let stable = 0;
      while (stable < 3) {
        await new Promise((resolve) => setImmediate(resolve));
        stable = isIdle() ? stable + 1 : 0;
      }
    },
    messages(topic) {
      return appendOrder.get(topic) ?? [];
    },
    topics() {
      return [...topics.keys()].sort();
    },
    async failGroup(groupName, error) {
      await groups.get(groupName)?.fail(error);
    },
    async close() {
      closed = true;
    },
  };
}
