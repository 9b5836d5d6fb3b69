/** runtime/broker/topics.ts through the port, on the in-memory broker (no Kafka needed). */
import { expect, it } from "vitest";
import { createMemoryBroker } from "../../runtime/broker/memory/index.js";
import { checkTopics, ensureTopics, groupTopicRequirements, TopicCheckError } from "../../runtime/broker/topics.js";
import type { Codec } from "../../runtime/codecs/codec.js";
import type { GroupGraph } from "../../runtime/graph.js";

const codec: Codec<string> = { name: "string", encode: (s) => new TextEncoder().encode(s), decode: (b) => new TextDecoder().decode(b) };
const graph = (extra: Partial<GroupGraph> = {}): GroupGraph => ({
  group: "clicks",
  inputs: [{ topics: ["user-clicks", "ad-clicks"], codec, handler: "h" }],
  persist: { codec },
  loop: { codec, handler: "loop" },
  ...extra,
});

it("creates the table compacted and the loop with the inputs' count", async () => {
  const broker = createMemoryBroker();
  await broker.createTopic({ topic: "user-clicks", partitions: 6, compacted: false });
  await broker.createTopic({ topic: "ad-clicks", partitions: 6, compacted: false });
  const report = await ensureTopics(broker, groupTopicRequirements(graph()));
  expect(report.problems).toEqual([]);
  expect(await broker.partitionCount("clicks-table")).toBe(6);
  expect(await broker.isCompacted("clicks-table")).toBe(true);
  expect(await broker.partitionCount("clicks-loop")).toBe(6);
  const again = await checkTopics(broker, groupTopicRequirements(graph()));
  expect(again.topics.every((t) => t.action === "ok")).toBe(true);
});

it("reports GK501 with every topic of a mismatched set and creates nothing", async () => {
  const broker = createMemoryBroker();
  await broker.createTopic({ topic: "user-clicks", partitions: 6, compacted: false });
  await broker.createTopic({ topic: "ad-clicks", partitions: 4, compacted: false });
  const error = await ensureTopics(broker, groupTopicRequirements(graph())).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(TopicCheckError);
  expect((error as TopicCheckError).code).toBe("GK501");
  expect((error as TopicCheckError).problems[0]?.topics).toEqual(expect.arrayContaining(["user-clicks", "ad-clicks"]));
  expect(await broker.partitionCount("clicks-table")).toBeUndefined();
});

it("takes a declared count over the inputs' and flags a disagreeing one", async () => {
  const broker = createMemoryBroker();
  await broker.createTopic({ topic: "user-clicks", partitions: 6, compacted: false });
  await broker.createTopic({ topic: "ad-clicks", partitions: 6, compacted: false });
  const error = await ensureTopics(broker, groupTopicRequirements(graph({ partitions: 8 }))).catch((e: unknown) => e);
  expect((error as TopicCheckError).code).toBe("GK501");
});

it("requires inputs and lookups (GK902 errors), warns on outputs (GK902) and uncompacted tables (GK903)", async () => {
  const broker = createMemoryBroker();
  const missing = await checkTopics(broker, groupTopicRequirements(graph()));
  expect(missing.problems.filter((p) => p.severity === "error").map((p) => p.code)).toContain("GK902");
  await broker.createTopic({ topic: "user-clicks", partitions: 2, compacted: false });
  await broker.createTopic({ topic: "ad-clicks", partitions: 2, compacted: false });
  await broker.createTopic({ topic: "clicks-table", partitions: 2, compacted: false });
  const report = await checkTopics(
    broker,
    groupTopicRequirements(graph({ outputs: [{ topic: "alerts", codec }], lookups: [{ table: "geo-table", codec }] })),
  );
  expect(report.problems.map((p) => `${p.code} ${p.severity} ${p.topics.join(",")}`).sort()).toEqual([
    "GK902 error geo-table",
    "GK902 warning alerts",
    "GK903 warning clicks-table",
  ]);
});
