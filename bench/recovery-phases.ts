/**
 * Where the gokac recovery's time goes (issue 15): seeds one changelog, then
 * runs the gokac contender and the raw LevelDB rate back to back, `--runs`
 * times, and prints each phase's median (milliseconds since the process
 * started, from the contender's `GOKAC_BENCH_PHASES` file) and the ratio of
 * the two rates, from process start as `npm run bench` measures it.
 * `--cpu-prof DIR` profiles the gokac runs as well; `--compare DIR` runs the
 * contender of another checkout too (built there: `npm run build` and
 * `tsc -p bench/tsconfig.contenders.json`), back to back with this one's, for
 * before/after figures on a machine whose load drifts.
 *
 * Usage: node --import tsx bench/recovery-phases.ts [--keys 1000000] [--partitions 8] [--runs 3] [--brokers B] [--cpu-prof DIR] [--compare DIR]
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs, promisify } from "node:util";
import { connectCluster } from "./lib/cluster.js";
import { startContender } from "./lib/contender-process.js";
import { contenders } from "./lib/contenders.js";
import { seedTable } from "./lib/seed.js";
import { median } from "./lib/stats.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({
  options: {
    keys: { type: "string", default: "1000000" },
    partitions: { type: "string", default: "8" },
    runs: { type: "string", default: "3" },
    brokers: { type: "string", default: process.env["GOKAC_BROKERS"] ?? "127.0.0.1:9092" },
    "cpu-prof": { type: "string" },
    compare: { type: "string" },
  },
});
const keys = Number(values.keys);
const partitions = Number(values.partitions);
const runs = Number(values.runs);
const id = Date.now().toString(36);
const group = `bench-phases-${id}`;
const changelog = `${group}-table`;
const input = `bench-phases-in-${id}`;
const scratch = await mkdtemp(join(tmpdir(), "gokac-phases-"));
const log = (line: string) => process.stderr.write(`${line}\n`);

const cluster = await connectCluster(values.brokers);
interface GokacRun {
  readonly seconds: number;
  readonly phases: Record<string, number>;
}
const checkouts = values.compare === undefined ? [root] : [root, resolve(values.compare)];
const gokacRuns: GokacRun[][] = checkouts.map(() => []);
const levelRates: number[] = [];

/** One recovery by the gokac contender of the checkout at `dir`, from an empty state folder. */
async function recoverOnce(dir: string): Promise<GokacRun> {
  await cluster.waitGroupEmpty(group, 60_000);
  await cluster.deleteGroups([group]);
  const stateDir = join(scratch, "state");
  await rm(stateDir, { recursive: true, force: true });
  const phasesFile = join(scratch, "phases.json");
  await rm(phasesFile, { force: true });
  const base = contenders.gokac.command(dir, { brokers: values.brokers, group, input, stateDir, partitions }, partitions);
  const profile = values["cpu-prof"] === undefined || dir !== root ? [] : ["--cpu-prof", "--cpu-prof-dir", values["cpu-prof"]];
  const proc = startContender({ ...base, args: [...profile, ...base.args], env: { GOKAC_BENCH_PHASES: phasesFile } });
  try {
    const readyAt = await proc.ready;
    const seconds = (readyAt - proc.startedAt) / 1000;
    // GOKAC_BENCH_TRACE=1: the contender's event trace (TRACE lines on its stderr).
    if (process.env["GOKAC_BENCH_TRACE"] !== undefined) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      log(
        proc
          .stderrTail()
          .split("\n")
          .filter((line) => line.startsWith("TRACE"))
          .join("\n"),
      );
    }
    // The program writes the file right after READY: wait until it is whole.
    for (let attempt = 0; ; attempt++) {
      try {
        return { seconds, phases: JSON.parse(await readFile(phasesFile, "utf8")) as Record<string, number> };
      } catch (error) {
        if (attempt >= 50) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
  } finally {
    await proc.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
}

try {
  contenders.gokac.prepare(root);
  await cluster.freshTopics([
    { name: input, partitions },
    { name: changelog, partitions, compacted: true },
  ]);
  log(`seeding ${keys} keys into ${changelog}`);
  await seedTable(cluster, changelog, partitions, keys);
  for (let run = 0; run < runs; run++) {
    const seconds: number[] = [];
    for (const [i, dir] of checkouts.entries()) {
      const r = await recoverOnce(dir);
      gokacRuns[i]!.push(r);
      seconds.push(r.seconds);
    }
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [
        "--import",
        "tsx",
        join(root, "bench/contenders/leveldb-rate.ts"),
        "--keys",
        String(keys),
        "--batch",
        String(batchOf()),
        "--dir",
        join(scratch, "leveldb"),
      ],
      { cwd: root },
    );
    const level = JSON.parse(stdout.trim()) as { keysPerSecond: number };
    levelRates.push(level.keysPerSecond);
    const shown = seconds.map(
      (s, i) =>
        `${i === 0 ? "gokac" : "compared"} ${Math.round(keys / s)} keys/s (${s.toFixed(2)} s, ${(keys / s / level.keysPerSecond).toFixed(2)}×)`,
    );
    log(`run ${run + 1}: ${shown.join(", ")}, raw LevelDB ${Math.round(level.keysPerSecond)} keys/s`);
  }
} finally {
  await cluster.deleteTopics([input, changelog]).catch(() => undefined);
  await cluster.deleteGroups([group]).catch(() => undefined);
  await cluster.close();
  await rm(scratch, { recursive: true, force: true });
}

/** The raw rate's batch: the bench's (bench/run.ts `recoveryBatch`). */
function batchOf(): number {
  return Math.min(Math.ceil(keys / partitions), 140_000);
}

const out: string[] = [];
for (const [c, dir] of checkouts.entries()) {
  const series = gokacRuns[c]!;
  const names = [...new Set(series.flatMap((r) => Object.keys(r.phases)))]
    .filter((n) => n !== "cpuMs" && !n.startsWith("cpu:"))
    .sort((a, b) => median(series.map((r) => r.phases[a] ?? 0)) - median(series.map((r) => r.phases[b] ?? 0)));
  out.push(`${dir}:`, "", "| phase | ms since process start (median) | runs |", "| --- | ---: | --- |");
  for (const name of names) {
    const at = series.map((r) => r.phases[name] ?? Number.NaN);
    out.push(`| ${name} | ${Math.round(median(at))} | ${at.map((t) => Math.round(t)).join(", ")} |`);
  }
  const cpu = series.map((r) => r.phases["cpuMs"] ?? Number.NaN);
  out.push(`| CPU time until READY (all threads) | ${Math.round(median(cpu))} | ${cpu.map((t) => Math.round(t)).join(", ")} |`);
  for (const name of [...new Set(series.flatMap((r) => Object.keys(r.phases)))].filter((n) => n.startsWith("cpu:")).sort()) {
    const ms = series.map((r) => r.phases[name] ?? 0);
    out.push(`| CPU of threads "${name.slice(4)}" | ${Math.round(median(ms))} | ${ms.map((t) => Math.round(t)).join(", ")} |`);
  }
  const rate = median(series.map((r) => keys / r.seconds));
  const ratios = series.map((r, i) => keys / r.seconds / (levelRates[i] ?? Number.NaN));
  out.push(
    "",
    `gokac ${Math.round(rate)} keys/s from process start (median), raw LevelDB ${Math.round(median(levelRates))} keys/s: ${(rate / median(levelRates)).toFixed(2)}×`,
    `per-run ratios (back to back): ${ratios.map((r) => r.toFixed(2)).join(", ")}; median ${median(ratios).toFixed(2)}×`,
    "",
  );
}
process.stdout.write(`${out.join("\n")}\n`);
