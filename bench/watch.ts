/**
 * Watch-mode rebuilds: generates N synthetic specs (500 by default; `-- 1000`
 * to choose), builds them once in-process with the builder of `gokac build
 * --watch`, then measures warm rebuilds: after one spec changed, and after
 * nothing changed (which must write nothing). Prints the median of RUNS runs
 * of each, with the files written. Target (issue 14): one of 500 specs
 * changed, rebuilt in < 150 ms warm.
 *
 * Run: `npm run bench:watch` (or `node --import tsx bench/watch.ts [N]`).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createWatchBuilder, type RebuildOutcome } from "../cli/commands/build-watch.js";
import { syntheticSpec } from "./lib/synthetic-spec.js";

const RUNS = 7;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** CPU time (user + system) of `f` in ms: what a rebuild costs, whatever else the machine is doing. */
function cpu<T>(f: () => T): { readonly value: T; readonly ms: number } {
  const before = process.cpuUsage();
  const value = f();
  const used = process.cpuUsage(before);
  return { value, ms: (used.user + used.system) / 1000 };
}

function checked(outcome: RebuildOutcome): RebuildOutcome {
  if (outcome.changes === undefined)
    throw new Error(`the synthetic specs failed to build: ${outcome.diagnostics.map((d) => d.code).join(", ")}`);
  return outcome;
}

function main(): void {
  const n = Number(process.argv[2] ?? 500);
  const dir = mkdtempSync(join(tmpdir(), "gokac-bench-watch-"));
  try {
    mkdirSync(join(dir, "specs"));
    const file = (i: number) => join(dir, "specs", `group-${String(i).padStart(4, "0")}.yaml`);
    for (let i = 0; i < n; i++) writeFileSync(file(i), syntheticSpec(i, n));
    const builder = createWatchBuilder(dir, "specs", "generated");
    const cold = checked(builder.rebuild());
    console.log(`${n} specs: first build ${cold.milliseconds.toFixed(0)} ms (${cold.changes?.written.length ?? 0} files written)`);

    const changed: number[] = [];
    const noop: number[] = [];
    const changedCpu: number[] = [];
    const noopCpu: number[] = [];
    let changedWrites = 0;
    let noopWrites = 0;
    for (let r = 0; r < RUNS; r++) {
      writeFileSync(file(0), syntheticSpec(0, n).replace("Synthetic group 0.", `Synthetic group 0, run ${r}.`));
      const measured = cpu(() => checked(builder.rebuild()));
      const one = measured.value;
      changed.push(one.milliseconds);
      changedCpu.push(measured.ms);
      changedWrites = Math.max(changedWrites, one.changes?.written.length ?? 0);
      const idle = cpu(() => checked(builder.rebuild()));
      const none = idle.value;
      noop.push(none.milliseconds);
      noopCpu.push(idle.ms);
      noopWrites += (none.changes?.written.length ?? 0) + (none.changes?.deleted.length ?? 0);
    }
    console.log(
      `one spec changed: median ${median(changed).toFixed(0)} ms of ${RUNS} (min ${Math.min(...changed).toFixed(0)}, CPU median ${median(changedCpu).toFixed(0)}), at most ${changedWrites} files written (target < 150 ms)`,
    );
    console.log(
      `nothing changed:  median ${median(noop).toFixed(0)} ms of ${RUNS} (min ${Math.min(...noop).toFixed(0)}, CPU median ${median(noopCpu).toFixed(0)}), ${noopWrites} files written in all (target 0)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main();
