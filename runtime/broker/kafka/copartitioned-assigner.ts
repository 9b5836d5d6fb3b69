/**
 * Goka's copartitioning strategy as a kafkajs partition assigner: a member
 * that gets partition p gets it for every topic of the group (all inputs and
 * the loop), so one processor owns key k's input, loop and table partition.
 * With reports in the members' metadata the split is sticky and prefers warm
 * copies, and it assigns standby partitions (sticky-assignment.ts).
 */
import kafkajs, { type PartitionAssigner } from "kafkajs";
import { assignSticky, decodeMemberReport, encodeMemberReport, encodeStandbyAssignment, type MemberReport } from "./sticky-assignment.js";

// kafkajs is CommonJS whose exports Node cannot all detect by name: take them from the default export.
const { AssignerProtocol } = kafkajs;

/** The protocol name members announce; all members of a gokac group use it. */
export const COPARTITIONED = "gokac-copartitioned";

export { copartitionedRanges } from "./sticky-assignment.js";

/** What a member reports about itself when it joins (see `MemberReport`). */
export type OwnReport = () => Omit<MemberReport, "memberId">;

const NOTHING: OwnReport = () => ({ active: [], warm: new Map(), standby: 0 });

/**
 * An assigner whose members report `report()` in their JoinGroup metadata.
 * Its `assign` (run by the group leader) rejects when the group's topics
 * have different partition counts: processing them would break
 * copartitioning (GK501), so the member fails instead of silently
 * misrouting keys.
 */
export function createCopartitionedAssigner(report: OwnReport = NOTHING): PartitionAssigner {
  return ({ cluster }) => ({
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
      const reports = members.map((m) =>
        decodeMemberReport(m.memberId, AssignerProtocol.MemberMetadata.decode(m.memberMetadata)?.userData ?? null),
      );
      const { active, standby } = assignSticky(reports, counts[0]?.count ?? 0);
      return members.map(({ memberId }) => {
        const partitions = active.get(memberId) ?? [];
        const assignment: Record<string, number[]> = {};
        for (const topic of topics) assignment[topic] = partitions;
        const userData = encodeStandbyAssignment(standby.get(memberId) ?? []);
        return { memberId, memberAssignment: AssignerProtocol.MemberAssignment.encode({ version: 1, assignment, userData }) };
      });
    },
    protocol({ topics }) {
      return {
        name: COPARTITIONED,
        metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: encodeMemberReport(report()) }),
      };
    },
  });
}

/** The assigner for members that report nothing (Goka's contiguous ranges, no standby). */
export const copartitionedAssigner: PartitionAssigner = createCopartitionedAssigner();
