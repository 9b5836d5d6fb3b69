/** Goka's processor failure scenarios: callback errors, ctx.fail and decode errors stop the processor with the message's coordinates, committing up to it and nothing past it. */
import { afterEach, describe, expect, it } from "vitest";
import { codecs, defineGroup, defineTopic, ProcessorError, type BaseContext, type TableContext } from "gokac/runtime";
import { createTester, type Tester } from "gokac/runtime/testing";

const numbers = defineTopic("numbers", codecs.int64);
type Ctx = BaseContext & TableContext<bigint>;

let tester: Tester | undefined;
afterEach(async () => {
  await tester?.close();
  tester = undefined;
});

function summing(onValue: (ctx: Ctx, msg: bigint) => void | Promise<void>) {
  return defineGroup<bigint>(
    { group: "sum", inputs: [{ topics: [numbers.name], codec: numbers.codec, handler: "add" }], persist: { codec: codecs.int64 } },
    { add: onValue },
  );
}

const add = (ctx: Ctx, msg: bigint) => ctx.setValue(((ctx.value() as bigint | undefined) ?? 0n) + msg);

describe("processor failures", () => {
  it("a throwing handler stops the processor with group, topic, partition, offset and key", async () => {
    tester = createTester();
    const group = summing((ctx, msg) => {
      if (msg === 13n) throw new Error("unlucky");
      add(ctx, msg);
    });
    tester.register(group);
    tester.consume(numbers, "a", 1n);
    tester.consume(numbers, "b", 13n);
    tester.consume(numbers, "a", 2n);
    const failure = await tester.run().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ProcessorError);
    expect(failure).toMatchObject({ group: "sum", topic: "numbers", partition: 0, offset: 1, key: "b", kind: "handler", retriable: false });
    expect((failure as Error).cause).toMatchObject({ message: "unlucky" });
    const processor = tester.processor(group);
    expect(await processor.done).toBe(failure);
    expect(processor.lifecycle).toBe("stopped");
    // The message before the failed one, in the same batch, is committed; the failed one is not.
    expect(await tester.broker.committedOffset("sum", "numbers", 0)).toBe(1);
  });

  it("ctx.fail stops without committing; earlier batches stay committed", async () => {
    tester = createTester({ maxBatchSize: 1 });
    const reason = new Error("bad input");
    const group = summing((ctx, msg) => {
      if (msg < 0n) ctx.fail(reason);
      add(ctx, msg);
    });
    tester.register(group);
    tester.consume(numbers, "a", 5n);
    tester.consume(numbers, "a", 6n);
    tester.consume(numbers, "z", -1n);
    tester.consume(numbers, "a", 7n);
    const failure = await tester.run().catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: "ProcessorError", group: "sum", topic: "numbers", offset: 2, key: "z", kind: "handler" });
    expect((failure as Error).cause).toBe(reason);
    expect(await tester.broker.committedOffset("sum", "numbers", 0)).toBe(2);
  });

  it("an undecodable message is a decode error naming the message", async () => {
    tester = createTester();
    tester.register(summing(add));
    tester.consume(numbers, "a", 1n);
    await tester.run();
    const producer = await tester.broker.producer();
    await producer.send([{ topic: "numbers", partition: 0, key: "broken", value: Uint8Array.of(1, 2, 3) }]);
    const failure = await tester.run().catch((error: unknown) => error);
    expect(failure).toMatchObject({ group: "sum", topic: "numbers", partition: 0, offset: 1, key: "broken", kind: "decode" });
    expect(await tester.broker.committedOffset("sum", "numbers", 0)).toBe(1);
  });

  it("a rejected async handler fails like a throwing one", async () => {
    tester = createTester();
    tester.register(
      summing(async (ctx) => {
        await new Promise((resolve) => setTimeout(resolve, 1));
        throw new Error(`async ${ctx.key}`);
      }),
    );
    tester.consume(numbers, "k", 1n);
    await expect(tester.run()).rejects.toMatchObject({ key: "k", offset: 0, kind: "handler" });
  });

  it("a value the table codec cannot encode fails the handler", async () => {
    tester = createTester();
    tester.register(
      summing((ctx) => {
        (ctx as unknown as { setValue(v: unknown): void }).setValue("not a bigint");
      }),
    );
    tester.consume(numbers, "k", 1n);
    await expect(tester.run()).rejects.toMatchObject({ key: "k", kind: "handler" });
  });
});
