/**
 * End to end on the tester: the example specs (Goka's 1-simplest, 2-clicks,
 * 3-messaging, 5-multiple, 10-visit) as the compiler generated them in
 * generated/, with the handler bodies in their handlers.ts files.
 */
import { afterEach, describe, expect, expectTypeOf, it } from "vitest";
import { createTester, type Tester } from "gokac/runtime/testing";
import { blockerGroup } from "../../generated/blocker/graph.js";
import { collectorGroup } from "../../generated/collector/graph.js";
import { detectorGroup } from "../../generated/detector/graph.js";
import { exampleGroupGroup } from "../../generated/example-group/graph.js";
import { exampleVisitGroupGroup } from "../../generated/example-visit-group/graph.js";
import { messageFilterGroup } from "../../generated/message_filter/graph.js";
import { miniGroupGroup } from "../../generated/mini-group/graph.js";
import { multiInputGroup } from "../../generated/multiInput/graph.js";
import { translatorGroup } from "../../generated/translator/graph.js";
import {
  blockUser,
  exampleStream,
  exampleVisitClicksInput,
  inputA,
  inputB,
  messageReceived,
  messageSent,
  translateWord,
  userClick,
} from "../../generated/topics.js";
import type { MessageList, UserClicks } from "../../generated/types.js";

let tester: Tester | undefined;
afterEach(async () => {
  await tester?.close();
  tester = undefined;
});

describe("1-simplest: example-group", () => {
  it("counts the messages of each key", async () => {
    tester = createTester();
    tester.register(exampleGroupGroup);
    for (const key of ["some-key", "other", "some-key", "some-key"]) tester.consume(exampleStream, key, "some-value");
    await tester.run();
    const value = await tester.tableValue(exampleGroupGroup, "some-key");
    expectTypeOf(value).toEqualTypeOf<bigint | undefined>();
    expect(value).toBe(3n);
    expect(await tester.tableValue(exampleGroupGroup, "other")).toBe(1n);
  });
});

describe("2-clicks: mini-group", () => {
  it("counts each user's clicks and keeps the last one", async () => {
    tester = createTester();
    tester.register(miniGroupGroup);
    tester.consume(userClick, "user-1", "/a");
    tester.consume(userClick, "user-1", "/b");
    tester.consume(userClick, "user-2", "/c");
    await tester.run();
    const user1 = await tester.tableValue(miniGroupGroup, "user-1");
    expectTypeOf(user1).toEqualTypeOf<UserClicks | undefined>();
    expect(user1).toMatchObject({ clicks: 2, lastClick: "/b" });
    expect(await tester.tableValue(miniGroupGroup, "user-2")).toMatchObject({ clicks: 1 });
  });
});

describe("5-multiple: multiInput", () => {
  it("counts messages of both inputs together", async () => {
    tester = createTester();
    tester.register(multiInputGroup);
    tester.consume(inputA, "user", "x");
    tester.consume(inputB, "user", "y");
    tester.consume(inputA, "user", "z");
    await tester.run();
    expect(await tester.tableValue(multiInputGroup, "user")).toEqual({ clicks: 3 });
  });
});

describe("10-visit: example-visit-group", () => {
  it("sums per key; the reset visitor sets every counter to the meta value", async () => {
    tester = createTester();
    tester.register(exampleVisitGroupGroup);
    for (const [key, n] of [
      ["a", 3n],
      ["b", 4n],
      ["a", 5n],
    ] as const)
      tester.consume(exampleVisitClicksInput, key, n);
    await tester.run();
    expect(await tester.tableValue(exampleVisitGroupGroup, "a")).toBe(8n);
    await tester.visitAll(exampleVisitGroupGroup, "reset", 10n);
    expect(await tester.tableValue(exampleVisitGroupGroup, "a")).toBe(10n);
    expect(await tester.tableValue(exampleVisitGroupGroup, "b")).toBe(10n);
    await tester.visitAll(exampleVisitGroupGroup, "reset", "not a bigint");
    expect(await tester.tableValue(exampleVisitGroupGroup, "b")).toBe(0n);
  });
});

describe("3-messaging: blocker, collector, detector, message_filter, translator", () => {
  function messaging(): Tester {
    const t = createTester();
    for (const group of [blockerGroup, collectorGroup, detectorGroup, messageFilterGroup, translatorGroup]) t.register(group);
    return t;
  }

  it("delivers messages to the receiver's list, translated", async () => {
    tester = messaging();
    tester.consume(translateWord, "hello", "hallo");
    await tester.run();
    tester.consume(messageSent, "alice", { from: "alice", to: "bob", content: "hello bob" });
    tester.consume(messageSent, "carol", { from: "carol", to: "bob", content: "hi" });
    await tester.run();
    const inbox = await tester.tableValue(collectorGroup, "bob");
    expectTypeOf(inbox).toEqualTypeOf<MessageList | undefined>();
    expect(inbox).toEqual([
      { from: "alice", to: "bob", content: "hallo bob" },
      { from: "carol", to: "bob", content: "hi" },
    ]);
    expect(tester.emitted(messageReceived).map((m) => m.key)).toEqual(["bob", "bob"]);
    // The detector counted the receiver through its loop.
    expect(await tester.tableValue(detectorGroup, "bob")).toEqual({ sent: 0, received: 2 });
    expect(await tester.tableValue(detectorGroup, "alice")).toEqual({ sent: 1, received: 0 });
  });

  it("the detector blocks a spammer, after which the filter drops its messages", async () => {
    tester = messaging();
    for (let i = 0; i < 200; i++) tester.consume(messageSent, "spammer", { from: "spammer", to: `victim-${i % 3}`, content: `buy ${i}` });
    await tester.run();
    expect(tester.emitted(blockUser).some((m) => m.key === "spammer")).toBe(true);
    expect(await tester.tableValue(blockerGroup, "spammer")).toEqual({ blocked: true });
    tester.clearEmitted();
    tester.consume(messageSent, "spammer", { from: "spammer", to: "victim-0", content: "still here" });
    tester.consume(messageSent, "friend", { from: "friend", to: "victim-0", content: "hi" });
    await tester.run();
    expect(tester.emitted(messageReceived).map((m) => m.value?.from)).toEqual(["friend"]);
    const inbox = await tester.tableValue(collectorGroup, "victim-0");
    expect(inbox?.at(-1)).toEqual({ from: "friend", to: "victim-0", content: "hi" });
    expect(inbox).toHaveLength(5);
  });

  it("a message that does not match its schema is refused by the tester, and stops a processor with a decode error", async () => {
    tester = messaging();
    tester.consume("message_sent", "alice", { from: "alice" });
    await expect(tester.run()).rejects.toMatchObject({ name: "SchemaValidationError", typeName: "Message", direction: "encode" });
    // Written by another client, unvalidated:
    const producer = await tester.broker.producer();
    await producer.send([
      { topic: "message_sent", partition: 0, key: "alice", value: new TextEncoder().encode(JSON.stringify({ from: "alice" })) },
    ]);
    const error = await tester.run().catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "ProcessorError", kind: "decode", topic: "message_sent", partition: 0, key: "alice", offset: 0 });
    expect((error as Error).cause).toMatchObject({ name: "SchemaValidationError", direction: "decode" });
  });
});
