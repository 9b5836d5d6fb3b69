/**
 * Summarises a V8 CPU profile (`node --cpu-prof` output): the functions with
 * the most self time, aggregated by function, file and line.
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** One line of the summary. */
export interface SelfTime {
  readonly fn: string;
  readonly where: string;
  readonly ms: number;
  readonly percent: number;
}

function shortUrl(url: string, root: string): string {
  const path = url.replace(/^file:\/\//, "");
  return path.startsWith(root) ? path.slice(root.length + 1) : path;
}

/** The `top` functions by self time in the profile at `path`; paths shown relative to `root`. */
export function topSelfTime(path: string, root: string, top = 15): SelfTime[] {
  const profile = JSON.parse(readFileSync(path, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, { fn: string; where: string; us: number }>();
  let all = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    all += us;
    const frame = byId.get(id)?.callFrame;
    if (frame === undefined) return;
    const fn = frame.functionName === "" ? "(anonymous)" : frame.functionName;
    const where = frame.url === "" ? "" : `${shortUrl(frame.url, root)}:${frame.lineNumber + 1}`;
    const key = `${fn}@${where}`;
    const entry = totals.get(key) ?? { fn, where, us: 0 };
    entry.us += us;
    totals.set(key, entry);
  });
  return [...totals.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, top)
    .map((e) => ({ fn: e.fn, where: e.where, ms: e.us / 1000, percent: all === 0 ? 0 : (100 * e.us) / all }));
}

/** The summary as aligned text lines: `percent  ms  function  file:line`. */
export function formatSelfTime(rows: readonly SelfTime[]): string {
  return rows
    .map((r) => `${r.percent.toFixed(1).padStart(5)}%  ${r.ms.toFixed(0).padStart(7)} ms  ${r.fn}  ${r.where}`)
    .join("\n");
}
