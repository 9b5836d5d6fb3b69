/**
 * Joined tables and views recover like the group table: from the offset their
 * `level` store recorded, so a restart re-reads only the changelog's tail.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  codecs,
  createEmitter,
  createLevelStorage,
  createMemoryBroker,
  createProcessor,
  createView,
  defineGroup,
  defineTopic,
  type BaseContext,
  type EmitContext,
  type JoinContext,
  type MemoryBroker,
} from "gokac/runtime";

const PARTITIONS = 3;
const prices = defineTopic("prices-table", codecs.int64);
const orders = defineTopic("orders", codecs.int64);
const totals = defineTopic("totals", codecs.int64);

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

let dir = "";
let broker: MemoryBroker;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "gokac-recovery-joins-"));
  broker = createMemoryBroker({ maxBatchSize: 5 });
  for (const topic of [prices.name, orders.name, totals.name])
    await broker.createTopic({ topic, partitions: PARTITIONS, compacted: topic === prices.name });
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const items = Array.from({ length: 12 }, (_, i) => `item-${i}`);

describe("incremental recovery of joins and views", () => {
  it("a joined table re-reads only what was appended while the processor was down", async () => {
    const priceEmitter = createEmitter(broker, prices);
    await priceEmitter.emitMany(items.map((key, i) => ({ key, value: BigInt(i + 1) })));

    const start = async () => {
      const processor = createProcessor(billing, { broker, storage: createLevelStorage(join(dir, "billing")) });
      let recovered = 0;
      processor.on("recovered", (e) => (recovered += e.recovered));
      await processor.start();
      return { processor, recovered: () => recovered };
    };
    const first = await start();
    expect(first.recovered()).toBe(items.length);
    await first.processor.stop();

    // Two prices change while the processor is down; a restart reads those two only.
    await priceEmitter.emitMany([
      { key: "item-0", value: 100n },
      { key: "item-5", value: 500n },
    ]);
    const second = await start();
    expect(second.recovered()).toBe(2);
    await createEmitter(broker, orders).emitMany(["item-0", "item-5", "item-7", "unpriced"].map((key) => ({ key, value: 2n })));
    await broker.idle();
    expect(Object.fromEntries(broker.messages(totals.name).map((m) => [m.key, codecs.int64.decode(m.value!)]))).toEqual({
      "item-0": 200n,
      "item-5": 1000n,
      "item-7": 16n,
      unpriced: 0n,
    });
    await second.processor.stop();
    await priceEmitter.close();
  });

  it("a view with a state directory recovers incrementally and keeps catching up", async () => {
    const priceEmitter = createEmitter(broker, prices);
    await priceEmitter.emitMany(items.map((key, i) => ({ key, value: BigInt(i) })));
    const open = async () => {
      const view = createView(broker, prices, { stateDir: join(dir, "view") });
      let recovered = 0;
      view.on("recovered", (e) => (recovered += e.recovered));
      await view.start();
      return { view, recovered: () => recovered };
    };
    const first = await open();
    expect(first.recovered()).toBe(items.length);
    expect(await first.view.get("item-3")).toBe(3n);
    await first.view.stop();

    await priceEmitter.emit("item-3", null);
    const second = await open();
    expect(second.recovered()).toBe(1);
    expect(await second.view.get("item-3")).toBeUndefined();
    expect(await second.view.get("item-4")).toBe(4n);
    await priceEmitter.emit("item-4", 44n);
    await broker.idle();
    expect(await second.view.get("item-4")).toBe(44n);
    await second.view.stop();
    await priceEmitter.close();
  });
});

describe("a store ahead of its changelog", () => {
  it("is rebuilt from the changelog by default, with a state-rebuilt event (the topic was recreated); fails with StateMismatchError under onStateMismatch: fail", async () => {
    const storeDir = join(dir, "ahead");
    const view = createView(broker, prices, { stateDir: storeDir });
    const emitter = createEmitter(broker, prices);
    await emitter.emitMany(items.map((key, i) => ({ key, value: BigInt(i) })));
    await view.start();
    await view.stop();
    await emitter.close();

    // The same state directory against a broker whose table topic starts again from offset 0.
    const recreated = createMemoryBroker();
    await recreated.createTopic({ topic: prices.name, partitions: PARTITIONS, compacted: true });
    const strict = createView(recreated, prices, { stateDir: storeDir, onStateMismatch: "fail" });
    const error = await strict.start().catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "StateMismatchError", reason: "ahead", topic: prices.name, retriable: false });
    await strict.stop();

    const again = createView(recreated, prices, { stateDir: storeDir });
    const rebuilt: string[] = [];
    again.on("state-rebuilt", (e) => rebuilt.push(e.reason));
    await again.start();
    expect(rebuilt.length).toBeGreaterThan(0);
    expect(new Set(rebuilt)).toEqual(new Set(["ahead"]));
    expect(await again.get(items[0]!)).toBeUndefined();
    await again.stop();
  });
});
