/** Seams on the broker port for tests: a broker that delegates to another except where a test overrides a method. */
import type { Broker } from "gokac/runtime";

/** `broker` as a plain port, with the methods in `overrides` replacing its own (each override may call `broker`). */
export function overrideBroker(broker: Broker, overrides: Partial<Broker>): Broker {
  return {
    partitionCount: (topic) => broker.partitionCount(topic),
    isCompacted: (topic) => broker.isCompacted(topic),
    createTopic: (config) => broker.createTopic(config),
    highWatermark: (topic, partition) => broker.highWatermark(topic, partition),
    committedOffset: (group, topic, partition) => broker.committedOffset(group, topic, partition),
    reader: (topic, partition, offset) => broker.reader(topic, partition, offset),
    producer: () => broker.producer(),
    joinGroup: (options) => broker.joinGroup(options),
    close: () => broker.close(),
    ...overrides,
  };
}
