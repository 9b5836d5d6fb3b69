/** Views (whole-table copies that keep catching up), emitters, and processors of one group sharing partitions. */
import { describe, expect, it } from "vitest";
import {
  codecs,
  createEmitter,
  createMemoryBroker,
  createMemoryStorage,
  createProcessor,
  createView,
  defineGroup,
  defineTopic,
  partitionForKey,
  runUntilSignal,
  type BaseContext,
  type TableContext,
} from "gokac/runtime";

const deposits = defineTopic("deposits", codecs.int64);
const balanceGroup = defineGroup<bigint>(
  { group: "balance", inputs: [{ topics: [deposits.name], codec: deposits.codec, handler: "deposit" }], persist: { codec: codecs.int64 } },
  {
    deposit(ctx: BaseContext & TableContext<bigint>, msg: bigint) {
      ctx.setValue(((ctx.value() as bigint | undefined) ?? 0n) + msg);
    },
  },
);

async function until(condition: () => Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe("emitter and view", () => {
  it("an emitter partitions by key; a view recovers every partition and keeps catching up", async () => {
    const broker = createMemoryBroker();
    await broker.createTopic({ topic: deposits.name, partitions: 4, compacted: false });
    const emitter = createEmitter(broker, deposits);
    const acked = await emitter.emit("alice", 10n, { headers: { source: "test" } });
    expect(acked.partition).toBe(partitionForKey("alice", 4));
    await emitter.emitMany([
      { key: "bob", value: 5n },
      { key: "alice", value: 1n },
    ]);
    const processor = createProcessor(balanceGroup, { broker, storage: createMemoryStorage() });
    await processor.start();
    await broker.idle();

    const view = createView(broker, balanceGroup);
    await view.start();
    expect(await view.get("alice")).toBe(11n);
    expect(await view.get("bob")).toBe(5n);
    expect(await view.get("nobody")).toBeUndefined();
    await emitter.emit("bob", 2n);
    await until(async () => (await view.get("bob")) === 7n, "the view to catch up");
    await view.stop();
    await emitter.close();
    await processor.stop();
  });

  it("a view of a missing table fails to start", async () => {
    const broker = createMemoryBroker();
    await expect(createView(broker, defineTopic("nope-table", codecs.string)).start()).rejects.toMatchObject({
      name: "ProcessorSetupError",
    });
  });
});

describe("processors of one group", () => {
  it("share partitions; when one stops, the other takes over and recovers its tables from the changelog", async () => {
    const broker = createMemoryBroker();
    await broker.createTopic({ topic: deposits.name, partitions: 4, compacted: false });
    const one = createProcessor(balanceGroup, { broker, storage: createMemoryStorage() });
    const two = createProcessor(balanceGroup, { broker, storage: createMemoryStorage() });
    await one.start();
    await two.start();
    expect(one.partitions).toEqual([0, 2]);
    expect(two.partitions).toEqual([1, 3]);
    const emitter = createEmitter(broker, deposits);
    const keys = Array.from({ length: 12 }, (_, i) => `user-${i}`);
    await emitter.emitMany(keys.map((key, i) => ({ key, value: BigInt(i) })));
    await broker.idle();
    await two.stop();
    expect(one.partitions).toEqual([0, 1, 2, 3]);
    await emitter.emitMany(keys.map((key) => ({ key, value: 100n })));
    await broker.idle();
    for (const [i, key] of keys.entries()) expect(await one.get(key)).toBe(BigInt(i) + 100n);
    await one.stop();
  });
});

describe("runUntilSignal", () => {
  it("starts processors, stops them cleanly on SIGTERM, and resolves without error", async () => {
    const broker = createMemoryBroker();
    await broker.createTopic({ topic: deposits.name, partitions: 2, compacted: false });
    const processor = createProcessor(balanceGroup, { broker, storage: createMemoryStorage() });
    const stopping: unknown[] = [];
    const running = runUntilSignal([processor], { onStopping: (reason) => stopping.push(reason) });
    await until(async () => processor.lifecycle === "running", "the processor to run");
    await createEmitter(broker, deposits).emit("k", 3n);
    await broker.idle();
    process.emit("SIGTERM");
    expect(await running).toBeUndefined();
    expect(stopping).toEqual([{ signal: "SIGTERM" }]);
    expect(processor.lifecycle).toBe("stopped");
    expect(await broker.committedOffset("balance", deposits.name, partitionForKey("k", 2))).toBe(1);
  });

  it("resolves with the start error when a processor cannot start, and stops the others", async () => {
    const broker = createMemoryBroker();
    await broker.createTopic({ topic: deposits.name, partitions: 1, compacted: false });
    const healthy = createProcessor(balanceGroup, { broker, storage: createMemoryStorage() });
    const orphan = createProcessor(
      defineGroup<never>({ group: "orphan", inputs: [{ topics: ["missing"], codec: codecs.string, handler: "h" }] }, { h() {} }),
      {
        broker,
        storage: createMemoryStorage(),
      },
    );
    const error = await runUntilSignal([healthy, orphan]);
    expect(error).toMatchObject({ name: "TopicCheckError" });
    expect(healthy.lifecycle).toBe("stopped");
  });

  it("resolves with the error of a failing processor", async () => {
    const broker = createMemoryBroker();
    await broker.createTopic({ topic: "bad", partitions: 1, compacted: false });
    const failing = defineGroup<never>(
      { group: "failing", inputs: [{ topics: ["bad"], codec: codecs.string, handler: "h" }] },
      {
        h() {
          throw new Error("boom");
        },
      },
    );
    const processor = createProcessor(failing, { broker, storage: createMemoryStorage() });
    const running = runUntilSignal([processor]);
    await until(async () => processor.lifecycle === "running", "the processor to run");
    await createEmitter(broker, defineTopic("bad", codecs.string)).emit("k", "v");
    expect(await running).toMatchObject({ name: "ProcessorError", group: "failing", key: "k" });
  });
});
