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

/** A frame's file relative to `root`; compiled files (dist/, bench/.build/) count under their sources' folders. */
function shortUrl(url: string, root: string): string {
  const path = url.replace(/^file:\/\//, "");
  const relative = path.startsWith(root) ? path.slice(root.length + 1) : path;
  return relative.replace(/^dist\//, "").replace(/^bench\/\.build\//, "bench/");
}

/** Self time per sampled frame: function, file (relative to `root`) and line. */
function selfTimes(path: string, root: string): { rows: { fn: string; file: string; where: string; us: number }[]; all: number } {
  const profile = JSON.parse(readFileSync(path, "utf8")) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const totals = new Map<string, { fn: string; file: string; where: string; us: number }>();
  let all = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0;
    all += us;
    const frame = byId.get(id)?.callFrame;
    if (frame === undefined) return;
    const fn = frame.functionName === "" ? "(anonymous)" : frame.functionName;
    const file = frame.url === "" ? "" : shortUrl(frame.url, root);
    const where = file === "" ? "" : `${file}:${frame.lineNumber + 1}`;
    const key = `${fn}@${where}`;
    const entry = totals.get(key) ?? { fn, file, where, us: 0 };
    entry.us += us;
    totals.set(key, entry);
  });
  return { rows: [...totals.values()], all };
}

/** The `top` functions by self time in the profile at `path`; paths shown relative to `root`. */
export function topSelfTime(path: string, root: string, top = 15): SelfTime[] {
  const { rows, all } = selfTimes(path, root);
  return rows
    .sort((a, b) => b.us - a.us)
    .slice(0, top)
    .map((e) => ({ fn: e.fn, where: e.where, ms: e.us / 1000, percent: all === 0 ? 0 : (100 * e.us) / all }));
}

/** Where self time goes, by area: idle, GC, kafkajs, LevelDB, each runtime folder, node internals, module loading. */
const areas: readonly (readonly [string, (fn: string, file: string) => boolean])[] = [
  ["idle (waiting for the broker or disk)", (fn) => fn === "(idle)"],
  ["garbage collector", (fn) => fn === "(garbage collector)"],
  [
    "module loading (tsx, start-up)",
    (fn, file) => /node_modules\/tsx|esm\/hooks|cjs\/loader|esm\/translators|esm\/module_job/.test(file) || fn === "wrapSafe",
  ],
  ["kafkajs", (_, file) => file.includes("node_modules/kafkajs/")],
  [
    "LevelDB (level, classic-level, abstract-level)",
    (_, file) => /node_modules\/(level|classic-level|abstract-level|module-error|maybe-combine-errors)/.test(file),
  ],
  ["runtime/broker/kafka (the port)", (_, file) => file.startsWith("runtime/broker/kafka/")],
  ["runtime/processor", (_, file) => file.startsWith("runtime/processor/")],
  ["runtime/table + storage", (_, file) => file.startsWith("runtime/table/") || file.startsWith("runtime/storage/")],
  ["runtime (other)", (_, file) => file.startsWith("runtime/")],
  ["handler and bench code", (_, file) => file.startsWith("bench/")],
  ["node internals (buffers, streams, timers)", (_, file) => file.startsWith("node:")],
];

/** Self time grouped by area (see `areas`), largest first, as aligned text lines. */
export function selfTimeByArea(path: string, root: string): string {
  const { rows, all } = selfTimes(path, root);
  const sums = new Map<string, number>();
  for (const row of rows) {
    const area = areas.find(([, test]) => test(row.fn, row.file))?.[0] ?? "other (native, program)";
    sums.set(area, (sums.get(area) ?? 0) + row.us);
  }
  return [...sums]
    .sort((a, b) => b[1] - a[1])
    .map(([area, us]) => `${(all === 0 ? 0 : (100 * us) / all).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(7)} ms  ${area}`)
    .join("\n");
}

/** The summary as aligned text lines: `percent  ms  function  file:line`. */
export function formatSelfTime(rows: readonly SelfTime[]): string {
  return rows.map((r) => `${r.percent.toFixed(1).padStart(5)}%  ${r.ms.toFixed(0).padStart(7)} ms  ${r.fn}  ${r.where}`).join("\n");
}
