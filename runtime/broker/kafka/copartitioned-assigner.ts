/**
 * Goka's copartitioning strategy as a kafkajs partition assigner: a member
 * that gets partition p gets it for every topic of the group (all inputs and
 * the loop), so one processor owns key k's input, loop and table partition.
 */
import kafkajs, { type PartitionAssigner } from "kafkajs";

// kafkajs is CommonJS whose exports Node cannot all detect by name: take them from the default export.
const { AssignerProtocol } = kafkajs;

/** The protocol name members announce; all members of a gokac group use it. */
export const COPARTITIONED = "gokac-copartitioned";

/**
 * Splits `partitions` partitions over `members` (sorted by id) in contiguous
 * ranges, as Goka's CopartitioningStrategy does: member i gets
 * [round(i·P/n), round((i+1)·P/n)), so 8 over 2 gives 0–3 and 4–7.
 */
export function copartitionedRanges(members: readonly string[], partitions: number): Map<string, number[]> {
  const sorted = [...members].sort();
  const step = partitions / sorted.length;
  const result = new Map<string, number[]>();
  sorted.forEach((member, i) => {
    const from = Math.floor(i * step + 0.5);
    const to = Math.floor((i + 1) * step + 0.5);
    result.set(
      member,
      Array.from({ length: to - from }, (_, j) => from + j),
    );
  });
  return result;
}

/**
 * The assigner. Its `assign` rejects when the group's topics have different
 * partition counts: processing them would break copartitioning (GK501), so
 * the member fails instead of silently misrouting keys.
 */
export const copartitionedAssigner: PartitionAssigner = ({ cluster }) => ({
  name: COPARTITIONED,
  version: 1,
  async assign({ members, topics }) {
    const counts = topics.map((topic) => ({ topic, count: cluster.findTopicPartitionMetadata(topic).length }));
    const distinct = new Set(counts.map((c) => c.count));
    if (distinct.size > 1) {
      const list = counts.map((c) => `${c.topic}: ${c.count}`).join(", ");
      throw Object.assign(new Error(`GK501 copartitioned topics have different partition counts (${list})`), {
        code: "GK501",
        retriable: false,
      });
    }
    const ranges = copartitionedRanges(
      members.map((m) => m.memberId),
      counts[0]?.count ?? 0,
    );
    return members.map(({ memberId }) => {
      const partitions = ranges.get(memberId) ?? [];
      const assignment: Record<string, number[]> = {};
      for (const topic of topics) assignment[topic] = partitions;
      return {
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 1, assignment, userData: Buffer.alloc(0) }),
      };
    });
  },
  protocol({ topics }) {
    return { name: COPARTITIONED, metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: Buffer.alloc(0) }) };
  },
});
