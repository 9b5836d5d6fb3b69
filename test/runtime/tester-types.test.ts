/**
 * The tester's typing, checked by `tsc -p tsconfig.json` (a misplaced
 * `@ts-expect-error` fails the type check) and at run time by expectTypeOf.
 */
import { describe, expect, expectTypeOf, it } from "vitest";
import { codecs, defineGroup, defineTopic, type BaseContext, type TableContext } from "gokac/runtime";
import { createTester, type EmittedMessage } from "gokac/runtime/testing";

interface Score {
  points: number;
}
const scores = defineTopic(
  "scores",
  codecs.jsonSchema<Score>("Score", { type: "object", required: ["points"], properties: { points: { type: "number" } } }),
);
const totals = defineGroup<Score>(
  { group: "totals", inputs: [{ topics: [scores.name], codec: scores.codec, handler: "add" }], persist: { codec: scores.codec } },
  {
    add(ctx: BaseContext & TableContext<Score>, msg: Score) {
      const current = ctx.value() as Score | undefined;
      ctx.setValue({ points: (current?.points ?? 0) + msg.points });
    },
  },
);

describe("tester types", () => {
  it("types consume, tableValue, setTableValue and emitted by the topic and the group", async () => {
    const tester = createTester();
    tester.register(totals);
    tester.consume(scores, "k", { points: 2 });
    // @ts-expect-error a value of the wrong type for the topic
    expect(() => tester.consume(scores, "k", { points: "two" })).not.toThrow();
    tester.clearEmitted();
    await expect(tester.run()).rejects.toMatchObject({ name: "SchemaValidationError" });

    const value = await tester.tableValue(totals, "k");
    expectTypeOf(value).toEqualTypeOf<Score | undefined>();
    // @ts-expect-error a table value of the wrong type
    await tester.setTableValue(totals, "k", 3).catch(() => undefined);
    await tester.setTableValue(totals, "k", { points: 40 });
    expect(await tester.tableValue(totals, "k")).toEqual({ points: 40 });

    const emitted = tester.emitted(scores);
    expectTypeOf(emitted).toEqualTypeOf<EmittedMessage<Score>[]>();
    expectTypeOf<(typeof emitted)[number]["value"]>().toEqualTypeOf<Score | null>();
    await tester.close();
  });
});
