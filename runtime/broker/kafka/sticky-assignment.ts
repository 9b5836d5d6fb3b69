/**
 * The sticky, warm-preferring assignment of a gokac group (hot standby, the
 * spec's `standby: N`), as a pure function of what the members report in
 * their JoinGroup metadata:
 *
 * - `active`: the partitions the member owned in the previous generation;
 * - `warm`: the changelog offset of each table partition it holds locally
 *   (active, standby, or a stale copy it still keeps on disk);
 * - `standby`: the group's `standby: N`.
 *
 * Rules (docs/runtime.md, "Hot standby"):
 *
 * 1. A group where no member reports anything (a fresh start) gets Goka's
 *    contiguous ranges (`copartitionedRanges`).
 * 2. Otherwise every member gets a quota, ⌊P/n⌋ or ⌈P/n⌉ partitions (the
 *    larger quotas go to the members that owned the most before). Each
 *    partition stays with its previous owner while that owner is present and
 *    under its quota; the others go to the member (under its quota) with the
 *    most caught-up warm copy, then the one with the most room left, then
 *    the smallest member id.
 * 3. Each partition gets `min(N, n − 1)` standby members, never its active
 *    one: the least loaded with standbys first, then the most caught-up warm
 *    copy, then the members following the active one by id. Alone, a member
 *    keeps no standby.
 */
import { Buffer } from "node:buffer";

/** What one member reports when it joins. */
export interface MemberReport {
  readonly memberId: string;
  /** Partitions it owned in the previous generation. */
  readonly active: readonly number[];
  /** Changelog offset (next to read) of each table partition it holds locally. */
  readonly warm: ReadonlyMap<number, number>;
  /** The group's `standby: N` as this member knows it. */
  readonly standby: number;
}

/** A generation's assignment: active partitions and standby partitions per member. */
export interface StickyAssignment {
  readonly active: Map<string, number[]>;
  readonly standby: Map<string, number[]>;
}

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

const byId = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Assigns `partitions` partitions to `reports`' members (rules in the file comment). */
export function assignSticky(reports: readonly MemberReport[], partitions: number): StickyAssignment {
  const members = [...reports].sort((a, b) => byId(a.memberId, b.memberId));
  const ids = members.map((m) => m.memberId);
  const n = members.length;
  const standbyCopies = Math.max(0, Math.min(Math.max(0, ...members.map((m) => m.standby)), n - 1));
  const fresh = members.every((m) => m.active.length === 0 && m.warm.size === 0);
  const active = fresh ? copartitionedRanges(ids, partitions) : stickyActive(members, partitions);
  const owner = new Map<number, string>();
  for (const [id, ps] of active) for (const p of ps) owner.set(p, id);
  const standby = new Map<string, number[]>(ids.map((id) => [id, []]));
  // Ties go to the members following the active one (by id, round the ring), so equal loads rotate instead of piling up.
  const ring = (id: string, from: string | undefined) => (ids.indexOf(id) - (from === undefined ? 0 : ids.indexOf(from)) + n) % n;
  if (standbyCopies > 0) {
    // Owners taken in turn (each one's first partition, then each one's second, …): no member's partitions come last, when
    // only the others could still take copies, so the greedy choice below stays even.
    const order = [...active.values()]
      .flatMap((ps) => ps.map((p, i) => ({ p, i })))
      .sort((a, b) => a.i - b.i || a.p - b.p)
      .map(({ p }) => p);
    for (const p of order) {
      const candidates = members
        .filter((m) => m.memberId !== owner.get(p))
        .sort(
          (a, b) =>
            standby.get(a.memberId)!.length - standby.get(b.memberId)!.length ||
            (b.warm.get(p) ?? -1) - (a.warm.get(p) ?? -1) ||
            ring(a.memberId, owner.get(p)) - ring(b.memberId, owner.get(p)),
        );
      for (const m of candidates.slice(0, standbyCopies)) standby.get(m.memberId)!.push(p);
    }
  }
  for (const ps of standby.values()) ps.sort((a, b) => a - b);
  return { active, standby };
}

function stickyActive(members: readonly MemberReport[], partitions: number): Map<string, number[]> {
  const n = members.length;
  const base = Math.floor(partitions / n);
  const extra = partitions % n;
  const previousCount = (m: MemberReport) => m.active.filter((p) => p >= 0 && p < partitions).length;
  // The larger quotas go to the members that owned the most, so they keep what they had.
  const byPrevious = [...members].sort((a, b) => previousCount(b) - previousCount(a) || byId(a.memberId, b.memberId));
  const quota = new Map<string, number>(byPrevious.map((m, i) => [m.memberId, base + (i < extra ? 1 : 0)]));
  const result = new Map<string, number[]>(members.map((m) => [m.memberId, []]));
  const room = (id: string) => quota.get(id)! - result.get(id)!.length;
  const assigned = new Set<number>();
  // 1. Sticky: a partition stays with its previous owner (the first by id, should two claim it).
  for (let p = 0; p < partitions; p++) {
    const previous = members.find((m) => m.active.includes(p));
    if (previous !== undefined && room(previous.memberId) > 0) {
      result.get(previous.memberId)!.push(p);
      assigned.add(p);
    }
  }
  // 2. The rest: the most caught-up warm copy, then the most room, then the smallest id.
  for (let p = 0; p < partitions; p++) {
    if (assigned.has(p)) continue;
    const best = members
      .filter((m) => room(m.memberId) > 0)
      .sort(
        (a, b) => (b.warm.get(p) ?? -1) - (a.warm.get(p) ?? -1) || room(b.memberId) - room(a.memberId) || byId(a.memberId, b.memberId),
      )[0];
    // Quotas add up to the partition count, so some member always has room.
    if (best !== undefined) result.get(best.memberId)!.push(p);
  }
  for (const ps of result.values()) ps.sort((a, b) => a - b);
  return result;
}

const MARK = "gokac";
const VERSION = 1;

/** Encodes a member's report (without its id) as JoinGroup userData. */
export function encodeMemberReport(report: Omit<MemberReport, "memberId">): Buffer {
  return Buffer.from(
    JSON.stringify({ [MARK]: VERSION, active: [...report.active], warm: [...report.warm], standby: report.standby }),
    "utf8",
  );
}

/** Decodes JoinGroup userData; anything unreadable (an older member, another client) reports nothing. */
export function decodeMemberReport(memberId: string, userData: Buffer | null | undefined): MemberReport {
  const empty: MemberReport = { memberId, active: [], warm: new Map(), standby: 0 };
  const data = parseJson(userData);
  if (data === undefined || data[MARK] !== VERSION) return empty;
  const ints = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
  const active = Array.isArray(data.active) ? data.active.filter(ints) : [];
  const warm = new Map<number, number>();
  if (Array.isArray(data.warm)) {
    for (const entry of data.warm) {
      if (Array.isArray(entry) && ints(entry[0]) && ints(entry[1])) warm.set(entry[0], entry[1]);
    }
  }
  return { memberId, active, warm, standby: ints(data.standby) ? data.standby : 0 };
}

/** Encodes the standby partitions of one member as SyncGroup assignment userData. */
export function encodeStandbyAssignment(standby: readonly number[]): Buffer {
  return Buffer.from(JSON.stringify({ [MARK]: VERSION, standby: [...standby] }), "utf8");
}

/** Decodes assignment userData: the member's standby partitions (none when absent or unreadable). */
export function decodeStandbyAssignment(userData: Buffer | null | undefined): number[] {
  const data = parseJson(userData);
  if (data === undefined || data[MARK] !== VERSION || !Array.isArray(data.standby)) return [];
  return data.standby.filter((p): p is number => Number.isSafeInteger(p) && (p as number) >= 0);
}

function parseJson(userData: Buffer | null | undefined): Record<string, unknown> | undefined {
  if (userData === null || userData === undefined || userData.length === 0) return undefined;
  try {
    const value: unknown = JSON.parse(userData.toString("utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
