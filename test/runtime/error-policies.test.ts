/** The spec's `errors:` policies on the in-memory broker: skip and dead-letter keep a group going, retries with doubling backoff, the handler timeout. */
import { afterEach, describe, expect, it } from "vitest";
import {
  codecs,
  defineGroup,
  defineTopic,
  ProcessorError,
  type BaseContext,
  type EmitContext,
  type ErrorPolicyGraph,
  type RuntimeEvents,
  type TableContext,
} from "gokac/runtime";
import { createTester, type Tester } from "gokac/runtime/testing";

const numbers = defineTopic("numbers", codecs.int64);
const echoes = defineTopic("echoes", codecs.int64);
type Ctx = BaseContext & TableContext<bigint> & EmitContext<{ echoes: bigint }>;

let tester: Tester | undefined;
afterEach(async () => {
  await tester?.close();
  tester = undefined;
});

/** A group summing `numbers` per key into its table and echoing each value; `onValue` runs first and may throw. */
function summing(
  errors: ErrorPolicyGraph | undefined,
  onValue: (ctx: Ctx, msg: bigint) => void | Promise<void> = () => undefined,
  partitions?: number,
) {
  return defineGroup<bigint>(
    {
      group: "sum",
      inputs: [{ topics: [numbers.name], codec: numbers.codec, handler: "add" }],
      persist: { codec: codecs.int64 },
      outputs: [{ topic: echoes.name, codec: echoes.codec }],
      ...(errors === undefined ? {} : { errors }),
      ...(partitions === undefined ? {} : { partitions }),
    },
    {
      add: async (ctx: Ctx, msg: bigint) => {
        // Effects before the failure, which a failure must drop.
        ctx.setValue(((ctx.value() as bigint | undefined) ?? 0n) + msg);
        ctx.emit("echoes", ctx.key, msg);
        await onValue(ctx, msg);
      },
    },
  );
}

const throwOn13 = (_ctx: Ctx, msg: bigint) => {
  if (msg === 13n) throw new Error("unlucky");
};

async function sendRaw(t: Tester, key: string, value: Uint8Array, headers?: Record<string, string>): Promise<void> {
  const producer = await t.broker.producer();
  await producer.send([{ topic: "numbers", partition: 0, key, value, ...(headers === undefined ? {} : { headers }) }]);
  await producer.close();
}

function collect<E extends keyof RuntimeEvents>(t: Tester, group: string, event: E): RuntimeEvents[E][] {
  const seen: RuntimeEvents[E][] = [];
  t.processor(group).on(event, (e) => seen.push(e));
  return seen;
}

describe("decode policy", () => {
  it("skip: an undecodable value among valid ones is skipped, logged and counted; the group goes on and commits past it", async () => {
    tester = createTester();
    const group = summing({ decode: "skip" });
    tester.register(group);
    const failed = collect(tester, "sum", "message-failed");
    tester.consume(numbers, "a", 1n);
    await tester.run();
    await sendRaw(tester, "a", Uint8Array.of(1, 2, 3));
    tester.consume(numbers, "a", 2n);
    await tester.run();
    expect(await tester.tableValue(group, "a")).toBe(3n);
    expect(await tester.broker.committedOffset("sum", "numbers", 0)).toBe(3);
    expect(failed).toMatchObject([{ group: "sum", topic: "numbers", partition: 0, offset: 1, key: "a", kind: "decode", policy: "skip" }]);
    expect(tester.processor(group).failedMessages).toEqual({ skip: 1, "dead-letter": 0 });
    expect(tester.processor(group).lifecycle).toBe("running");
    expect(tester.deadLetters(group)).toEqual([]);
  });

  it("dead-letter: the dead letter keeps the key, value bytes and headers, and carries the error headers", async () => {
    tester = createTester();
    const group = summing({ decode: "dead-letter" });
    tester.register(group);
    tester.consume(numbers, "a", 1n);
    await tester.run();
    await sendRaw(tester, "poison", Uint8Array.of(1, 2, 3), { trace: "t-1" });
    tester.consume(numbers, "a", 2n);
    await tester.run();
    expect(await tester.tableValue(group, "a")).toBe(3n);
    expect(await tester.tableValue(group, "poison")).toBeUndefined();
    const [letter, ...rest] = tester.deadLetters(group);
    expect(rest).toEqual([]);
    expect(letter).toMatchObject({
      key: "poison",
      value: Uint8Array.of(1, 2, 3),
      kind: "decode",
      topic: "numbers",
      partition: 0,
      offset: 1,
    });
    const text = (name: string) => new TextDecoder().decode(letter?.headers[name]);
    expect(text("trace")).toBe("t-1");
    expect(text("gokac.error.group")).toBe("sum");
    expect(text("gokac.error.kind")).toBe("decode");
    expect(Number(text("gokac.error.timestamp"))).toBeGreaterThan(0);
    expect(text("gokac.error.message")).not.toBe("");
    // The default dead-letter topic, created with the group's partition count.
    expect(tester.broker.messages("sum-dlq")).toHaveLength(1);
    expect(await tester.broker.partitionCount("sum-dlq")).toBe(1);
    expect(tester.processor(group).failedMessages).toEqual({ skip: 0, "dead-letter": 1 });
    expect(await tester.broker.committedOffset("sum", "numbers", 0)).toBe(3);
  });

  it("fail (the default) still stops the group at the message", async () => {
    tester = createTester();
    tester.register(summing(undefined));
    await tester.run();
    await sendRaw(tester, "poison", Uint8Array.of(1, 2, 3));
    await expect(tester.run()).rejects.toMatchObject({ name: "ProcessorError", kind: "decode", offset: 0 });
  });
});

describe("handler policy", () => {
  it("dead-letter: a failed message's table writes and emits are dropped; messages before and after it are processed", async () => {
    tester = createTester();
    const group = summing({ handler: "dead-letter", deadLetter: "sum-errors" }, throwOn13);
    tester.register(group);
    tester.consume(numbers, "a", 1n);
    tester.consume(numbers, "a", 13n);
    tester.consume(numbers, "a", 2n);
    await tester.run();
    expect(await tester.tableValue(group, "a")).toBe(3n);
    expect(tester.emitted(echoes).map((m) => m.value)).toEqual([1n, 2n]);
    expect(tester.deadLetters(group)).toMatchObject([{ key: "a", kind: "handler", message: "unlucky", topic: "numbers", offset: 1 }]);
    expect(tester.broker.messages("sum-errors")).toHaveLength(1);
    // The dead letter's value is the original bytes.
    expect(codecs.int64.decode(tester.deadLetters(group)[0]!.value!)).toBe(13n);
    expect(await tester.broker.committedOffset("sum", "numbers", 0)).toBe(3);
  });

  it("ctx.fail's reason is the dead letter's message", async () => {
    tester = createTester();
    const group = summing({ handler: "dead-letter" }, (ctx, msg) => {
      if (msg < 0n) ctx.fail(new Error("negative"));
    });
    tester.register(group);
    tester.consume(numbers, "a", -1n);
    await tester.run();
    expect(tester.deadLetters(group)).toMatchObject([{ kind: "handler", message: "negative" }]);
  });

  it("skip: a failure in one partition does not stop the others", async () => {
    tester = createTester({ partitions: 4 });
    const group = summing({ handler: "skip" }, throwOn13, 4);
    tester.register(group);
    const failed = collect(tester, "sum", "message-failed");
    const keys = ["a", "b", "c", "d", "e", "f", "g", "h"];
    for (const k of keys) tester.consume(numbers, k, 1n);
    tester.consume(numbers, "c", 13n);
    for (const k of keys) tester.consume(numbers, k, 2n);
    await tester.run();
    for (const k of keys) expect(await tester.tableValue(group, k)).toBe(3n);
    expect(failed).toMatchObject([{ key: "c", kind: "handler", policy: "skip" }]);
    expect(tester.processor(group).partitions).toEqual([0, 1, 2, 3]);
  });

  it("fail (the default): the whole processor stops, as before", async () => {
    tester = createTester({ partitions: 2 });
    tester.register(summing(undefined, throwOn13, 2));
    tester.consume(numbers, "a", 13n);
    await expect(tester.run()).rejects.toMatchObject({ name: "ProcessorError", kind: "handler" });
  });

  it("a visited key whose visitor fails is skipped under skip and dead-letter; the others are visited", async () => {
    tester = createTester();
    const group = defineGroup<bigint>(
      {
        group: "visited",
        inputs: [{ topics: [numbers.name], codec: numbers.codec, handler: "add" }],
        persist: { codec: codecs.int64 },
        visitors: [{ name: "double", handler: "double" }],
        errors: { handler: "dead-letter" },
      },
      {
        add: (ctx: Ctx, msg: bigint) => ctx.setValue(msg),
        double: (ctx: Ctx) => {
          if (ctx.key === "b") throw new Error("no b");
          ctx.setValue((ctx.value() as bigint) * 2n);
        },
      },
    );
    tester.register(group);
    const failed = collect(tester, "visited", "message-failed");
    for (const k of ["a", "b", "c"]) tester.consume(numbers, k, 5n);
    await tester.visitAll(group, "double", null);
    expect([await tester.tableValue(group, "a"), await tester.tableValue(group, "b"), await tester.tableValue(group, "c")]).toEqual([
      10n,
      5n,
      10n,
    ]);
    expect(failed).toMatchObject([{ key: "b", offset: -1, kind: "handler", policy: "skip" }]);
  });
});

describe("retries and backoff", () => {
  it("a handler failing twice succeeds on its third attempt, each from a clean context; the backoff doubles", async () => {
    tester = createTester();
    let attempts = 0;
    const group = summing({ handler: "fail", retries: 2, backoffMs: 5 }, () => {
      attempts++;
      if (attempts < 3) throw new Error(`attempt ${attempts}`);
    });
    tester.register(group);
    const retries = collect(tester, "sum", "handler-retry");
    tester.consume(numbers, "a", 7n);
    await tester.run();
    expect(attempts).toBe(3);
    // Only the successful attempt's write and emit remain.
    expect(await tester.tableValue(group, "a")).toBe(7n);
    expect(tester.emitted(echoes).map((m) => m.value)).toEqual([7n]);
    expect(retries.map((r) => [r.attempt, r.delayMs])).toEqual([
      [2, 5],
      [3, 10],
    ]);
  });

  it("after the last retry the policy applies", async () => {
    tester = createTester();
    let attempts = 0;
    const group = summing({ handler: "dead-letter", retries: 3, backoffMs: 1 }, (_ctx, msg) => {
      if (msg === 13n) {
        attempts++;
        throw new Error("always");
      }
    });
    tester.register(group);
    tester.consume(numbers, "a", 13n);
    tester.consume(numbers, "a", 1n);
    await tester.run();
    expect(attempts).toBe(4);
    expect(tester.deadLetters(group)).toHaveLength(1);
    expect(await tester.tableValue(group, "a")).toBe(1n);
  });

  it("retries with the fail policy then stop the processor at the message", async () => {
    tester = createTester();
    let attempts = 0;
    tester.register(
      summing({ retries: 1, backoffMs: 1 }, () => {
        attempts++;
        throw new Error("always");
      }),
    );
    tester.consume(numbers, "a", 1n);
    await expect(tester.run()).rejects.toBeInstanceOf(ProcessorError);
    expect(attempts).toBe(2);
  });
});

describe("handler timeout", () => {
  const never = () => new Promise<void>(() => undefined);

  it("a handler that never resolves is a timeout failure, dead-lettered with kind timeout; the next message is processed", async () => {
    tester = createTester();
    const group = summing({ handler: "dead-letter", timeoutMs: 20 }, (_ctx, msg) => (msg === 13n ? never() : undefined));
    tester.register(group);
    tester.consume(numbers, "a", 13n);
    tester.consume(numbers, "a", 1n);
    await tester.run();
    expect(tester.deadLetters(group)).toMatchObject([{ kind: "timeout", offset: 0 }]);
    expect(await tester.tableValue(group, "a")).toBe(1n);
  });

  it("the timeout counts from each handler's own start: slow handlers in a row under it are not timed out", async () => {
    // One watchdog per partition serves every wait: when it fires during a later handler, it must wait out that handler's own time.
    tester = createTester();
    const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
    const group = summing({ handler: "dead-letter", timeoutMs: 250 }, (_ctx, msg) => sleep(msg === 99n ? 10_000 : 100));
    tester.register(group);
    for (const n of [1n, 2n, 3n, 4n, 99n, 5n]) tester.consume(numbers, "a", n);
    await tester.run();
    // Only 99 (far over the timeout) timed out; 1-4 each ran 100 ms, 400 ms in all.
    expect(tester.deadLetters(group)).toMatchObject([{ kind: "timeout", offset: 4 }]);
    expect(await tester.tableValue(group, "a")).toBe(15n);
  });

  it("under the fail policy a timeout stops the processor with kind timeout", async () => {
    tester = createTester();
    tester.register(summing({ timeoutMs: 20 }, never));
    tester.consume(numbers, "a", 1n);
    const failure = await tester.run().catch((error: unknown) => error);
    expect(failure).toMatchObject({ name: "ProcessorError", kind: "timeout", offset: 0 });
    expect((failure as Error).cause).toMatchObject({ code: "HANDLER_TIMEOUT" });
  });

  it("a timed-out handler settling late does not disarm stop() for the handler running after it", async () => {
    tester = createTester();
    let release!: () => void;
    let started!: () => void;
    const second = new Promise<void>((resolve) => {
      started = resolve;
    });
    const group = summing({ handler: "dead-letter", timeoutMs: 300 }, (_ctx, msg) => {
      if (msg === 13n)
        return new Promise<void>((resolve) => {
          release = resolve;
        });
      if (msg === 14n) {
        started();
        return never();
      }
      return undefined;
    });
    tester.register(group);
    tester.consume(numbers, "a", 1n);
    await tester.run();
    const producer = await tester.broker.producer();
    await producer.send([
      { topic: "numbers", partition: 0, key: "a", value: codecs.int64.encode(13n) },
      { topic: "numbers", partition: 0, key: "a", value: codecs.int64.encode(14n) },
    ]);
    await producer.close();
    await second; // 13 timed out (dead-lettered), 14 runs
    release(); // 13's handler settles at last, while 14's wait is armed
    await new Promise((resolve) => setImmediate(resolve));
    await tester.processor(group).stop();
    // Stopped at once: 14 abandoned (not committed, not timed out into a dead letter).
    expect(tester.deadLetters(group).map((d) => d.offset)).toEqual([1]);
    expect(await tester.broker.committedOffset("sum", "numbers", 0)).toBe(2);
  });

  it("stop() is not blocked by a handler that never resolves (default 60 s timeout); the message is not committed", async () => {
    tester = createTester();
    let started!: () => void;
    const running = new Promise<void>((resolve) => {
      started = resolve;
    });
    const group = summing(undefined, (_ctx, msg) => {
      if (msg !== 13n) return undefined;
      started();
      return never();
    });
    tester.register(group);
    tester.consume(numbers, "a", 1n);
    await tester.run();
    const producer = await tester.broker.producer();
    await producer.send([{ topic: "numbers", partition: 0, key: "a", value: codecs.int64.encode(13n) }]);
    await running;
    const t0 = Date.now();
    await tester.processor(group).stop();
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(await tester.processor(group).done).toBeUndefined();
    expect(await tester.broker.committedOffset("sum", "numbers", 0)).toBe(1);
  });
});
