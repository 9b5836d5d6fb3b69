/** runtime/errors.ts: every runtime error is a `GokacError` with a stable code, `retriable` and its cause; `reasonOf` turns any cause into text. */
import { describe, expect, it } from "vitest";
import {
  asError,
  codecs,
  createMemoryBroker,
  createMemoryStorage,
  createProcessor,
  defineGroup,
  defineTopic,
  ensureTopics,
  GokacError,
  groupTopicRequirements,
  KafkaBrokerOptionsError,
  parseBrokerList,
  ProcessorError,
  ProcessorSetupError,
  ProcessorStateError,
  reasonOf,
  RecoveryError,
  RuntimeOptionsError,
  SchemaValidationError,
  TopicCheckError,
} from "gokac/runtime";
import { createTester } from "gokac/runtime/testing";

const numbers = defineTopic("numbers", codecs.int64);

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe("GokacError", () => {
  it("carries code, retriable (default false) and cause", () => {
    const cause = new Error("disk full");
    const error = new GokacError("writing failed", { code: "SOME_CODE", retriable: true, cause });
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ code: "SOME_CODE", retriable: true, cause });
    const plain = new GokacError("no cause", { code: "OTHER" });
    expect(plain.retriable).toBe(false);
    expect("cause" in plain).toBe(false);
  });

  it("ProcessorError: code PROCESSOR_FAILED, retriable only for produce and commit, the handler's error as cause", async () => {
    const where = { group: "g", topic: "t", partition: 0, offset: 3, key: "k" };
    const retriable = (["handler", "decode", "produce", "commit", "storage", "deferred"] as const).map((kind) => [
      kind,
      new ProcessorError(kind, where, "x").retriable,
    ]);
    expect(Object.fromEntries(retriable)).toEqual({
      handler: false,
      decode: false,
      produce: true,
      commit: true,
      storage: false,
      deferred: false,
    });

    // Through a real processor: `ctx.fail(reason)` ends with `reason` itself as the cause (not the internal unwinding error).
    const reason = new Error("unlucky");
    const tester = createTester();
    try {
      tester.register(
        defineGroup(
          { group: "failing", inputs: [{ topics: [numbers.name], codec: numbers.codec, handler: "h" }] },
          { h: (ctx: { fail(e: unknown): never }) => ctx.fail(reason) },
        ),
      );
      tester.consume(numbers, "a", 1n);
      const failure = await tester.run().then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(ProcessorError);
      expect(failure).toBeInstanceOf(GokacError);
      expect(failure).toMatchObject({ code: "PROCESSOR_FAILED", kind: "handler", retriable: false });
      expect((failure as ProcessorError).cause).toBe(reason);
    } finally {
      await tester.close();
    }
  });

  it("every runtime error class extends it with its own stable code", async () => {
    const cause = new Error("changelog unreadable");
    const recovery = new RecoveryError("t-table", 1, 7, cause, true);
    expect(recovery).toMatchObject({ code: "RECOVERY_FAILED", retriable: true, cause });
    expect(new RecoveryError("t-table", 1, 7, cause)).toMatchObject({ retriable: false });

    const setup = new ProcessorSetupError("g", "input topic missing", { cause });
    expect(setup).toMatchObject({ code: "PROCESSOR_SETUP", retriable: false, cause });

    const options = thrown(() => createProcessor({ graph: { group: "g", inputs: [] }, handlers: {} }, { broker: undefined as never }));
    expect(options).toBeInstanceOf(RuntimeOptionsError);
    expect(options).toMatchObject({ code: "INVALID_OPTIONS", option: "broker", retriable: false });

    const processor = createProcessor(
      { graph: { group: "g", inputs: [] }, handlers: {} },
      { broker: createMemoryBroker(), storage: createMemoryStorage() },
    );
    const state = await processor.visitAll("v", undefined).catch((e: unknown) => e);
    expect(state).toBeInstanceOf(ProcessorStateError);
    expect(state).toMatchObject({ code: "PROCESSOR_STATE", retriable: false });

    const brokers = thrown(() => parseBrokerList(""));
    expect(brokers).toBeInstanceOf(KafkaBrokerOptionsError);
    expect(brokers).toMatchObject({ code: "INVALID_BROKER_OPTIONS" });

    const schema = thrown(() =>
      codecs.jsonSchema<{ n: number }>("N", { type: "object", properties: { n: { type: "number" } }, required: ["n"] }).encode({} as never),
    );
    expect(schema).toBeInstanceOf(SchemaValidationError);
    expect(schema).toMatchObject({ code: "SCHEMA_VALIDATION", direction: "encode" });

    const topics = await ensureTopics(
      createMemoryBroker(),
      groupTopicRequirements({ group: "g", inputs: [{ topics: ["absent"], codec: numbers.codec, handler: "h" }] }),
    ).catch((e: unknown) => e);
    expect(topics).toBeInstanceOf(TopicCheckError);
    expect(topics).toMatchObject({ code: "GK902", retriable: false });

    for (const error of [recovery, setup, options, state, brokers, schema, topics]) expect(error).toBeInstanceOf(GokacError);
  });
});

describe("reasonOf", () => {
  it("gives an Error's message and anything else as text", () => {
    expect(reasonOf(new Error("broken"))).toBe("broken");
    expect(reasonOf(new TypeError("bad type"))).toBe("bad type");
    expect(reasonOf("plain")).toBe("plain");
    expect(reasonOf(42)).toBe("42");
    expect(reasonOf(undefined)).toBe("undefined");
    expect(reasonOf(null)).toBe("null");
  });

  it("never throws, even for an object without a prototype", () => {
    const bare = Object.create(null) as object;
    expect(() => String(bare)).toThrow(TypeError);
    expect(reasonOf(bare)).toBe("[object Object]");
  });

  it("follows the cause chain past errors without a message", () => {
    const inner = new Error("root cause");
    expect(reasonOf(new Error("", { cause: inner }))).toBe("root cause");
    expect(reasonOf(new Error("", { cause: new Error("", { cause: "deepest" }) }))).toBe("deepest");
    // An outer message wins: wrapping errors put their cause's reason in their own message.
    expect(reasonOf(new Error("outer", { cause: inner }))).toBe("outer");
    const wrapped = new RecoveryError("t-table", 0, 1, inner);
    expect(reasonOf(wrapped)).toBe(wrapped.message);
    // No message and no cause: the error's name.
    expect(reasonOf(new RangeError())).toBe("RangeError");
  });

  it("asError keeps Errors and wraps anything else with it as the cause", () => {
    const error = new Error("x");
    expect(asError(error)).toBe(error);
    const wrapped = asError("text");
    expect(wrapped).toBeInstanceOf(Error);
    expect(wrapped.cause).toBe("text");
    expect(reasonOf(wrapped)).toBe("text");
  });
});
