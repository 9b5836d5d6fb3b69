/**
 * The committed example output (generated/ from specs/) with its real
 * handlers, run on the runtime's in-memory tester: each example behaves like
 * the Goka example it follows.
 */
import { afterEach, describe, expect, it } from "vitest";
import { createTester, type Tester } from "gokac/runtime/testing";
import {
  blockerGroup,
  collectorGroup,
  detectorGroup,
  exampleGroupGroup,
  exampleVisitGroupGroup,
  messageFilterGroup,
  miniGroupGroup,
  multiInputGroup,
  translatorGroup,
} from "../../generated/index.js";
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

let tester: Tester | undefined;
function start(): Tester {
  tester = createTester({ partitions: 2 });
  return tester;
}
afterEach(async () => {
  await tester?.close();
  tester = undefined;
});

describe("examples on the in-memory tester", () => {
  it("1-simplest counts messages per key", async () => {
    const t = start();
    t.register(exampleGroupGroup);
    for (const key of ["a", "b", "a", "a"]) t.consume(exampleStream, key, "some-value");
    await t.run();
    expect(await t.tableValue(exampleGroupGroup, "a")).toBe(3n);
    expect(await t.tableValue(exampleGroupGroup, "b")).toBe(1n);
  });

  it("2-clicks counts clicks per user", async () => {
    const t = start();
    t.register(miniGroupGroup);
    t.consume(userClick, "user-1", "t1");
    t.consume(userClick, "user-1", "t2");
    await t.run();
    expect(await t.tableValue(miniGroupGroup, "user-1")).toEqual({ clicks: 2, lastClick: "t2" });
  });

  it("3-messaging filters blocked senders, translates, collects and detects", async () => {
    const t = start();
    for (const g of [blockerGroup, translatorGroup, messageFilterGroup, collectorGroup, detectorGroup]) t.register(g);
    t.consume(translateWord, "hello", "hallo");
    t.consume(blockUser, "spammer", {});
    await t.run();
    t.consume(messageSent, "alice", { from: "alice", to: "bob", content: "hello bob" });
    t.consume(messageSent, "spammer", { from: "spammer", to: "bob", content: "buy now" });
    await t.run();
    expect(t.emitted(messageReceived).map((m) => m.value)).toEqual([{ from: "alice", to: "bob", content: "hallo bob" }]);
    expect(await t.tableValue(collectorGroup, "bob")).toEqual([{ from: "alice", to: "bob", content: "hallo bob" }]);
    expect(await t.tableValue(detectorGroup, "alice")).toEqual({ sent: 1, received: 0 });
    expect(await t.tableValue(detectorGroup, "bob")).toEqual({ sent: 0, received: 2 });
    t.consume(blockUser, "spammer", { unblock: true });
    await t.run();
    expect(await t.tableValue(blockerGroup, "spammer")).toEqual({ blocked: false });
  });

  it("3-messaging: the detector blocks a user who mostly sends", async () => {
    const t = start();
    t.register(detectorGroup);
    for (let i = 0; i < 200; i++) t.consume(messageSent, "loud", { from: "loud", to: `user-${i % 7}`, content: "hi" });
    await t.run();
    expect(t.emitted(blockUser).some((m) => m.key === "loud")).toBe(true);
  });

  it("5-multiple counts both inputs together", async () => {
    const t = start();
    t.register(multiInputGroup);
    t.consume(inputA, "user-1", "a");
    t.consume(inputB, "user-1", "b");
    t.consume(inputB, "user-2", "b");
    await t.run();
    expect(await t.tableValue(multiInputGroup, "user-1")).toEqual({ clicks: 2 });
    expect(await t.tableValue(multiInputGroup, "user-2")).toEqual({ clicks: 1 });
  });

  it("10-visit sums values and the reset visitor sets every key", async () => {
    const t = start();
    t.register(exampleVisitGroupGroup);
    t.consume(exampleVisitClicksInput, "k1", 5n);
    t.consume(exampleVisitClicksInput, "k1", 2n);
    t.consume(exampleVisitClicksInput, "k2", 1n);
    await t.run();
    expect(await t.tableValue(exampleVisitGroupGroup, "k1")).toBe(7n);
    await t.visitAll(exampleVisitGroupGroup, "reset", 0n);
    expect(await t.tableValue(exampleVisitGroupGroup, "k1")).toBe(0n);
    expect(await t.tableValue(exampleVisitGroupGroup, "k2")).toBe(0n);
  });
});
