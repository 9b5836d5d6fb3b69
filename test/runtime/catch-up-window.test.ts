/**
 * A changelog write that lands after a table partition recovered but before
 * it started catching up must not be missed: the catch-up reader starts
 * exactly where recovery stopped. The window is forced open by wrapping the
 * broker's reader creation: the first reader of a partition opened at (or
 * past) its high watermark — the catch-up reader, recovery being done — is
 * preceded by a write to that partition. Covered for views, joined tables, and
 * a group's table as others read it (a view of the group, a lookup).
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
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
  type BaseContext,
  type Broker,
  type EmitContext,
  type JoinContext,
  type LookupContext,
  type MemoryBroker,
  type Processor,
} from "gokac/runtime";
import { overrideBroker } from "../broker-seams.js";
import { clicks, counterGroup, counterTable, counts } from "./groups.js";

const PARTITIONS = 3;
const prices = defineTopic("prices-table", codecs.int64);
const orders = defineTopic("orders", codecs.int64);
const totals = defineTopic("totals", codecs.int64);
const reports = defineTopic("reports", codecs.string);
const reported = defineTopic("reported", codecs.int64);

/** Multiplies each order's quantity by the joined price of its key. */
const billing = defineGroup<never>(
  {
    group: "billing",
    inputs: [{ topics: [orders.name], codec: orders.codec, handler: "order" }],
    joins: [{ table: prices.name, codec: prices.codec }],
    outputs: [{ topic: totals.name, codec: totals.codec }],
  },
  {
    async order(ctx: BaseContext & JoinContext<{ "prices-table": bigint }> & EmitContext<{ totals: bigint }>, quantity: bigint) {
      ctx.emit("totals", ctx.key, ((await ctx.join("prices-table")) ?? 0n) * quantity);
    },
  },
);

/** Reports the counter table's value of each report's key (-1 when absent), through a lookup. */
const reporter = defineGroup<never>(
  {
    group: "reporter",
    inputs: [{ topics: [reports.name], codec: reports.codec, handler: "report" }],
    lookups: [{ table: counterTable.name, codec: counterTable.codec }],
    outputs: [{ topic: reported.name, codec: reported.codec }],
  },
  {
    async report(ctx: BaseContext & LookupContext<{ "counter-table": bigint }> & EmitContext<{ reported: bigint }>) {
      ctx.emit("reported", ctx.key, (await ctx.lookup("counter-table", ctx.key)) ?? -1n);
    },
  },
);

/** One key of each partition (by the runtime's partitioner), with `prefix`. */
function keyPerPartition(prefix: string): string[] {
  const keys = new Map<number, string>();
  for (let i = 0; keys.size < PARTITIONS; i++) {
    const key = `${prefix}-${i}`;
    const p = partitionForKey(key, PARTITIONS);
    if (!keys.has(p)) keys.set(p, key);
  }
  return Array.from({ length: PARTITIONS }, (_, p) => keys.get(p)!);
}

/**
 * `broker` as a plain port whose first reader of each partition of `topic`
 * opened at or past the high watermark runs `write(partition)` first; the
 * partitions written to so far are in `written`.
 */
function writeBeforeCatchUp(
  broker: MemoryBroker,
  topic: string,
  write: (partition: number) => Promise<void>,
): { broker: Broker; written: Set<number> } {
  const written = new Set<number>();
  const wrapped = overrideBroker(broker, {
    async reader(t, p, offset) {
      if (t === topic && !written.has(p) && offset >= (await broker.highWatermark(t, p))) {
        written.add(p);
        await write(p);
      }
      return broker.reader(t, p, offset);
    },
  });
  return { broker: wrapped, written };
}

/** Produces `value` for `key` straight onto `topic`, in the key's partition. */
async function put(broker: MemoryBroker, topic: string, key: string, value: Uint8Array): Promise<void> {
  const producer = await broker.producer();
  await producer.send([{ topic, partition: partitionForKey(key, PARTITIONS), key, value }]);
  await producer.close();
}

let broker: MemoryBroker;
const stops: (() => Promise<void>)[] = [];
beforeEach(async () => {
  broker = createMemoryBroker({ maxBatchSize: 2 });
  for (const topic of [prices.name, orders.name, totals.name, clicks.name, counts.name, reports.name, reported.name]) {
    await broker.createTopic({ topic, partitions: PARTITIONS, compacted: topic === prices.name });
  }
});
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

/** Starts `processor`, stopping it after the test. */
async function start<V>(processor: Processor<V>): Promise<Processor<V>> {
  stops.push(() => processor.stop());
  await processor.start();
  return processor;
}

/** Keys already priced (the changelog has something to recover in every partition), and the late price update of each. */
const priced = keyPerPartition("item");
const late = new Map(priced.map((key, p) => [key, BigInt(1000 + p)]));

async function priceEverything(): Promise<void> {
  const emitter = createEmitter(broker, prices);
  for (const key of keyPerPartition("filler")) await emitter.emit(key, 1n);
  for (const key of priced) await emitter.emit(key, 10n);
  await emitter.close();
}

/** Writes the late price of partition `p`'s key. */
const latePrice = (p: number) => put(broker, prices.name, priced[p]!, codecs.int64.encode(late.get(priced[p]!)!));

describe("a changelog write between recovery and catch-up", () => {
  it("is seen by a view", async () => {
    await priceEverything();
    const injected = writeBeforeCatchUp(broker, prices.name, latePrice);
    const view = createView(injected.broker, prices);
    stops.push(() => view.stop());
    await view.start();
    expect([...injected.written].sort()).toEqual([0, 1, 2]);
    await broker.idle();
    for (const [key, price] of late) expect(await view.get(key), key).toBe(price);
  });

  it("is seen by a joined table", async () => {
    await priceEverything();
    const injected = writeBeforeCatchUp(broker, prices.name, latePrice);
    await start(createProcessor(billing, { broker: injected.broker, storage: createMemoryStorage() }));
    expect([...injected.written].sort()).toEqual([0, 1, 2]);
    const emitter = createEmitter(broker, orders);
    for (const key of priced) await emitter.emit(key, 2n);
    await emitter.close();
    await broker.idle();
    const billed = Object.fromEntries(broker.messages(totals.name).map((m) => [m.key, codecs.int64.decode(m.value!)]));
    expect(billed).toEqual(Object.fromEntries(priced.map((key) => [key, late.get(key)! * 2n])));
  });

  describe("of a group's table (written by its processor)", () => {
    const counted = keyPerPartition("user");

    /** Runs the counter on `clicks`; `click(key)` resolves once the counter's changelog has the new count. */
    async function counter() {
      await start(createProcessor(counterGroup(), { broker, storage: createMemoryStorage() }));
      const emitter = createEmitter(broker, clicks);
      stops.push(() => emitter.close());
      return async (key: string) => {
        const p = partitionForKey(key, PARTITIONS);
        const before = await broker.highWatermark(counterTable.name, p);
        await emitter.emit(key, "click");
        for (let i = 0; i < 1_000 && (await broker.highWatermark(counterTable.name, p)) === before; i++)
          await new Promise((resolve) => setImmediate(resolve));
        expect(await broker.highWatermark(counterTable.name, p), `the count of ${key} on the changelog`).toBe(before + 1);
      };
    }

    it("is seen by a view of the group", async () => {
      const click = await counter();
      for (const key of counted) await click(key);
      const injected = writeBeforeCatchUp(broker, counterTable.name, (p) => click(counted[p]!));
      const view = createView(injected.broker, counterGroup());
      stops.push(() => view.stop());
      await view.start();
      expect([...injected.written].sort()).toEqual([0, 1, 2]);
      await broker.idle();
      for (const key of counted) expect(await view.get(key), key).toBe(2n);
    });

    it("is seen by a lookup", async () => {
      const click = await counter();
      for (const key of counted) await click(key);
      const injected = writeBeforeCatchUp(broker, counterTable.name, (p) => click(counted[p]!));
      await start(createProcessor(reporter, { broker: injected.broker, storage: createMemoryStorage() }));
      expect([...injected.written].sort()).toEqual([0, 1, 2]);
      const emitter = createEmitter(broker, reports);
      for (const key of counted) await emitter.emit(key, "report");
      await emitter.close();
      await broker.idle();
      const values = Object.fromEntries(broker.messages(reported.name).map((m) => [m.key, codecs.int64.decode(m.value!)]));
      expect(values).toEqual(Object.fromEntries(counted.map((key) => [key, 2n])));
    });
  });
});
