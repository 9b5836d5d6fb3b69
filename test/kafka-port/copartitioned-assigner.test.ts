/**
 * The copartitioned assigner itself (not only its split): with several topics
 * and members, every member gets the same partition numbers of every topic,
 * each partition of each topic goes to exactly one member, and topics with
 * different partition counts are refused (GK501). No broker: a cluster stub
 * answers the one metadata question the assigner asks.
 */
import kafkajs, { type Cluster, type GroupMember, type Logger, type PartitionMetadata } from "kafkajs";
import { describe, expect, it } from "vitest";
import { COPARTITIONED, copartitionedAssigner } from "../../runtime/broker/kafka/copartitioned-assigner.js";

const { AssignerProtocol } = kafkajs;

/** Partition metadata listing `ids` in the order given (Kafka promises no order). */
function metadata(ids: readonly number[]): PartitionMetadata[] {
  return ids.map((partitionId) => ({ partitionErrorCode: 0, partitionId, leader: 1, replicas: [1], isr: [1] }));
}

/** Runs the assigner over `members` for topics with the given partition ids; the decoded assignment of each member. */
async function assign(
  topics: Readonly<Record<string, readonly number[]>>,
  members: readonly string[],
): Promise<Map<string, Record<string, number[]>>> {
  const cluster = {
    findTopicPartitionMetadata(topic: string): PartitionMetadata[] {
      const ids = topics[topic];
      if (ids === undefined) throw new Error(`stub cluster: unknown topic ${topic}`);
      return metadata(ids);
    },
  } as unknown as Cluster;
  const assigner = copartitionedAssigner({ cluster, groupId: "g", logger: {} as Logger });
  const names = Object.keys(topics);
  const groupMembers: GroupMember[] = members.map((memberId) => ({
    memberId,
    memberMetadata: assigner.protocol({ topics: names }).metadata,
  }));
  const result = await assigner.assign({ members: groupMembers, topics: names });
  const out = new Map<string, Record<string, number[]>>();
  for (const { memberId, memberAssignment } of result) {
    const decoded = AssignerProtocol.MemberAssignment.decode(memberAssignment);
    if (decoded === null) throw new Error(`member ${memberId}: undecodable assignment`);
    out.set(memberId, decoded.assignment);
  }
  return out;
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

/** Every member has the same partition list for every topic; every partition of every topic is assigned once. */
function expectCopartitioned(assignment: Map<string, Record<string, number[]>>, topics: readonly string[], partitions: number): void {
  for (const [member, byTopic] of assignment) {
    expect(Object.keys(byTopic).sort(), `topics of ${member}`).toEqual([...topics].sort());
    const first = byTopic[topics[0]!];
    for (const topic of topics) expect(byTopic[topic], `${member}: ${topic} vs ${topics[0]}`).toEqual(first);
  }
  for (const topic of topics) {
    const all = [...assignment.values()].flatMap((byTopic) => byTopic[topic] ?? []).sort((a, b) => a - b);
    expect(all, `partitions of ${topic}`).toEqual(range(partitions));
  }
}

describe("copartitioned assigner", () => {
  it("announces the gokac protocol with the group's topics", () => {
    const assigner = copartitionedAssigner({ cluster: {} as Cluster, groupId: "g", logger: {} as Logger });
    const state = assigner.protocol({ topics: ["a", "b"] });
    expect(state.name).toBe(COPARTITIONED);
    expect(AssignerProtocol.MemberMetadata.decode(state.metadata)?.topics).toEqual(["a", "b"]);
  });

  it("gives each member the same partitions of three topics (inputs and loop), contiguous by member id", async () => {
    const topics = { clicks: range(6), views: range(6), "counter-loop": range(6) };
    const assignment = await assign(topics, ["member-c", "member-a", "member-b"]);
    expect(assignment.size).toBe(3);
    expectCopartitioned(assignment, Object.keys(topics), 6);
    expect(assignment.get("member-a")).toEqual({ clicks: [0, 1], views: [0, 1], "counter-loop": [0, 1] });
    expect(assignment.get("member-b")).toEqual({ clicks: [2, 3], views: [2, 3], "counter-loop": [2, 3] });
    expect(assignment.get("member-c")).toEqual({ clicks: [4, 5], views: [4, 5], "counter-loop": [4, 5] });
  });

  it("does not depend on the order the metadata lists partitions in", async () => {
    const topics = { a: [3, 0, 2, 1, 4], b: [4, 3, 2, 1, 0] };
    const assignment = await assign(topics, ["m1", "m2"]);
    expectCopartitioned(assignment, ["a", "b"], 5);
  });

  it("with more members than partitions, the extra members get nothing of any topic", async () => {
    const topics = { a: range(2), b: range(2) };
    const members = ["m1", "m2", "m3", "m4", "m5"];
    const assignment = await assign(topics, members);
    expect(assignment.size).toBe(members.length);
    expectCopartitioned(assignment, ["a", "b"], 2);
    const idle = [...assignment.values()].filter((byTopic) => byTopic.a?.length === 0);
    expect(idle).toHaveLength(3);
    for (const byTopic of idle) expect(byTopic.b).toEqual([]);
  });

  it("covers many member and partition counts", async () => {
    for (const [members, partitions] of [
      [1, 1],
      [2, 8],
      [3, 8],
      [4, 3],
      [7, 12],
    ] as const) {
      const ids = Array.from({ length: members }, (_, i) => `member-${i}`);
      const topics = { in1: range(partitions), in2: range(partitions), loop: range(partitions) };
      expectCopartitioned(await assign(topics, ids), Object.keys(topics), partitions);
    }
  });

  it("refuses topics whose partition counts differ (GK501, not retriable)", async () => {
    const error = await assign({ a: range(4), b: range(4), c: range(3) }, ["m1", "m2"]).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "GK501", retriable: false });
  });
});
