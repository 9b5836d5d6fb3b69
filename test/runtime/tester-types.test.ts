/** The tester's API is typed by the group definition and the topic specs: wrong value types do not compile. */
import { describe, expectTypeOf, it } from "vitest";
import { codecs, defineGroup, defineTopic, type BaseContext, type TableContext } from "gokac/runtime";
import { createTester, type EmittedMessage } from "gokac/runtime/testing";

const amounts = defineTopic("amounts", codecs.int64);
const labels = defineTopic("labels", codecs.string);
const totals = defineGroup<bigint>(
  { group: "totals", inputs: [{ topics: [amounts.name], codec: amounts.codec, handler: "add" }], persist: { codec: codecs.int64 } },
  { add: (ctx: BaseContext & TableContext<bigint>, msg: bigint) => ctx.setValue(msg) },
);

describe("tester types", () => {
  it("types table values, consumed values and emitted messages", async () => {
    const tester = createTester();
    tester.register(totals);
    tester.consume(amounts, "k", 1n);
    tester.consume(amounts, "k", null);
    await tester.setTableValue(totals, "k", 5n);
    // Compiled, never called: these must not type-check.
    const misuse = async () => {
      // @ts-expect-error a string is not an int64 value
      tester.consume(amounts, "k", "1");
      // @ts-expect-error the table holds bigints
      await tester.setTableValue(totals, "k", "5");
    };
    expectTypeOf(misuse).toBeFunction();
    expectTypeOf(tester.tableValue(totals, "k")).resolves.toEqualTypeOf<bigint | undefined>();
    expectTypeOf(tester.emitted(labels)).toEqualTypeOf<EmittedMessage<string>[]>();
    expectTypeOf<EmittedMessage<string>["value"]>().toEqualTypeOf<string | null>();
    await tester.close();
  });
});
