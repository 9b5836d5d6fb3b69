/** The copartitioned assigner's split (pure; no broker needed). */
import { expect, it } from "vitest";
import { copartitionedRanges } from "../../runtime/broker/kafka/index.js";
import { parseBrokerList } from "../../runtime/broker/kafka/index.js";

it("splits 8 partitions 4/4 in contiguous ranges, by sorted member id", () => {
  const ranges = copartitionedRanges(["m-b", "m-a"], 8);
  expect(ranges.get("m-a")).toEqual([0, 1, 2, 3]);
  expect(ranges.get("m-b")).toEqual([4, 5, 6, 7]);
});

it("gives every partition to exactly one member, sizes differing by at most one", () => {
  for (const [members, partitions] of [
    [3, 8],
    [5, 3],
    [1, 12],
    [4, 4],
  ] as const) {
    const ids = Array.from({ length: members }, (_, i) => `member-${i}`);
    const ranges = copartitionedRanges(ids, partitions);
    const all = [...ranges.values()].flat().sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: partitions }, (_, i) => i));
    const sizes = [...ranges.values()].map((r) => r.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  }
});

it("parses broker lists and refuses malformed ones", () => {
  expect(parseBrokerList("127.0.0.1:9092, kafka:9093")).toEqual(["127.0.0.1:9092", "kafka:9093"]);
  expect(parseBrokerList(["a:1"])).toEqual(["a:1"]);
  expect(() => parseBrokerList("")).toThrow();
  expect(() => parseBrokerList("localhost")).toThrow();
});
