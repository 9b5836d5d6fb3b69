/**
 * The handler timeout's shared watchdog (runtime/processor/partition-processor.ts,
 * `armWatchdog`): one timer per partition serves every handler wait, so a
 * wait that starts while the timer is set for an earlier wait's deadline must
 * still time out at its own, and a handler that settles after its wait timed
 * out must not cancel the next wait's deadline.
 */
import { afterEach, describe, expect, it } from "vitest";
import { codecs, defineGroup, defineTopic, type BaseContext, type TableContext } from "gokac/runtime";
import { createTester, type Tester } from "gokac/runtime/testing";

const numbers = defineTopic("numbers", codecs.int64);
type Ctx = BaseContext & TableContext<bigint>;

let tester: Tester | undefined;
afterEach(async () => {
  await tester?.close();
  tester = undefined;
});

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const never = () => new Promise<void>(() => undefined);

/** A group summing `numbers` per key; `onValue` decides how long each handler runs. */
function summing(timeoutMs: number, onValue: (msg: bigint) => Promise<void>) {
  return defineGroup<bigint>(
    {
      group: "sum",
      inputs: [{ topics: [numbers.name], codec: numbers.codec, handler: "add" }],
      persist: { codec: codecs.int64 },
      errors: { handler: "dead-letter", timeoutMs },
    },
    {
      add: async (ctx: Ctx, msg: bigint) => {
        await onValue(msg);
        ctx.setValue(((ctx.value() as bigint | undefined) ?? 0n) + msg);
      },
    },
  );
}

describe("handler timeout watchdog", () => {
  it("times out a handler that hangs after earlier async handlers finished within their timeouts", async () => {
    tester = createTester();
    // Messages 1-5 each take 30 ms of a 100 ms timeout: the watchdog set for the first wait fires during a later one.
    const group = summing(100, (msg) => (msg === 13n ? never() : sleep(30)));
    tester.register(group);
    for (const v of [1n, 2n, 3n, 4n, 5n, 13n, 7n]) tester.consume(numbers, "a", v);
    await tester.run();
    expect(tester.deadLetters(group)).toMatchObject([{ kind: "timeout", offset: 5 }]);
    expect(await tester.tableValue(group, "a")).toBe(22n);
  });

  it("a timed-out handler settling later does not cancel the next message's timeout", async () => {
    tester = createTester();
    // 13 settles 30 ms after its 40 ms timeout, while 14 (which hangs) waits: 14 must still time out.
    const group = summing(40, (msg) => (msg === 13n ? sleep(70) : msg === 14n ? never() : Promise.resolve()));
    tester.register(group);
    for (const v of [13n, 14n, 1n]) tester.consume(numbers, "a", v);
    await tester.run();
    expect(tester.deadLetters(group)).toMatchObject([
      { kind: "timeout", offset: 0 },
      { kind: "timeout", offset: 1 },
    ]);
    expect(await tester.tableValue(group, "a")).toBe(1n);
  });
});
