/**
 * Goka's processor scenarios under stress on the in-memory broker: rebalances
 * while messages flow, out-of-order deferred commits, stopping with produces
 * in flight, and a failure in one partition leaving the others' progress.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  codecs,
  createEmitter,
  createMemoryBroker,
  createMemoryStorage,
  createProcessor,
  defineGroup,
  defineTopic,
  partitionForKey,
  type BaseContext,
  type MemoryBroker,
  type Processor,
  type TableContext,
} from "gokac/runtime";

const deposits = defineTopic("deposits", codecs.int64);
type Ctx = BaseContext & TableContext<bigint>;

/** Sums deposits per key; `onDeposit` may intervene before the sum is set. */
function balanceGroup(onDeposit?: (ctx: Ctx, msg: bigint) => void) {
  return defineGroup<bigint>(
    {
      group: "balance",
      inputs: [{ topics: [deposits.name], codec: deposits.codec, handler: "deposit" }],
      persist: { codec: codecs.int64 },
    },
    {
      deposit(ctx: Ctx, msg: bigint) {
        onDeposit?.(ctx, msg);
        ctx.setValue(((ctx.value() as bigint | undefined) ?? 0n) + msg);
      },
    },
  );
}

async function until(condition: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function committed(broker: MemoryBroker, group: string, partitions: number): Promise<(number | undefined)[]> {
  return Promise.all(Array.from({ length: partitions }, (_, p) => broker.committedOffset(group, deposits.name, p)));
}

const processors: Processor<any>[] = [];
afterEach(async () => {
  await Promise.all(processors.splice(0).map((p) => p.stop()));
});

describe("rebalances while messages flow", () => {
  it("a member joining and another leaving mid-stream lose and double-count nothing", async () => {
    const broker = createMemoryBroker({ maxBatchSize: 7 });
    await broker.createTopic({ topic: deposits.name, partitions: 6, compacted: false });
    const keys = Array.from({ length: 300 }, (_, i) => `acct-${i}`);
    const expected = new Map<string, bigint>();
    const emitter = createEmitter(broker, deposits);
    async function wave(amount: bigint): Promise<void> {
      await emitter.emitMany(keys.map((key) => ({ key, value: amount })));
      for (const key of keys) expected.set(key, (expected.get(key) ?? 0n) + amount);
    }
    const one = createProcessor(balanceGroup(), { broker, storage: createMemoryStorage() });
    processors.push(one);
    await one.start();
    await wave(1n);
    // 1. A second member joins while the first wave is being handled.
    const two = createProcessor(balanceGroup(), { broker, storage: createMemoryStorage() });
    processors.push(two);
    const joining = two.start();
    await wave(10n);
    await joining;
    expect(one.partitions).toEqual([0, 2, 4]);
    expect(two.partitions).toEqual([1, 3, 5]);
    await wave(100n);
    // 2. The first member leaves while the next wave is in flight; the second takes everything over.
    const sent = wave(1000n);
    await one.stop();
    await sent;
    await broker.idle();
    expect(two.partitions).toEqual([0, 1, 2, 3, 4, 5]);
    for (const key of keys) expect(await two.get(key)).toBe(expected.get(key));
    const highWatermarks = await Promise.all(Array.from({ length: 6 }, (_, p) => broker.highWatermark(deposits.name, p)));
    expect(await committed(broker, "balance", 6)).toEqual(highWatermarks);
  });
});

describe("deferred commits", () => {
  it("completing out of order commits up to the first one still open", async () => {
    const broker = createMemoryBroker();
    await broker.createTopic({ topic: deposits.name, partitions: 1, compacted: false });
    const callbacks: ((err?: unknown) => void)[] = [];
    const processor = createProcessor(
      balanceGroup((ctx) => {
        callbacks.push(ctx.deferCommit());
      }),
      { broker, storage: createMemoryStorage() },
    );
    processors.push(processor);
    await processor.start();
    await createEmitter(broker, deposits).emitMany([1n, 2n, 3n].map((value) => ({ key: "k", value })));
    await broker.idle();
    expect(callbacks).toHaveLength(3);
    expect((await broker.committedOffset("balance", deposits.name, 0)) ?? 0).toBe(0);
    callbacks[2]?.();
    callbacks[0]?.();
    await until(async () => (await broker.committedOffset("balance", deposits.name, 0)) === 1, "offset 0 to commit");
    await new Promise((resolve) => setTimeout(resolve, 10));
    // Offset 1 is still open: offset 2 is done but must not commit yet.
    expect(await broker.committedOffset("balance", deposits.name, 0)).toBe(1);
    callbacks[1]?.();
    await until(async () => (await broker.committedOffset("balance", deposits.name, 0)) === 3, "every offset to commit");
    expect(await processor.get("k")).toBe(6n);
  });
});

describe("stopping", () => {
  it("with produces in flight waits for their acks, then stores and commits before closing", async () => {
    const broker = createMemoryBroker();
    await broker.createTopic({ topic: deposits.name, partitions: 1, compacted: false });
    const storage = createMemoryStorage();
    const processor = createProcessor(balanceGroup(), { broker, storage });
    await processor.start();
    await createEmitter(broker, deposits).emit("k", 5n);
    broker.acks.hold();
    const producer = await broker.producer();
    const input = producer.send([{ topic: deposits.name, partition: 0, key: "k", value: codecs.int64.encode(7n) }]);
    broker.acks.release();
    await input;
    broker.acks.hold();
    await until(() => broker.acks.pending === 1, "the table write to be held");
    let stopped = false;
    const stopping = processor.stop().then(() => (stopped = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(stopped).toBe(false);
    expect(await broker.committedOffset("balance", deposits.name, 0)).toBe(1);
    broker.acks.release();
    await stopping;
    expect(await processor.done).toBeUndefined();
    expect(await broker.committedOffset("balance", deposits.name, 0)).toBe(2);
    // The store holds the value and the changelog offset: a restart on it recovers nothing.
    const again = createProcessor(balanceGroup(), { broker, storage });
    processors.push(again);
    const recovered: number[] = [];
    again.on("recovered", (e) => recovered.push(e.recovered));
    await again.start();
    expect(recovered).toEqual([0]);
    expect(await again.get("k")).toBe(12n);
  });
});

describe("a failure in one partition", () => {
  it("commits nothing at or after the failed message there, and keeps what other partitions committed before", async () => {
    const broker = createMemoryBroker();
    await broker.createTopic({ topic: deposits.name, partitions: 2, compacted: false });
    const keyIn = (p: number) => Array.from({ length: 100 }, (_, i) => `key-${i}`).find((k) => partitionForKey(k, 2) === p) ?? "";
    const [good, bad] = [keyIn(0), keyIn(1)];
    const processor = createProcessor(
      balanceGroup((ctx, msg) => {
        if (msg < 0n) ctx.fail(new Error("negative deposit"));
      }),
      { broker, storage: createMemoryStorage() },
    );
    processors.push(processor);
    await processor.start();
    const emitter = createEmitter(broker, deposits);
    await emitter.emitMany([
      { key: good, value: 1n },
      { key: bad, value: 1n },
    ]);
    await broker.idle();
    await emitter.emitMany([
      { key: bad, value: 2n },
      { key: bad, value: -1n },
      { key: bad, value: 3n },
    ]);
    const error = await processor.done;
    expect(error).toMatchObject({
      name: "ProcessorError",
      kind: "handler",
      group: "balance",
      topic: deposits.name,
      partition: 1,
      offset: 2,
      key: bad,
      retriable: false,
    });
    // Offset 1, handled before the failure in the same batch, is committed with its table write; offset 2 is not.
    expect(await committed(broker, "balance", 2)).toEqual([1, 2]);
    expect(broker.messages("balance-table").filter((m) => m.key === bad)).toHaveLength(2);
  });
});

describe("a visit whose store cannot be read", () => {
  it("stops the processor with a storage error", async () => {
    const broker = createMemoryBroker();
    await broker.createTopic({ topic: deposits.name, partitions: 1, compacted: false });
    const memory = createMemoryStorage();
    const storage = {
      async open(topic: string, partition: number) {
        const store = await memory.open(topic, partition);
        store.entries = () => ({
          [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(new Error("corrupt block")) }),
        });
        return store;
      },
    };
    const group = defineGroup<bigint>(
      {
        group: "visited",
        inputs: [{ topics: [deposits.name], codec: deposits.codec, handler: "deposit" }],
        persist: { codec: codecs.int64 },
        visitors: [{ name: "reset", handler: "reset" }],
      },
      { deposit: (ctx: Ctx, msg: bigint) => ctx.setValue(msg), reset: (ctx: Ctx) => ctx.setValue(0n) },
    );
    const processor = createProcessor(group, { broker, storage });
    processors.push(processor);
    await processor.start();
    await expect(processor.visitAll("reset", undefined)).rejects.toMatchObject({
      name: "ProcessorError",
      kind: "storage",
      group: "visited",
      partition: 0,
    });
    expect(await processor.done).toMatchObject({ kind: "storage" });
  });
});
