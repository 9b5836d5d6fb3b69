/**
 * The chaos suite's figures (bench/chaos.ts), apart so they can be tested:
 * per action, each partition's longest processing pause, the takeover time,
 * the cluster's own write gap and each pause's part beyond it. See
 * bench/README.md, "Chaos suite".
 */
import type { ChaosEvent } from "../../scripts/chaos/counter.js";

/** An action of the scenario, with when it began and ended (ms since the epoch). */
export interface Action {
  readonly label: string;
  /** Instance changes (roll, kill, add, remove) count in the pause goal; a SIGKILL is bounded by the session timeout. */
  readonly kind: "broker" | "rebalance" | "sigkill";
  readonly at: number;
  end: number;
}

/** Per-action figures: the longest processing gap of each partition overlapping the action's window. */
export interface ActionFigures {
  readonly action: Action;
  readonly rebalances: number;
  readonly pauseP50: number;
  readonly pauseP99: number;
  readonly pauseMax: number;
  /** From the action until the last partition that paused ≥ 1 s processed again; undefined when none did. */
  readonly takeover: number | undefined;
  /** The longest time in the action's window in which the cluster acknowledged no write of the load, on any partition. */
  readonly clusterGap: number;
  /** p99 over the partitions of each one's pause less the time the cluster acknowledged no write meanwhile (gokac's own part). */
  readonly beyondClusterP99: number;
}

/** Gaps between the load's acknowledgements (all partitions) longer than this are the cluster taking no writes (it acknowledges a batch every 50 ms). */
export const CLUSTER_GAP_MS = 300;

/** The stretches in which the cluster acknowledged no write of the load: gaps over `CLUSTER_GAP_MS` between consecutive acknowledgements of any partition. */
export function clusterGaps(acks: ReadonlyMap<number, readonly number[]>): [number, number][] {
  const all = [...acks.values()].flat().sort((a, b) => a - b);
  const gaps: [number, number][] = [];
  for (let i = 0; i + 1 < all.length; i++) if (all[i + 1]! - all[i]! > CLUSTER_GAP_MS) gaps.push([all[i]!, all[i + 1]!]);
  return gaps;
}

/** How much of `from`–`to` lies in `gaps`. */
export function overlapWith(gaps: readonly [number, number][], from: number, to: number): number {
  let sum = 0;
  for (const [a, b] of gaps) sum += Math.max(0, Math.min(to, b) - Math.max(from, a));
  return sum;
}

function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

/** The first time in sorted `list` after `after`, or undefined. */
function firstAfter(list: readonly number[], after: number): number | undefined {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]! <= after) lo = mid + 1;
    else hi = mid;
  }
  return list[lo];
}

/** The action whose window (`at` to `end`) overlaps the gap `from`–`to` most (the earlier one on a tie), or undefined. */
function ownerOf(actions: readonly Action[], from: number, to: number): Action | undefined {
  let owner: Action | undefined;
  let most = 0;
  for (const action of actions) {
    const overlap = Math.min(to, action.end) - Math.max(from, action.at);
    if (overlap > most) [owner, most] = [action, overlap];
  }
  return owner;
}

export function figuresOf(
  actions: readonly Action[],
  instances: readonly { readonly events: readonly ChaosEvent[] }[],
  acks: ReadonlyMap<number, readonly number[]>,
  partitions: number,
): ActionFigures[] {
  const times = new Map<number, number[]>();
  let assignments: number[] = [];
  for (const instance of instances)
    for (const event of instance.events) {
      if (event.e === "batch") {
        let list = times.get(event.p);
        if (list === undefined) times.set(event.p, (list = []));
        list.push(event.t);
      }
      if (event.e === "assigned") assignments.push(event.t);
    }
  for (const list of times.values()) list.sort((a, b) => a - b);
  assignments = assignments.sort((a, b) => a - b);
  const gaps = clusterGaps(acks);
  return actions.map((action) => {
    const pauses: number[] = [];
    const beyond: number[] = [];
    let takeover: number | undefined;
    for (let p = 0; p < partitions; p++) {
      const list = times.get(p) ?? [];
      let longest = 0;
      let own = 0;
      let resumedAt = action.at;
      const acked = acks.get(p) ?? [];
      for (let k = 0; k + 1 < list.length; k++) {
        const [from, to] = [list[k]!, list[k + 1]!];
        // Each gap counts once, for the action whose window it overlaps most: a SIGKILL right after a roll's window
        // pauses partitions from their last batch a moment before it, which is the SIGKILL's pause, not the roll's.
        if (ownerOf(actions, from, to) !== action) continue;
        // Waiting for input is no pause: it starts when a message for the partition was acknowledged.
        const waiting = firstAfter(acked, from);
        const pause = waiting === undefined || waiting >= to ? 0 : to - waiting;
        if (pause > longest) {
          longest = pause;
          resumedAt = to;
        }
        if (pause > 0) own = Math.max(own, pause - overlapWith(gaps, waiting!, to));
      }
      pauses.push(longest);
      beyond.push(own);
      if (longest >= 1000) takeover = Math.max(takeover ?? 0, resumedAt - action.at);
    }
    pauses.sort((a, b) => a - b);
    beyond.sort((a, b) => a - b);
    const clusterGap = Math.max(0, ...gaps.filter(([a, b]) => ownerOf(actions, a, b) === action).map(([a, b]) => b - a));
    return {
      action,
      clusterGap,
      beyondClusterP99: percentile(beyond, 0.99),
      rebalances: assignments.filter((t) => t >= action.at && t < action.end).length,
      pauseP50: percentile(pauses, 0.5),
      pauseP99: percentile(pauses, 0.99),
      pauseMax: pauses[pauses.length - 1] ?? 0,
      takeover,
    };
  });
}
