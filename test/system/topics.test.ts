/** runtime/broker/topics.ts on a real broker: copartitioning checks (GK501), creation of tables and loops. */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Codec } from "../../runtime/codecs/codec.js";
import type { GroupGraph } from "../../runtime/graph.js";
import type { Broker } from "../../runtime/broker/port.js";
import { createKafkaBroker } from "../../runtime/broker/kafka/index.js";
import { checkTopics, ensureTopics, groupTopicRequirements, TopicCheckError } from "../../runtime/broker/topics.js";
import { describeKafka, kafkaBrokers, unique } from "./kafka-env.js";

const codec: Codec<string> = { name: "string", encode: (s) => new TextEncoder().encode(s), decode: (b) => new TextDecoder().decode(b) };

function graph(group: string, inputs: string[], extra: Partial<GroupGraph> = {}): GroupGraph {
  return { group, inputs: [{ topics: inputs, codec, handler: "h" }], persist: { codec }, loop: { codec, handler: "loop" }, ...extra };
}

async function caught(p: Promise<unknown>): Promise<TopicCheckError> {
  try {
    await p;
  } catch (error) {
    if (error instanceof TopicCheckError) return error;
    throw error;
  }
  throw new Error("expected a TopicCheckError");
}

describeKafka("topic checks and creation", () => {
  let broker: Broker;
  beforeAll(() => {
    broker = createKafkaBroker({ brokers: kafkaBrokers() });
  });
  afterAll(async () => {
    await broker.close();
  });

  it("creates the group table (compacted), the loop and a missing joined table with the inputs' count", async () => {
    const group = unique("topics-ok");
    const [a, b] = [unique("topics-a"), unique("topics-b")];
    const joined = unique("topics-users") + "-table";
    await broker.createTopic({ topic: a, partitions: 6, compacted: false });
    await broker.createTopic({ topic: b, partitions: 6, compacted: false });
    const requirements = groupTopicRequirements(graph(group, [a, b], { joins: [{ table: joined, codec }] }));
    const before = await checkTopics(broker, requirements);
    expect(before.problems).toEqual([]);
    expect(
      before.topics
        .filter((t) => t.action === "create")
        .map((t) => t.requirement.topic)
        .sort(),
    ).toEqual([`${group}-loop`, `${group}-table`, joined].sort());
    await ensureTopics(broker, requirements);
    expect(await broker.partitionCount(`${group}-table`)).toBe(6);
    expect(await broker.isCompacted(`${group}-table`)).toBe(true);
    expect(await broker.partitionCount(`${group}-loop`)).toBe(6);
    expect(await broker.isCompacted(`${group}-loop`)).toBe(false);
    expect(await broker.partitionCount(joined)).toBe(6);
    const after = await checkTopics(broker, requirements);
    expect(after.topics.every((t) => t.action === "ok")).toBe(true);
    // Running again is a no-op.
    await ensureTopics(broker, requirements);
  });

  it("fails with GK501 when inputs, the declared count or an existing table disagree", async () => {
    const [four, eight] = [unique("topics-four"), unique("topics-eight")];
    await broker.createTopic({ topic: four, partitions: 4, compacted: false });
    await broker.createTopic({ topic: eight, partitions: 8, compacted: false });
    const mixed = await caught(ensureTopics(broker, groupTopicRequirements(graph(unique("topics-mixed"), [four, eight]))));
    expect(mixed.code).toBe("GK501");
    expect(mixed.problems[0]?.topics).toEqual(expect.arrayContaining([four, eight]));

    const declared = await caught(ensureTopics(broker, groupTopicRequirements(graph(unique("topics-decl"), [four], { partitions: 8 }))));
    expect(declared.code).toBe("GK501");

    const group = unique("topics-table");
    await broker.createTopic({ topic: `${group}-table`, partitions: 8, compacted: true });
    const table = await caught(ensureTopics(broker, groupTopicRequirements(graph(group, [four]))));
    expect(table.code).toBe("GK501");
    expect(await broker.partitionCount(`${group}-loop`)).toBeUndefined();
  });

  it("requires inputs and lookups to exist (GK902), warns on missing outputs and uncompacted tables", async () => {
    const input = unique("topics-in");
    const group = unique("topics-miss");
    const missing = await caught(ensureTopics(broker, groupTopicRequirements(graph(group, [input]))));
    expect(missing.code).toBe("GK902");
    await broker.createTopic({ topic: input, partitions: 2, compacted: false });
    const lookup = unique("topics-geo") + "-table";
    const withLookup = groupTopicRequirements(graph(group, [input], { lookups: [{ table: lookup, codec }] }));
    expect((await caught(ensureTopics(broker, withLookup))).code).toBe("GK902");

    await broker.createTopic({ topic: `${group}-table`, partitions: 2, compacted: false });
    const output = unique("topics-out");
    const report = await ensureTopics(broker, groupTopicRequirements(graph(group, [input], { outputs: [{ topic: output, codec }] })));
    expect(report.problems.map((p) => [p.code, p.severity]).sort()).toEqual([
      ["GK902", "warning"],
      ["GK903", "warning"],
    ]);
  });
});
