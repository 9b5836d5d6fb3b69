/**
 * Where the gokac recovery's time goes (issue 15): seeds one changelog, then
 * runs the gokac contender and the raw LevelDB rate back to back, `--runs`
 * times, and prints each phase's median (milliseconds since the process
 * started, from the contender's `GOKAC_BENCH_PHASES` file) and the ratio of
 * the two rates, from process start as `npm run bench` measures it.
 * `--cpu-prof DIR` profiles the gokac runs as well.
 *
 * Usage: node --import tsx bench/recovery-phases.ts [--keys 1000000] [--partitions 8] [--runs 3] [--brokers B] [--cpu-prof DIR]
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
const gokacRuns: { seconds: number; phases: Record<string, number> }[] = [];
const levelRates: number[] = [];
try {
  contenders.gokac.prepare(root);
  await cluster.freshTopics([
    { name: input, partitions },
    { name: changelog, partitions, compacted: true },
  ]);
  log(`seeding ${keys} keys into ${changelog}`);
  await seedTable(cluster, changelog, partitions, keys);
  for (let run = 0; run < runs; run++) {
    await cluster.waitGroupEmpty(group, 60_000);
    await cluster.deleteGroups([group]);
    const stateDir = join(scratch, "state");
    await rm(stateDir, { recursive: true, force: true });
    const phasesFile = join(scratch, "phases.json");
    const base = contenders.gokac.command(root, { brokers: values.brokers, group, input, stateDir, partitions }, partitions);
    const profile = values["cpu-prof"] === undefined ? [] : ["--cpu-prof", "--cpu-prof-dir", values["cpu-prof"]];
    const proc = startContender({ ...base, args: [...profile, ...base.args], env: { GOKAC_BENCH_PHASES: phasesFile } });
    const readyAt = await proc.ready;
    await proc.stop();
    const seconds = (readyAt - proc.startedAt) / 1000;
    const phases = JSON.parse(await readFile(phasesFile, "utf8")) as Record<string, number>;
    gokacRuns.push({ seconds, phases });
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
    log(
      `run ${run + 1}: gokac ${Math.round(keys / seconds)} keys/s (${seconds.toFixed(2)} s), raw LevelDB ${Math.round(level.keysPerSecond)} keys/s, ratio ${(keys / seconds / level.keysPerSecond).toFixed(2)}`,
    );
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

const names = [...new Set(gokacRuns.flatMap((r) => Object.keys(r.phases)))].sort(
  (a, b) => median(gokacRuns.map((r) => r.phases[a] ?? 0)) - median(gokacRuns.map((r) => r.phases[b] ?? 0)),
);
const lines = ["| phase | ms since process start (median) | runs |", "| --- | ---: | --- |"];
for (const name of names) {
  const at = gokacRuns.map((r) => r.phases[name] ?? Number.NaN);
  lines.push(`| ${name} | ${Math.round(median(at))} | ${at.map((t) => Math.round(t)).join(", ")} |`);
}
const gokacRate = median(gokacRuns.map((r) => keys / r.seconds));
const levelRate = median(levelRates);
const ratios = gokacRuns.map((r, i) => keys / r.seconds / (levelRates[i] ?? Number.NaN));
lines.push(
  "",
  `gokac ${Math.round(gokacRate)} keys/s from process start (median), raw LevelDB ${Math.round(levelRate)} keys/s: ${(gokacRate / levelRate).toFixed(2)}×`,
  `per-run ratios (back to back): ${ratios.map((r) => r.toFixed(2)).join(", ")}; median ${median(ratios).toFixed(2)}×`,
);
process.stdout.write(`${lines.join("\n")}\n`);
