/**
 * Goka's commit on failure: a handler failing in the middle of a batch stops
 * the processor after the messages handled before it were flushed (table
 * writes, emits) and committed, so a restart reprocesses only the failed
 * message and what follows. The failed message's own effects are dropped.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  codecs,
  createMemoryBroker,
  createMemoryStorage,
  createProcessor,
  type MemoryBroker,
  type Processor,
  type Storage,
} from "gokac/runtime";
import { clicks, counterGroup, counts, type CounterContext } from "./groups.js";

let processors: Processor<bigint>[] = [];
afterEach(async () => {
  await Promise.all(processors.map((p) => p.stop()));
  processors = [];
});

/** Counts per key and emits the count; a click "boom" fails after its setValue and emit, unless `healed`. */
function failingCounter(healed: boolean) {
  return counterGroup((ctx: CounterContext, msg: string) => {
    const next = ((ctx.value() as bigint | undefined) ?? 0n) + 1n;
    ctx.setValue(next);
    ctx.emit("counts", ctx.key, next);
    if (msg === "boom" && !healed) throw new Error("boom");
  }, 1);
}

async function brokerWithTopics(): Promise<MemoryBroker> {
  const broker = createMemoryBroker();
  await broker.createTopic({ topic: clicks.name, partitions: 1, compacted: false });
  await broker.createTopic({ topic: counts.name, partitions: 1, compacted: false });
  return broker;
}

async function send(broker: MemoryBroker, records: readonly [key: string, value: string][]): Promise<void> {
  const producer = await broker.producer();
  await producer.send(records.map(([key, value]) => ({ topic: clicks.name, partition: 0, key, value: codecs.string.encode(value) })));
}

function keysOf(broker: MemoryBroker, topic: string): string[] {
  return broker.messages(topic).map((m) => m.key);
}

async function start(broker: MemoryBroker, storage: Storage, healed: boolean): Promise<Processor<bigint>> {
  const processor = createProcessor(failingCounter(healed), { broker, storage });
  processors.push(processor);
  // The failing one may fail while starting: its `done` tells.
  await processor.start().catch(() => undefined);
  return processor;
}

describe("a failure in the middle of a batch", () => {
  it("commits and flushes the messages before it, drops its own effects, and a restart resumes at it", async () => {
    const broker = await brokerWithTopics();
    const storage = createMemoryStorage();
    // Sent before the processor starts, so the three arrive in one batch.
    await send(broker, [
      ["a", "click"],
      ["b", "boom"],
      ["c", "click"],
    ]);

    const failing = await start(broker, storage, false);
    const error = await failing.done;
    expect(error).toMatchObject({
      name: "ProcessorError",
      kind: "handler",
      group: "counter",
      topic: clicks.name,
      partition: 0,
      offset: 1,
      key: "b",
    });
    expect(await broker.committedOffset("counter", clicks.name, 0)).toBe(1);
    // The first message's table write and emit were produced; the failed one's were not, nor anything after.
    expect(keysOf(broker, "counter-table")).toEqual(["a"]);
    expect(keysOf(broker, "counts")).toEqual(["a"]);

    const restarted = await start(broker, storage, true);
    await broker.idle();
    // Resumed at the failed message: "a" is not counted twice.
    expect(keysOf(broker, "counts")).toEqual(["a", "b", "c"]);
    expect(await restarted.get("a")).toBe(1n);
    expect(await restarted.get("b")).toBe(1n);
    expect(await restarted.get("c")).toBe(1n);
    expect(await broker.committedOffset("counter", clicks.name, 0)).toBe(3);
  });

  it("keeps the local store in step: the first message's write is stored, the failed one's is not", async () => {
    const broker = await brokerWithTopics();
    const storage = createMemoryStorage();
    await send(broker, [
      ["a", "click"],
      ["a", "boom"],
      ["a", "click"],
    ]);
    const failing = await start(broker, storage, false);
    await failing.done;
    expect(await broker.committedOffset("counter", clicks.name, 0)).toBe(1);
    // Same key: the changelog holds the first count only, not the failed message's 2.
    expect(broker.messages("counter-table").map((m) => m.value && codecs.int64.decode(m.value))).toEqual([1n]);
    const restarted = await start(broker, storage, true);
    await broker.idle();
    expect(await restarted.get("a")).toBe(3n);
    expect(broker.messages("counts").map((m) => m.value && codecs.int64.decode(m.value))).toEqual([1n, 2n, 3n]);
  });

  it("an undecodable message in the middle is handled like a failing one: the message before it commits", async () => {
    const broker = await brokerWithTopics();
    const storage = createMemoryStorage();
    const producer = await broker.producer();
    await producer.send([
      { topic: clicks.name, partition: 0, key: "a", value: codecs.string.encode("click") },
      { topic: clicks.name, partition: 0, key: "b", value: Uint8Array.of(0xff, 0xfe) },
      { topic: clicks.name, partition: 0, key: "c", value: codecs.string.encode("click") },
    ]);
    const failing = await start(broker, storage, false);
    expect(await failing.done).toMatchObject({ kind: "decode", offset: 1, key: "b" });
    expect(await broker.committedOffset("counter", clicks.name, 0)).toBe(1);
    expect(keysOf(broker, "counts")).toEqual(["a"]);
  });

  it("commits no further than a deferred commit still open before the failed message", async () => {
    const broker = await brokerWithTopics();
    await send(broker, [
      ["a", "click"],
      ["b", "defer"],
      ["c", "boom"],
    ]);
    const group = counterGroup((ctx: CounterContext, msg: string) => {
      if (msg === "defer") ctx.deferCommit();
      if (msg === "boom") throw new Error("boom");
      ctx.emit("counts", ctx.key, 1n);
    }, 1);
    const processor = createProcessor(group, { broker, storage: createMemoryStorage() });
    processors.push(processor);
    await processor.start().catch(() => undefined);
    expect(await processor.done).toMatchObject({ kind: "handler", offset: 2 });
    // "b" was handled and its emit produced, but its commit is deferred and never completed.
    expect(keysOf(broker, "counts")).toEqual(["a", "b"]);
    expect(await broker.committedOffset("counter", clicks.name, 0)).toBe(1);
  });
});
