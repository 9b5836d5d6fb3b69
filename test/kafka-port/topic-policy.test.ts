/** runtime/topics/requirements.ts: the one topic policy, for both create rules, and through the port on the in-memory broker. */
import { describe, expect, it } from "vitest";
import { createMemoryBroker } from "../../runtime/broker/memory/index.js";
import { checkTopics, ensureTopics, groupTopicRequirements, groupTopicsOf, TopicCheckError } from "../../runtime/broker/topics.js";
import type { Codec } from "../../runtime/codecs/codec.js";
import type { GroupGraph } from "../../runtime/graph.js";
import {
  CATALOGUE_GROUP,
  loopTopic,
  tableTopic,
  topicRequirements,
  type TopicPolicyInput,
  type TopicRequirement,
} from "../../runtime/topics/requirements.js";

const codec: Codec<string> = { name: "string", encode: (s) => new TextEncoder().encode(s), decode: (b) => new TextDecoder().decode(b) };

/** Two groups: `clicks` counts clicks (table, loop), joins `users-table` (owned by `users`), looks up `geo-table`, emits `alerts`. */
const specs: TopicPolicyInput = {
  groups: [
    {
      name: "clicks",
      inputs: ["user-clicks", "ad-clicks"],
      loop: true,
      persist: true,
      joins: ["users-table"],
      lookups: ["geo-table", "users-table"],
      outputs: ["alerts"],
    },
    { name: "users", inputs: ["user-updates"], persist: true, partitions: 4 },
  ],
  topics: [
    { name: "ad-clicks", partitions: 6 },
    { name: "user-clicks" },
    { name: "user-updates", partitions: 4 },
    { name: "alerts", partitions: 3 },
    { name: "geo-table" },
    { name: "audit", partitions: 1 },
    { name: "unsized" },
  ],
};

/** `topic role group partitions create` of each requirement, in order. */
const summary = (rs: readonly TopicRequirement[]) =>
  rs.map((r) => `${r.topic} ${r.role} ${r.group} ${r.partitions ?? "?"} ${r.create ? "create" : "-"}`);

describe("topic names", () => {
  it("spells the group table and loop", () => {
    expect(tableTopic("clicks")).toBe("clicks-table");
    expect(loopTopic("clicks")).toBe("clicks-loop");
  });
});

describe("topicRequirements", () => {
  it("group-owned: creates only the group's table and loop and its joined tables", () => {
    const rs = topicRequirements(specs, { create: "group-owned" });
    expect(summary(rs)).toEqual([
      "user-clicks input clicks ? -",
      "ad-clicks input clicks 6 -",
      "clicks-loop loop clicks 6 create",
      "clicks-table table clicks 6 create",
      "users-table join clicks 4 create",
      "geo-table lookup clicks ? -",
      "users-table lookup clicks 4 -",
      "alerts output clicks 3 -",
      "user-updates input users 4 -",
      "users-table table users 4 create",
    ]);
  });

  it("all-declared: creates every topic whose count is known, catalogue topics no group names included", () => {
    const rs = topicRequirements(specs, { create: "all-declared" });
    expect(summary(rs)).toEqual([
      // The group's count comes from its first input with a declared count; an undeclared input has none of its own.
      "user-clicks input clicks ? -",
      "ad-clicks input clicks 6 create",
      "clicks-loop loop clicks 6 create",
      "clicks-table table clicks 6 create",
      // A joined or looked-up table takes its owner group's count.
      "users-table join clicks 4 create",
      "geo-table lookup clicks ? -",
      "users-table lookup clicks 4 create",
      "alerts output clicks 3 create",
      "user-updates input users 4 create",
      "users-table table users 4 create",
      `audit output ${CATALOGUE_GROUP} 1 create`,
      `unsized output ${CATALOGUE_GROUP} ? -`,
    ]);
  });

  it("marks tables compacted, outputs optional, and a group's inputs, loop, table and joins as one copartitioned set", () => {
    for (const create of ["group-owned", "all-declared"] as const) {
      const rs = topicRequirements(specs, { create });
      const clicks = rs.filter((r) => r.group === "clicks");
      expect(clicks.filter((r) => r.compacted).map((r) => r.role)).toEqual(["table", "join", "lookup", "lookup"]);
      expect(clicks.filter((r) => !r.required).map((r) => r.role)).toEqual(["output"]);
      expect(clicks.filter((r) => r.copartition !== undefined).map((r) => `${r.role}:${r.copartition}`)).toEqual([
        "input:group clicks",
        "input:group clicks",
        "loop:group clicks",
        "table:group clicks",
        "join:group clicks",
      ]);
    }
  });

  it("a group of unknown count: all-declared cannot create its table and loop, group-owned still asks for them", () => {
    const input: TopicPolicyInput = { groups: [{ name: "g", inputs: ["in"], loop: true, persist: true }] };
    expect(summary(topicRequirements(input, { create: "all-declared" }))).toEqual([
      "in input g ? -",
      "g-loop loop g ? -",
      "g-table table g ? -",
    ]);
    expect(summary(topicRequirements(input, { create: "group-owned" }))).toEqual([
      "in input g ? -",
      "g-loop loop g ? create",
      "g-table table g ? create",
    ]);
  });

  it("reads a JSON round trip of its input alike", () => {
    const copy = JSON.parse(JSON.stringify(specs)) as TopicPolicyInput;
    for (const create of ["group-owned", "all-declared"] as const)
      expect(topicRequirements(copy, { create })).toEqual(topicRequirements(specs, { create }));
  });
});

describe("groupTopicRequirements (the processor's adapter)", () => {
  const graph: GroupGraph = {
    group: "clicks",
    inputs: [
      { topics: ["user-clicks"], codec, handler: "h" },
      { topics: ["ad-clicks"], codec, handler: "h2" },
    ],
    persist: { codec },
    loop: { codec, handler: "loop" },
    joins: [{ table: "users-table", codec }],
    lookups: [{ table: "geo-table", codec }],
    outputs: [{ topic: "alerts", codec }],
    partitions: 8,
  };

  it("is the group-owned policy over the graph's description, without a catalogue", () => {
    expect(groupTopicsOf(graph)).toEqual({
      name: "clicks",
      inputs: ["user-clicks", "ad-clicks"],
      loop: true,
      persist: true,
      joins: ["users-table"],
      lookups: ["geo-table"],
      outputs: ["alerts"],
      partitions: 8,
    });
    const rs = groupTopicRequirements(graph);
    expect(rs).toEqual(topicRequirements({ groups: [groupTopicsOf(graph)] }, { create: "group-owned" }));
    expect(summary(rs)).toEqual([
      "user-clicks input clicks 8 -",
      "ad-clicks input clicks 8 -",
      "clicks-loop loop clicks 8 create",
      "clicks-table table clicks 8 create",
      "users-table join clicks 8 create",
      "geo-table lookup clicks ? -",
      "alerts output clicks ? -",
    ]);
  });
});

describe("both rules through the port", () => {
  const input: TopicPolicyInput = {
    groups: [{ name: "orders", inputs: ["order-events"], persist: true, outputs: ["receipts"] }],
    topics: [
      { name: "order-events", partitions: 3 },
      { name: "receipts", partitions: 2 },
    ],
  };

  it("group-owned refuses a missing input (GK902) and creates nothing", async () => {
    const broker = createMemoryBroker();
    const error = await ensureTopics(broker, topicRequirements(input, { create: "group-owned" })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TopicCheckError);
    expect((error as TopicCheckError).code).toBe("GK902");
    expect(await broker.partitionCount("orders-table")).toBeUndefined();
  });

  it("all-declared creates every declared topic with its count, tables compacted", async () => {
    const broker = createMemoryBroker();
    const report = await ensureTopics(broker, topicRequirements(input, { create: "all-declared" }));
    expect(report.problems).toEqual([]);
    expect(await broker.partitionCount("order-events")).toBe(3);
    expect(await broker.isCompacted("order-events")).toBe(false);
    expect(await broker.partitionCount("orders-table")).toBe(3);
    expect(await broker.isCompacted("orders-table")).toBe(true);
    expect(await broker.partitionCount("receipts")).toBe(2);
    const again = await checkTopics(broker, topicRequirements(input, { create: "all-declared" }));
    expect(again.topics.every((t) => t.action === "ok")).toBe(true);
  });
});
