/**
 * `namespaceBroker` (createKafkaBroker's `namespace`) on the in-memory broker:
 * names are prefixed on the way in and stripped on the way out; and the
 * cluster tester (`gokac test --brokers`'s core) on a namespaced port, where
 * its idleness watch must see the counter's work through before answering.
 */
import { describe, expect, it } from "vitest";
import { createMemoryBroker, namespaceBroker, NamespaceError } from "gokac/runtime";
import type { TransactionalProducer } from "gokac/runtime";
import { createClusterTester } from "gokac/runtime/testing";
import { clicks, counterGroup, counts } from "./groups.js";

const text = (s: string) => new TextEncoder().encode(s);

describe("namespaceBroker", () => {
  it("prefixes topics and groups on the broker underneath and strips the prefix from what comes back", async () => {
    const inner = createMemoryBroker();
    const broker = namespaceBroker(inner, "ns-1.");
    await broker.createTopic({ topic: "t", partitions: 2, compacted: false });
    expect(await inner.partitionCount("ns-1.t")).toBe(2);
    expect(await inner.partitionCount("t")).toBeUndefined();
    expect(await broker.partitionCount("t")).toBe(2);

    const producer = await broker.producer();
    const sent = await producer.send([{ topic: "t", partition: 1, key: "k", value: text("v") }]);
    await producer.close();
    expect(sent).toEqual([{ topic: "t", partition: 1, offset: 0 }]);
    expect(await broker.highWatermark("t", 1)).toBe(1);

    const reader = await broker.reader("t", 1, 0);
    const [message] = await reader.next(100);
    await reader.close();
    expect(message?.topic).toBe("t");

    const batches: string[] = [];
    const member = await broker.joinGroup({
      group: "g",
      topics: ["t"],
      callbacks: {
        onAssigned: async () => undefined,
        onRevoked: async () => undefined,
        onBatch: async (batch) => {
          batches.push(batch.topic, ...batch.messages.map((m) => m.topic));
        },
        onError: () => undefined,
      },
    });
    await inner.idle();
    await member.commit([{ topic: "t", partition: 1, offset: 1 }]);
    expect(batches).toEqual(["t", "t"]);
    expect(await inner.committedOffset("ns-1.g", "ns-1.t", 1)).toBe(1);
    expect(await broker.committedOffset("g", "t", 1)).toBe(1);
    await member.leave();
    await broker.close();
  });

  it("passes hot standby's callbacks (onStandby, warmOffsets) through to the broker underneath", async () => {
    const inner = createMemoryBroker();
    const seen: unknown[] = [];
    const withSpy = Object.assign(inner, {
      joinGroup: async (options: Parameters<typeof inner.joinGroup>[0]) => {
        await options.callbacks.onStandby?.([3]);
        seen.push(options.group, options.callbacks.warmOffsets?.());
        return { commit: async () => undefined, leave: async () => undefined };
      },
    });
    const standby: number[][] = [];
    const member = await namespaceBroker(withSpy, "ns-3.").joinGroup({
      group: "g",
      topics: ["t"],
      standby: 1,
      callbacks: {
        onAssigned: async () => undefined,
        onRevoked: async () => undefined,
        onBatch: async () => undefined,
        onError: () => undefined,
        onStandby: async (partitions) => {
          standby.push([...partitions]);
        },
        warmOffsets: () => new Map([[3, 42]]),
      },
    });
    await member.leave();
    expect(standby).toEqual([[3]]);
    expect(seen).toEqual(["ns-3.g", new Map([[3, 42]])]);
  });

  it("passes exactly-once's transactional producer through, with its id, records, offsets and recovery look-ups namespaced", async () => {
    const calls: unknown[] = [];
    const inner = createMemoryBroker();
    const withTx = Object.assign(inner, {
      transactionalProducer: async (id: string): Promise<TransactionalProducer> => {
        calls.push(["open", id]);
        return {
          commit: async (records, offsets) => {
            calls.push(["commit", records.map((r) => r.topic), offsets?.group, offsets?.offsets.map((o) => o.topic)]);
            return records.map((r, i) => ({ topic: r.topic, partition: r.partition, offset: i }));
          },
          recovery: {
            reinitialize: async () => undefined,
            committed: async (offsets) => {
              calls.push(["committed", offsets.group, offsets.offsets.map((o) => o.topic)]);
              return [7];
            },
            end: async (topic) => {
              calls.push(["end", topic]);
              return 3;
            },
            exceeded: () => undefined,
            maxOutageMs: 1234,
          },
          close: async () => undefined,
        };
      },
    });
    const broker = namespaceBroker(withTx, "ns-2.");
    const tx = await broker.transactionalProducer!("gokac.g.0");
    const produced = await tx.commit([{ topic: "out", partition: 0, key: "k", value: text("v") }], {
      group: "g",
      offsets: [{ topic: "in", partition: 0, offset: 7 }],
    });
    expect(produced).toEqual([{ topic: "out", partition: 0, offset: 0 }]);
    expect(await tx.recovery!.committed({ group: "g", offsets: [{ topic: "in", partition: 0, offset: 7 }] })).toEqual([7]);
    expect(await tx.recovery!.end("g-table", 0)).toBe(3);
    expect(tx.recovery!.maxOutageMs).toBe(1234);
    expect(calls).toEqual([
      ["open", "ns-2.gokac.g.0"],
      ["commit", ["ns-2.out"], "ns-2.g", ["ns-2.in"]],
      ["committed", "ns-2.g", ["ns-2.in"]],
      ["end", "ns-2.g-table"],
    ]);
    await tx.close();
    await broker.close();
  });

  it("refuses a namespace Kafka cannot use in topic names (INVALID_NAMESPACE)", () => {
    for (const bad of ["", "has space.", "slash/", "x".repeat(101)]) {
      expect(() => namespaceBroker(createMemoryBroker(), bad)).toThrow(NamespaceError);
    }
    try {
      namespaceBroker(createMemoryBroker(), "ü");
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: "INVALID_NAMESPACE" });
    }
  });
});

describe("createClusterTester on a namespaced port", () => {
  it("runs until the counter is idle, then answers tables and emitted messages", async () => {
    const inner = createMemoryBroker();
    const tester = createClusterTester(namespaceBroker(inner, "run-1."), { partitions: 2 });
    const group = counterGroup();
    tester.register(group);
    try {
      for (const key of ["a", "b", "a", "a"]) tester.consume(clicks, key, "click");
      await tester.run();
      expect(await tester.tableValue(group, "a")).toBe(3n);
      expect(await tester.tableValue(group, "b")).toBe(1n);
      const emitted = await tester.emitted(counts);
      expect(emitted.filter((m) => m.key === "a").map((m) => m.value)).toEqual([1n, 2n, 3n]);
      expect(emitted).toHaveLength(4);
      expect(await inner.partitionCount("run-1.counter-table")).toBe(2);
    } finally {
      await tester.close();
    }
  });
});
