/** The group fetch budget on the real broker: a member's batches stay within its partition's share of `groupFetchBytes`. */
import { afterAll, expect, it } from "vitest";
import type { Batch, Broker } from "../../runtime/broker/port.js";
import { createKafkaBroker } from "../../runtime/broker/kafka/index.js";
import { describeKafka, eventually, kafkaBrokers, unique } from "./kafka-env.js";

/** Joins `topic` with a member that records the record bytes (key + value) of every batch it is handed. */
async function batchSizes(broker: Broker, topic: string, expected: number): Promise<number[]> {
  const sizes: number[] = [];
  let received = 0;
  const member = await broker.joinGroup({
    group: unique("budget-group"),
    topics: [topic],
    callbacks: {
      onAssigned: async () => {},
      onRevoked: async () => {},
      onBatch: async (batch: Batch) => {
        sizes.push(batch.messages.reduce((sum, m) => sum + m.key.length + (m.value?.byteLength ?? 0), 0));
        received += batch.messages.length;
      },
      onError: () => {},
    },
  });
  try {
    await eventually(() => received >= expected, 60_000, "every message");
  } finally {
    await member.leave();
  }
  return sizes;
}

describeKafka("kafka group fetch budget", () => {
  const brokers: Broker[] = [];
  afterAll(async () => {
    await Promise.all(brokers.map((b) => b.close()));
  });

  it(
    "hands a member batches no larger than its share of groupFetchBytes (bigger ones under a bigger budget)",
    { timeout: 120_000 },
    async () => {
      const budget = 64 * 1024;
      const limited = createKafkaBroker({ brokers: kafkaBrokers(), clientId: "gokac-budget-test", groupFetchBytes: budget });
      brokers.push(limited);
      const topic = unique("budget-in");
      await limited.createTopic({ topic, partitions: 1, compacted: false });
      const producer = await limited.producer();
      // 400 sends of 10 records of ~110 bytes: record batches of ~1.2 KB, about 440 KB in all.
      const value = new Uint8Array(100).fill(7);
      for (let s = 0; s < 400; s++)
        await producer.send(Array.from({ length: 10 }, (_, i) => ({ topic, partition: 0, key: `k-${s}-${i}`, value })));
      await producer.close();

      const sizes = await batchSizes(limited, topic, 4_000);
      // One partition: its share is the whole budget; record framing makes the fetched bytes a bit more than keys + values.
      expect(Math.max(...sizes)).toBeLessThanOrEqual(budget);
      expect(sizes.length).toBeGreaterThan(4);

      // The same topic through a broker with a budget large enough for kafkajs's own limit comes in far bigger batches.
      const roomy = createKafkaBroker({ brokers: kafkaBrokers(), clientId: "gokac-budget-test", groupFetchBytes: 8 * 1024 * 1024 });
      brokers.push(roomy);
      const big = await batchSizes(roomy, topic, 4_000);
      expect(Math.max(...big)).toBeGreaterThan(budget);
    },
  );
});
