/**
 * D4 (issue 11): outputs and loopbacks are sent before the changelog, so a
 * failure between the two turns what at-least-once may do wrong into
 * duplicated outputs, never a table change applied twice or a lost emit.
 */
import { describe, expect, it } from "vitest";
import {
  createMemoryBroker,
  createMemoryStorage,
  createProcessor,
  type Broker,
  type MemoryBroker,
  type ProduceRecord,
} from "gokac/runtime";
import { clicks, counterGroup, counterTable, counts } from "./groups.js";

/** `broker` whose producers record the topics of each send, and fail the send numbered `failAt` (0-based), if given. */
function recording(broker: MemoryBroker, sends: string[][], failAt?: number): Broker {
  return {
    ...broker,
    async producer() {
      const inner = await broker.producer();
      return {
        send(records: readonly ProduceRecord[]) {
          const n = sends.push([...new Set(records.map((r) => r.topic))]) - 1;
          if (n === failAt) return Promise.reject(new Error("broker gone"));
          return inner.send(records);
        },
        close: () => inner.close(),
      };
    },
  };
}

async function setUp(): Promise<MemoryBroker> {
  const broker = createMemoryBroker();
  for (const topic of [clicks.name, counts.name]) await broker.createTopic({ topic, partitions: 1, compacted: false });
  await broker.createTopic({ topic: counterTable.name, partitions: 1, compacted: true });
  return broker;
}

describe("flush order (D4)", () => {
  it("a batch's emits are sent and acknowledged before its changelog", async () => {
    const broker = await setUp();
    const sends: string[][] = [];
    const processor = createProcessor(counterGroup(undefined, 1), { broker: recording(broker, sends), storage: createMemoryStorage() });
    await processor.start();
    const producer = await broker.producer();
    await producer.send([{ topic: clicks.name, partition: 0, key: "a", value: new TextEncoder().encode("x") }]);
    await broker.idle();
    expect(sends).toEqual([[counts.name], [counterTable.name]]);
    await processor.stop();
  });

  it("a failed changelog send after the emits: on restart the emit is duplicated, the count is not doubled and nothing is lost", async () => {
    const broker = await setUp();
    const storage = createMemoryStorage();
    const producer = await broker.producer();
    await producer.send([{ topic: clicks.name, partition: 0, key: "a", value: new TextEncoder().encode("x") }]);
    const first = createProcessor(counterGroup(undefined, 1), { broker: recording(broker, [], 1), storage });
    await first.start().catch(() => undefined);
    expect(await first.done).toMatchObject({ name: "ProcessorError", kind: "produce" });
    expect(broker.messages(counterTable.name)).toHaveLength(0);
    expect(broker.messages(counts.name)).toHaveLength(1);

    const second = createProcessor(counterGroup(undefined, 1), { broker, storage });
    await second.start();
    await broker.idle();
    expect(await second.get("a")).toBe(1n);
    expect(broker.messages(counts.name).map((m) => m.key)).toEqual(["a", "a"]);
    await second.stop();
  });
});
