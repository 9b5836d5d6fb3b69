/**
 * The sticky, warm-preferring assignment of hot standby (sticky-assignment.ts):
 * previous owners keep their partitions, a dead member's partitions go to the
 * member with the most caught-up warm copy, standby copies are spread evenly
 * and never on the active member, and the reports survive their encoding.
 * Also through the kafkajs assigner, as the group leader runs it.
 */
import kafkajs, { type Cluster, type Logger, type PartitionMetadata } from "kafkajs";
import { describe, expect, it } from "vitest";
import { createCopartitionedAssigner } from "../../runtime/broker/kafka/copartitioned-assigner.js";
import {
  assignSticky,
  copartitionedRanges,
  decodeMemberReport,
  decodeStandbyAssignment,
  encodeMemberReport,
  encodeStandbyAssignment,
  type MemberReport,
} from "../../runtime/broker/kafka/sticky-assignment.js";

const { AssignerProtocol } = kafkajs;

function report(memberId: string, active: number[] = [], warm: [number, number][] = [], standby = 1): MemberReport {
  return { memberId, active, warm: new Map(warm), standby };
}

/** Every partition is active on exactly one member; standby copies are on other members, `copies` each. */
function expectValid(a: ReturnType<typeof assignSticky>, partitions: number, copies: number): void {
  const all = [...a.active.values()].flat().sort((x, y) => x - y);
  expect(all).toEqual(Array.from({ length: partitions }, (_, i) => i));
  for (let p = 0; p < partitions; p++) {
    const holders = [...a.standby].filter(([, ps]) => ps.includes(p)).map(([id]) => id);
    expect(holders, `standby holders of ${p}`).toHaveLength(copies);
    for (const id of holders) expect(a.active.get(id), `${id} is active for ${p}`).not.toContain(p);
  }
}

describe("sticky assignment", () => {
  it("starts a fresh group with Goka's contiguous ranges", () => {
    const a = assignSticky([report("b"), report("a")], 8);
    expect(a.active).toEqual(copartitionedRanges(["a", "b"], 8));
    expect(a.standby.get("a")).toEqual([4, 5, 6, 7]);
    expect(a.standby.get("b")).toEqual([0, 1, 2, 3]);
    expectValid(a, 8, 1);
  });

  it("keeps each partition with its previous owner, even against the range split", () => {
    const a = assignSticky([report("a", [1, 3, 5, 7]), report("b", [0, 2, 4, 6])], 8);
    expect(a.active.get("a")).toEqual([1, 3, 5, 7]);
    expect(a.active.get("b")).toEqual([0, 2, 4, 6]);
    expectValid(a, 8, 1);
  });

  it("gives a dead member's partitions to the member with the most caught-up warm copy", () => {
    // c died; it owned 4..7. a is warm on 4 and 5 further than b; b on 6 and 7.
    const a = assignSticky(
      [
        report(
          "a",
          [0, 1],
          [
            [4, 900],
            [5, 900],
            [6, 10],
            [7, 10],
          ],
        ),
        report(
          "b",
          [2, 3],
          [
            [4, 100],
            [5, 100],
            [6, 800],
            [7, 800],
          ],
        ),
      ],
      8,
    );
    expect(a.active.get("a")).toEqual([0, 1, 4, 5]);
    expect(a.active.get("b")).toEqual([2, 3, 6, 7]);
    expectValid(a, 8, 1);
  });

  it("a survivor alone takes everything and keeps no standby", () => {
    const a = assignSticky([report("b", [4, 5, 6, 7], [[0, 50]])], 8);
    expect(a.active.get("b")).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(a.standby.get("b")).toEqual([]);
  });

  it("a joining member gets its share (balance wins over stickiness), preferring partitions it holds warm", () => {
    const a = assignSticky([report("a", [0, 1, 2, 3, 4, 5]), report("b", [], [[5, 70]])], 6);
    expect(a.active.get("a")).toHaveLength(3);
    expect(a.active.get("b")).toHaveLength(3);
    // a keeps the first three it owned; b gets the rest.
    expect(a.active.get("a")).toEqual([0, 1, 2]);
    expectValid(a, 6, 1);
  });

  it("spreads standby copies evenly and never on the active member, N capped at members − 1", () => {
    const members = ["m0", "m1", "m2", "m3"].map((id, i) => report(id, [i * 3, i * 3 + 1, i * 3 + 2], [], 2));
    const a = assignSticky(members, 12);
    expectValid(a, 12, 2);
    const loads = [...a.standby.values()].map((ps) => ps.length);
    expect(Math.max(...loads) - Math.min(...loads)).toBeLessThanOrEqual(1);
    const capped = assignSticky([report("x", [0], [], 5), report("y", [1], [], 5)], 2);
    expectValid(capped, 2, 1);
  });

  it("keeps standby copies where they are warm when loads allow", () => {
    const a = assignSticky([report("a", [0], [[2, 40]]), report("b", [1], [[0, 40]]), report("c", [2], [[1, 40]])], 3);
    expect(a.standby.get("a")).toEqual([2]);
    expect(a.standby.get("b")).toEqual([0]);
    expect(a.standby.get("c")).toEqual([1]);
  });

  it("without standby: N from any member, no copies", () => {
    const a = assignSticky([report("a", [0], [], 0), report("b", [1], [], 0)], 2);
    expect([...a.standby.values()].flat()).toEqual([]);
  });

  it("round-trips reports and standby assignments; unreadable userData reports nothing", () => {
    const encoded = encodeMemberReport({ active: [1, 2], warm: new Map([[3, 1234]]), standby: 2 });
    expect(decodeMemberReport("m", encoded)).toEqual({ memberId: "m", active: [1, 2], warm: new Map([[3, 1234]]), standby: 2 });
    expect(decodeMemberReport("m", Buffer.from("{not json"))).toEqual(report("m", [], [], 0));
    expect(decodeMemberReport("m", Buffer.alloc(0))).toEqual(report("m", [], [], 0));
    expect(decodeMemberReport("m", Buffer.from(JSON.stringify({ gokac: 99, active: [1] })))).toEqual(report("m", [], [], 0));
    expect(decodeStandbyAssignment(encodeStandbyAssignment([4, 6]))).toEqual([4, 6]);
    expect(decodeStandbyAssignment(null)).toEqual([]);
  });
});

describe("copartitioned assigner with reports", () => {
  it("carries the members' reports in their metadata and each member's standby partitions in its assignment", async () => {
    const partitions = (): PartitionMetadata[] =>
      [0, 1, 2, 3].map((partitionId) => ({ partitionErrorCode: 0, partitionId, leader: 1, replicas: [1], isr: [1] }));
    const cluster = { findTopicPartitionMetadata: partitions } as unknown as Cluster;
    const own: Record<string, MemberReport> = {
      a: report("a", [2, 3], [[0, 500]]),
      b: report("b", [0, 1]),
    };
    const members = Object.keys(own).map((memberId) => {
      const assigner = createCopartitionedAssigner(() => own[memberId]!)({ cluster, groupId: "g", logger: {} as Logger });
      return { memberId, memberMetadata: assigner.protocol({ topics: ["in", "loop"] }).metadata };
    });
    const leader = createCopartitionedAssigner()({ cluster, groupId: "g", logger: {} as Logger });
    const result = await leader.assign({ members, topics: ["in", "loop"] });
    const decoded = new Map(result.map((r) => [r.memberId, AssignerProtocol.MemberAssignment.decode(r.memberAssignment)!]));
    expect(decoded.get("a")?.assignment).toEqual({ in: [2, 3], loop: [2, 3] });
    expect(decoded.get("b")?.assignment).toEqual({ in: [0, 1], loop: [0, 1] });
    expect(decodeStandbyAssignment(decoded.get("a")!.userData)).toEqual([0, 1]);
    expect(decodeStandbyAssignment(decoded.get("b")!.userData)).toEqual([2, 3]);
  });
});
