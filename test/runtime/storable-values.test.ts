/** Only storable values: what JSON would change (non-finite numbers, inexact integers) is refused, never stored as null or rounded. */
import { afterEach, describe, expect, it } from "vitest";
import {
  codecs,
  defineGroup,
  defineTopic,
  jsonSchemaCodec,
  ProcessorError,
  UnrepresentableValueError,
  type BaseContext,
  type TableContext,
} from "gokac/runtime";
import { createTester, type Tester } from "gokac/runtime/testing";

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

describe("json codec: only values JSON carries exactly", () => {
  it.each([
    [Number.POSITIVE_INFINITY, ""],
    [Number.NaN, ""],
    [{ total: 3 / 0 }, "/total"],
    [{ nested: { list: [1, -1 / 0] } }, "/nested/list/1"],
    [{ "a/b": Number.NaN }, "/a~1b"],
  ])("refuses %s at %s on encode", (value, path) => {
    const error = (() => {
      try {
        codecs.json.encode(value);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(UnrepresentableValueError);
    expect(error).toMatchObject({ path, reason: "non-finite-number" });
  });

  it("refuses undefined array items, bigints and values without a JSON form", () => {
    expect(() => codecs.json.encode([1, undefined])).toThrow(UnrepresentableValueError);
    expect(() => codecs.json.encode({ n: 1n })).toThrow(UnrepresentableValueError);
    expect(() => codecs.json.encode(undefined)).toThrow(UnrepresentableValueError);
  });

  it("keeps real nulls, strings containing null, and Dates", () => {
    expect(new TextDecoder().decode(codecs.json.encode({ a: null, b: "null", c: [null] }))).toBe('{"a":null,"b":"null","c":[null]}');
    expect(() => codecs.json.encode({ at: new Date(0) })).not.toThrow();
  });

  it("refuses integers beyond 2^53 that a number cannot hold exactly, instead of rounding", () => {
    expect(() => codecs.json.decode(utf8('{"id":9007199254740993}'))).toThrow(UnrepresentableValueError);
    expect(() => codecs.json.decode(utf8("[-12345678901234567891]"))).toThrow(UnrepresentableValueError);
    // exactly representable, in a string, or a decimal fraction: accepted as they are
    expect(codecs.json.decode(utf8('{"id":9007199254740992}'))).toEqual({ id: 9007199254740992 });
    expect(codecs.json.decode(utf8('{"id":"9007199254740993"}'))).toEqual({ id: "9007199254740993" });
    expect(codecs.json.decode(utf8('{"x":0.12345678901234567890,"s":"\\"9007199254740993"}'))).toEqual({
      x: 0.12345678901234568,
      s: '"9007199254740993',
    });
  });
});

describe("json schema codec: property names that are Object.prototype's", () => {
  it("checks `constructor` and `__proto__` as own properties", () => {
    const schema = JSON.parse(
      '{"type":"object","properties":{"constructor":{"type":"string"},"__proto__":{"type":"number"}},"additionalProperties":false}',
    ) as object;
    const codec = jsonSchemaCodec<Record<string, unknown>>("Odd", schema);
    expect(codec.decode(utf8("{}"))).toEqual({});
    expect(codec.decode(utf8('{"constructor":"x"}'))).toEqual({ constructor: "x" });
    expect(() => codec.decode(utf8('{"constructor":1}'))).toThrow();
    expect(Object.keys(codec.decode(utf8('{"__proto__":1}')))).toEqual(["__proto__"]);
    expect(() => codec.decode(utf8('{"__proto__":"not a number"}'))).toThrow();
  });
});

describe("a handler writing an unstorable value", () => {
  let tester: Tester | undefined;
  afterEach(async () => {
    await tester?.close();
    tester = undefined;
  });

  it("fails the message (a handler failure) and stores nothing", async () => {
    const input = defineTopic("ratios", codecs.json);
    type Ctx = BaseContext & TableContext<unknown>;
    const group = defineGroup<unknown>(
      { group: "ratios", inputs: [{ topics: [input.name], codec: input.codec, handler: "divide" }], persist: { codec: codecs.json } },
      {
        divide: (ctx: Ctx, msg: unknown) =>
          ctx.setValue({ ratio: (msg as { a: number; b: number }).a / (msg as { a: number; b: number }).b }),
      },
    );
    tester = createTester();
    tester.register(group);
    tester.consume(input, "k", { a: 3, b: 0 });
    const failure = await tester.run().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(ProcessorError);
    expect(failure).toMatchObject({ group: "ratios", key: "k", kind: "handler" });
    expect(await tester.tableValue(group, "k")).toBeUndefined();
  });
});
