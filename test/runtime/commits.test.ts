/** At-least-once: input offsets commit only after the handler returned and everything it produced was acknowledged, and after deferred commits complete. */
import { afterEach, describe, expect, it } from "vitest";
import {
  codecs,
  createMemoryBroker,
  createMemoryStorage,
  createProcessor,
  defineGroup,
  defineTopic,
  type BaseContext,
  type MemoryBroker,
  type Processor,
  type TableContext,
} from "gokac/runtime";
import { createTester, type Tester } from "gokac/runtime/testing";

const numbers = defineTopic("numbers", codecs.int64);
type Ctx = BaseContext & TableContext<bigint>;

async function until(condition: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (await condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error(`timed out waiting for ${what}`);
}

let processor: Processor<bigint> | undefined;
let tester: Tester | undefined;
afterEach(async () => {
  await processor?.stop();
  processor = undefined;
  await tester?.close();
  tester = undefined;
});

async function send(broker: MemoryBroker, key: string, value: bigint): Promise<void> {
  const producer = await broker.producer();
  await producer.send([{ topic: numbers.name, partition: 0, key, value: codecs.int64.encode(value) }]);
}

describe("commits", () => {
  it("waits for produce acks before storing the table and committing", async () => {
    const broker = createMemoryBroker();
    await broker.createTopic({ topic: numbers.name, partitions: 1, compacted: false });
    let handled = 0;
    const group = defineGroup<bigint>(
      { group: "acks", inputs: [{ topics: [numbers.name], codec: numbers.codec, handler: "add" }], persist: { codec: codecs.int64 } },
      {
        add(ctx: Ctx, msg: bigint) {
          handled++;
          ctx.setValue(((ctx.value() as bigint | undefined) ?? 0n) + msg);
        },
      },
    );
    processor = createProcessor(group, { broker, storage: createMemoryStorage() });
    await processor.start();
    await send(broker, "k", 5n);
    await broker.idle();
    expect(await broker.committedOffset("acks", numbers.name, 0)).toBe(1);

    const producer = await broker.producer();
    broker.acks.hold();
    const input = producer.send([{ topic: numbers.name, partition: 0, key: "k", value: codecs.int64.encode(7n) }]); // the input itself is held too: release it, then hold what the processor sends
    expect(broker.acks.pending).toBe(1);
    broker.acks.release();
    broker.acks.hold();
    await input;
    await until(() => broker.acks.pending === 1, "the table write to be held");
    expect(handled).toBe(2);
    // Handled, but its table write is not acknowledged: nothing committed, the changelog unchanged.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(await broker.committedOffset("acks", numbers.name, 0)).toBe(1);
    expect(broker.messages("acks-table")).toHaveLength(1);
    broker.acks.release();
    await until(async () => (await broker.committedOffset("acks", numbers.name, 0)) === 2, "the commit after the ack");
    expect(await processor.get("k")).toBe(12n);
    expect(broker.messages("acks-table")).toHaveLength(2);
  });

  it("a failed produce stops the processor (retriable) and commits nothing past the message", async () => {
    const broker = createMemoryBroker();
    await broker.createTopic({ topic: numbers.name, partitions: 1, compacted: false });
    const group = defineGroup<bigint>(
      { group: "nack", inputs: [{ topics: [numbers.name], codec: numbers.codec, handler: "add" }], persist: { codec: codecs.int64 } },
      { add: (ctx: Ctx, msg: bigint) => ctx.setValue(msg) },
    );
    processor = createProcessor(group, { broker, storage: createMemoryStorage() });
    await processor.start();
    await send(broker, "first", 1n);
    await broker.idle();
    const producer = await broker.producer();
    const sent = producer.send([{ topic: numbers.name, partition: 0, key: "second", value: codecs.int64.encode(2n) }]);
    await sent;
    broker.acks.hold();
    await until(() => broker.acks.pending === 1, "the table write");
    broker.acks.fail(new Error("not enough replicas"));
    const error = await processor.done;
    expect(error).toMatchObject({
      name: "ProcessorError",
      kind: "produce",
      retriable: true,
      group: "nack",
      topic: numbers.name,
      partition: 0,
      offset: 1,
      key: "second",
    });
    expect(await broker.committedOffset("nack", numbers.name, 0)).toBe(1);
  });

  it("deferCommit holds the commit until its callback is called", async () => {
    tester = createTester();
    const callbacks: ((err?: unknown) => void)[] = [];
    const group = defineGroup<never>(
      { group: "deferred", inputs: [{ topics: [numbers.name], codec: numbers.codec, handler: "h" }] },
      {
        h(ctx: BaseContext, msg: bigint) {
          if (msg === 2n) callbacks.push(ctx.deferCommit());
        },
      },
    );
    tester.register(group);
    for (const v of [1n, 2n, 3n]) tester.consume(numbers, "k", v);
    await tester.run();
    // Offset 1 is deferred: the commit stops before it.
    expect(await tester.broker.committedOffset("deferred", numbers.name, 0)).toBe(1);
    callbacks[0]?.();
    await until(async () => (await tester?.broker.committedOffset("deferred", numbers.name, 0)) === 3, "the deferred commit");
    callbacks[0]?.(); // calling twice is harmless
  });

  it("a deferred commit completed after its partition was revoked commits nothing", async () => {
    tester = createTester();
    let done: ((err?: unknown) => void) | undefined;
    const group = defineGroup<never>(
      { group: "deferred-late", inputs: [{ topics: [numbers.name], codec: numbers.codec, handler: "h" }] },
      {
        h(ctx: BaseContext, msg: bigint) {
          if (msg === 1n) done = ctx.deferCommit();
        },
      },
    );
    tester.register(group);
    for (const v of [1n, 2n]) tester.consume(numbers, "k", v);
    await tester.run();
    expect((await tester.broker.committedOffset("deferred-late", numbers.name, 0)) ?? 0).toBe(0);
    const errors: unknown[] = [];
    tester.processor(group).on("error", (e) => errors.push(e));
    await tester.processor(group).stop();
    done?.();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await tester.broker.committedOffset("deferred-late", numbers.name, 0)) ?? 0).toBe(0);
    // Not even attempted: a commit by a member that left would fail the (stopped) processor.
    expect(errors).toEqual([]);
  });

  it("a deferred commit completed with an error stops the processor", async () => {
    tester = createTester();
    let done: ((err?: unknown) => void) | undefined;
    const group = defineGroup<never>(
      { group: "deferred-fail", inputs: [{ topics: [numbers.name], codec: numbers.codec, handler: "h" }] },
      {
        h(ctx: BaseContext) {
          done = ctx.deferCommit();
        },
      },
    );
    tester.register(group);
    tester.consume(numbers, "k", 1n);
    await tester.run();
    done?.(new Error("downstream rejected"));
    const error = await tester.processor(group).done;
    expect(error).toMatchObject({ kind: "deferred", key: "k", offset: 0, topic: numbers.name });
    expect((await tester.broker.committedOffset("deferred-fail", numbers.name, 0)) ?? 0).toBe(0);
  });
});
