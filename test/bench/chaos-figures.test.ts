/**
 * The chaos suite's figures (bench/lib/chaos-figures.ts) on a made-up run:
 * a partition's pause counts from the first input acknowledged within it,
 * each gap counts for the action it overlaps most, the cluster's write gap
 * is the longest stretch without any acknowledgement, and the own pause is
 * what a pause lasts beyond that gap.
 */
import { describe, expect, it } from "vitest";
import type { ChaosEvent } from "../../scripts/chaos/counter.js";
import { clusterGaps, figuresOf, overlapWith, type Action } from "../../bench/lib/chaos-figures.js";

/** Times from `from` to `to` (inclusive) every `step` ms. */
const every = (from: number, to: number, step: number): number[] =>
  Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => from + i * step);

const batches = (p: number, times: readonly number[]): ChaosEvent[] => times.map((t) => ({ t, e: "batch", p, n: 1 }));

describe("chaos figures", () => {
  // The load's acknowledgements: every 50 ms on both partitions, none from 11 s to 15 s (a killed broker).
  const acked = [...every(0, 11_000, 50), ...every(15_000, 20_000, 50)];
  const acks = new Map([
    [0, acked],
    [1, acked],
  ]);
  const actions: Action[] = [
    { label: "steady", kind: "rebalance", at: 0, end: 10_000 },
    { label: "kill broker", kind: "broker", at: 10_000, end: 20_000 },
  ];
  // Partition 0 resumes 0.6 s after the cluster takes writes again, partition 1 1.5 s after.
  const instances = [
    { events: [...batches(0, [...every(0, 10_900, 100), 10_950]), ...batches(0, every(15_600, 20_000, 100))] },
    { events: [...batches(1, [...every(0, 10_900, 100), 10_950]), ...batches(1, every(16_500, 20_000, 100))] },
  ];

  it("finds the cluster's write gap and how much of an interval lies in it", () => {
    expect(clusterGaps(acks)).toEqual([[11_000, 15_000]]);
    expect(overlapWith([[11_000, 15_000]], 11_000, 15_600)).toBe(4_000);
    expect(overlapWith([[11_000, 15_000]], 15_000, 16_000)).toBe(0);
  });

  it("splits a killed broker's pause into the cluster's gap and each partition's own part", () => {
    const [steady, kill] = figuresOf(actions, instances, acks, 2);
    // Counted from the first acknowledgement inside the gap (11 s): 4.6 s and 5.5 s.
    expect(kill!.pauseMax).toBe(5_500);
    expect(kill!.pauseP50).toBe(4_600);
    expect(kill!.clusterGap).toBe(4_000);
    expect(kill!.beyondClusterP99).toBe(1_500);
    expect(kill!.takeover).toBe(6_500);
    // The steady phase owns none of it: batches every 100 ms, acknowledgements every 50 ms.
    expect(steady!.pauseMax).toBeLessThanOrEqual(100);
    expect(steady!.clusterGap).toBe(0);
    expect(steady!.takeover).toBeUndefined();
  });

  it("a partition without input during its gap is not paused", () => {
    const quiet = new Map([
      [0, every(0, 10_900, 50)],
      [1, acked],
    ]);
    const [, kill] = figuresOf(actions, instances, quiet, 2);
    // Partition 0 got no input after 10.9 s: its outage gap is no pause (what is left is its batches' spacing).
    expect(kill!.pauseP50).toBeLessThanOrEqual(50);
    expect(kill!.pauseMax).toBe(5_500);
  });
});
