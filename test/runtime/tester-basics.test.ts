import { afterEach, describe, expect, it } from "vitest";
import { createTester, type Tester } from "gokac/runtime/testing";
import { clicks, counterGroup, counts } from "./groups.js";

let tester: Tester | undefined;
afterEach(async () => {
  await tester?.close();
  tester = undefined;
});

describe("tester with a counting group", () => {
  it("persists per-key state and emits", async () => {
    tester = createTester({ partitions: 4 });
    const group = counterGroup();
    tester.register(group);
    for (const key of ["a", "b", "a", "c", "a"]) tester.consume(clicks, key, "click");
    await tester.run();
    expect(await tester.tableValue(group, "a")).toBe(3n);
    expect(await tester.tableValue(group, "b")).toBe(1n);
    expect(await tester.tableValue(group, "zzz")).toBeUndefined();
    const emitted = tester.emitted(counts);
    expect(emitted.filter((m) => m.key === "a").map((m) => m.value)).toEqual([1n, 2n, 3n]);
    expect(emitted).toHaveLength(5);
  });

  it("setTableValue is seen by the next message", async () => {
    tester = createTester();
    const group = counterGroup();
    tester.register(group);
    await tester.setTableValue(group, "k", 41n);
    tester.consume(clicks, "k", "x");
    await tester.run();
    expect(await tester.tableValue(group, "k")).toBe(42n);
  });
});
