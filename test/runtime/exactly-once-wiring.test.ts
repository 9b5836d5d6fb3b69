/**
 * How an `exactly-once` group uses a broker's transactional producers (the
 * Kafka behaviour itself is tested on the real broker in
 * test/system/exactly-once.test.ts): one producer per partition with id
 * `gokac.<group>.<partition>`, one transaction per batch holding its emits,
 * changelog writes and input offsets (not committed through the group
 * member), and nothing stored when the transaction fails. The in-memory
 * broker gets a recording `transactionalProducer` here; without one the
 * group runs at-least-once.
 */
import { describe, expect, it } from "vitest";
import {
  createMemoryBroker,
  createMemoryStorage,
  createProcessor,
  defineGroup,
  type Broker,
  type GroupDefinition,
  type MemoryBroker,
  type ProduceRecord,
  type TransactionOffsets,
} from "gokac/runtime";
import { clicks, counterGroup, counterTable, counts } from "./groups.js";

interface Recorded {
  readonly id: string;
  readonly topics: string[];
  readonly offsets: TransactionOffsets | undefined;
}

/** `broker` with transactional producers that record each transaction and send its records (or fail every one, with `fail`). */
function transactional(broker: MemoryBroker, recorded: Recorded[], fail = false): Broker {
  return {
    ...broker,
    async transactionalProducer(id: string) {
      const inner = await broker.producer();
      return {
        async commit(records: readonly ProduceRecord[], offsets: TransactionOffsets | undefined) {
          recorded.push({ id, topics: [...new Set(records.map((r) => r.topic))], offsets });
          if (fail) throw new Error("transaction aborted");
          return inner.send(records);
        },
        close: () => inner.close(),
      };
    },
  };
}

const exactlyOnce = (definition: GroupDefinition<bigint>): GroupDefinition<bigint> =>
  defineGroup<bigint>({ ...definition.graph, guarantee: "exactly-once" }, definition.handlers);

async function setUp(): Promise<MemoryBroker> {
  const broker = createMemoryBroker();
  for (const topic of [clicks.name, counts.name]) await broker.createTopic({ topic, partitions: 1, compacted: false });
  await broker.createTopic({ topic: counterTable.name, partitions: 1, compacted: true });
  const producer = await broker.producer();
  const x = new TextEncoder().encode("x");
  await producer.send([
    { topic: clicks.name, partition: 0, key: "a", value: x },
    { topic: clicks.name, partition: 0, key: "a", value: x },
  ]);
  return broker;
}

describe("exactly-once wiring", () => {
  it("one transaction per batch: emits, changelog and the input offsets, through the partition's transactional id", async () => {
    const broker = await setUp();
    const recorded: Recorded[] = [];
    const processor = createProcessor(exactlyOnce(counterGroup(undefined, 1)), {
      broker: transactional(broker, recorded),
      storage: createMemoryStorage(),
    });
    await processor.start();
    await broker.idle();
    expect(recorded).toEqual([
      {
        id: "gokac.counter.0",
        topics: [counts.name, counterTable.name],
        offsets: { group: "counter", offsets: [{ topic: clicks.name, partition: 0, offset: 2 }] },
      },
    ]);
    expect(await processor.get("a")).toBe(2n);
    // The offsets went into the transaction, not through the group member.
    expect(await broker.committedOffset("counter", clicks.name, 0)).toBeUndefined();
    await processor.stop();
  });

  it("a failed transaction stores nothing: the restart counts each message once", async () => {
    const broker = await setUp();
    const storage = createMemoryStorage();
    const failing = createProcessor(exactlyOnce(counterGroup(undefined, 1)), { broker: transactional(broker, [], true), storage });
    await failing.start().catch(() => undefined);
    expect(await failing.done).toMatchObject({ name: "ProcessorError", kind: "produce" });

    const recorded: Recorded[] = [];
    const second = createProcessor(exactlyOnce(counterGroup(undefined, 1)), { broker: transactional(broker, recorded), storage });
    await second.start();
    await broker.idle();
    expect(await second.get("a")).toBe(2n);
    expect(broker.messages(counts.name)).toHaveLength(2);
    await second.stop();
  });

  it("without transactional producers (the in-memory broker) an exactly-once group runs at-least-once", async () => {
    const broker = await setUp();
    const processor = createProcessor(exactlyOnce(counterGroup(undefined, 1)), { broker, storage: createMemoryStorage() });
    await processor.start();
    await broker.idle();
    expect(await processor.get("a")).toBe(2n);
    expect(await broker.committedOffset("counter", clicks.name, 0)).toBe(2);
    await processor.stop();
  });
});
