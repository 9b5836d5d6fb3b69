/**
 * An emitter (Goka's Emitter): a typed producer for one topic, placing keys
 * with the topic's partitioner (Kafka's default unless it says `goka`).
 */
import { partitionForKey } from "../broker/partitioner.js";
import type { Broker, ProducedOffset, Producer } from "../broker/port.js";
import type { EmitOptions } from "../context.js";
import type { TopicSpec } from "../graph.js";

/** A typed producer for one topic. */
export interface Emitter<V> {
  readonly topic: string;
  /** Encodes and sends one message; resolves once it is acknowledged. `null` sends a tombstone. */
  emit(key: string, value: V | null, options?: EmitOptions): Promise<ProducedOffset>;
  /** Sends many at once (one request); resolves once all are acknowledged. */
  emitMany(messages: readonly { key: string; value: V | null; headers?: EmitOptions["headers"] }[]): Promise<ProducedOffset[]>;
  close(): Promise<void>;
}

/** Creates an emitter for `topic` (which must exist when the first message is sent). */
export function createEmitter<V>(broker: Broker, topic: TopicSpec<V>): Emitter<V> {
  let producer: Promise<Producer> | undefined;
  let partitions: Promise<number> | undefined;

  async function send(messages: readonly { key: string; value: V | null; headers?: EmitOptions["headers"] }[]): Promise<ProducedOffset[]> {
    partitions ??= broker.partitionCount(topic.name).then((n) => {
      if (n === undefined) {
        partitions = undefined;
        throw new Error(`emitter: topic ${topic.name} does not exist`);
      }
      return n;
    });
    const count = await partitions;
    const records = messages.map((m) => {
      const value = m.value === null ? null : topic.codec.encode(m.value);
      const base = { topic: topic.name, partition: partitionForKey(m.key, count, topic.partitioner), key: m.key, value };
      return m.headers === undefined ? base : { ...base, headers: m.headers };
    });
    producer ??= broker.producer(topic.compression === undefined ? {} : { compression: { [topic.name]: topic.compression } });
    return (await producer).send(records);
  }

  return {
    topic: topic.name,
    async emit(key, value, options) {
      const [offset] = await send([options?.headers === undefined ? { key, value } : { key, value, headers: options.headers }]);
      if (offset === undefined) throw new Error(`emitter: no acknowledgement for ${topic.name}`);
      return offset;
    },
    emitMany: (messages) => send(messages),
    async close() {
      if (producer !== undefined) await (await producer).close();
      producer = undefined;
    },
  };
}
