/**
 * `npm run bench`: gokac vs Goka vs Kafka Streams vs raw kafkajs on one local
 * broker, in one run. Starts the broker if none answers, builds the Go and
 * Java contenders, seeds fresh topics, runs every contender the same way
 * (warm-up, then repetitions, contenders interleaved), and writes
 * bench/results/{results.md,results.json,chart.svg,chart.png}.
 *
 * Prerequisites: Java 17 + Maven (broker, Kafka Streams), Go (Goka),
 * `rsvg-convert` from Debian's librsvg2-bin for the PNG (without it only the SVG is written).
 */
import { execFile } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { loadavg, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { ensureBroker, stopBroker } from "./lib/broker.js";
import { parseBenchArgs, UsageError, type BenchOptions, type ContenderName } from "./lib/cli-args.js";
import { renderSvg, writeChart } from "./lib/chart.js";
import { connectCluster, type BenchCluster } from "./lib/cluster.js";
import { contenders } from "./lib/contenders.js";
import { describeMachine } from "./lib/machine.js";
import { formatSelfTime, selfTimeByArea, topSelfTime } from "./lib/profile-summary.js";
import { medianOf, renderReport } from "./lib/report.js";
import type { BenchResults, LevelDbRun, Series } from "./lib/results.js";
import { seedInput, seedTable } from "./lib/seed.js";
import { renderStandbyReport, runStandbyBench } from "./standby.js";
import { runRecovery, type RecoveryRun } from "./workloads/recovery.js";
import { runThroughput, type RunContext, type ThroughputRun } from "./workloads/throughput.js";

const execFileAsync = promisify(execFile);
const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * Records per LevelDB batch in the raw-rate measurement: the size of a gokac
 * recovery batch. The runtime writes one store batch per fetch of the
 * changelog partition (runtime/table/partition-table.ts), and the Kafka
 * port fetches up to 4 MiB (runtime/broker/kafka/partition-reader.ts), about
 * 140k of the bench's 30-byte records: a whole partition of the bench table,
 * up to that bound.
 */
function recoveryBatch(opts: BenchOptions): number {
  return Math.min(Math.ceil(opts.tableKeys / opts.partitions), 140_000);
}

/** Contenders the profiling pass records (node programs whose time is gokac's). */
function profiled(name: ContenderName): boolean {
  return name === "gokac" || name === "port";
}

/** Contenders whose throughput table the runner checks against the input's sums. */
function verified(name: ContenderName): boolean {
  return name === "gokac" || name === "port" || name === "gokac-eos";
}

/** Contenders taking part in the recovery workload. */
function recovers(name: ContenderName): boolean {
  return contenders[name].stateful && contenders[name].recovers !== false;
}

/** One pass over the contenders: a warm-up, a measured repetition, or the final profiling pass (not measured: profiling slows a run). */
interface Pass {
  readonly kind: "warm-up" | "measured" | "profile";
  readonly index: number;
  readonly label: string;
}

function passes(opts: BenchOptions): Pass[] {
  const list: Pass[] = [];
  for (let i = 0; i < opts.warmups; i++) list.push({ kind: "warm-up", index: list.length, label: "warm-up" });
  for (let i = 0; i < opts.repetitions; i++) list.push({ kind: "measured", index: list.length, label: `run ${i + 1}` });
  if (opts.profile) list.push({ kind: "profile", index: list.length, label: "profiled run" });
  return list;
}

function log(line: string): void {
  process.stdout.write(`${line}\n`);
}

function newestProfile(dir: string): string | undefined {
  if (!existsSync(dir)) return undefined;
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".cpuprofile"))
    .map((f) => join(dir, f));
  return files.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
}

async function throughputWorkload(
  opts: BenchOptions,
  ctx: RunContext,
  cluster: BenchCluster,
  runId: string,
  results: BenchResults,
): Promise<void> {
  const input = `bench-in-${runId}`;
  log(`throughput: seeding ${opts.messages} messages (${opts.keys} keys) into ${input}`);
  await cluster.freshTopics([{ name: input, partitions: opts.partitions }]);
  results.seeding[input.replace(runId, "<run>")] = (await seedInput(cluster, input, opts.partitions, opts.messages, opts.keys)).seconds;
  const series = new Map<ContenderName, Series<ThroughputRun>>();
  for (const name of opts.contenders) {
    const s: Series<ThroughputRun> = { label: contenders[name].label, runs: [] };
    series.set(name, s);
    results.throughput[name] = s;
  }
  for (const pass of passes(opts)) {
    for (const name of opts.contenders) {
      const s = series.get(name) as Series<ThroughputRun>;
      if (s.error !== undefined || (pass.kind === "profile" && !profiled(name))) continue;
      const profileDir = pass.kind === "profile" ? join(opts.out, "profiles", `throughput-${name}`) : undefined;
      try {
        const verifyKeys = pass.kind === "measured" && verified(name) ? opts.keys : undefined;
        const run = await runThroughput(ctx, contenders[name], input, opts.messages, `bench-tp-${name}-${runId}-${pass.index}`, {
          ...(profileDir === undefined ? {} : { profileDir }),
          ...(verifyKeys === undefined ? {} : { verifyKeys }),
        });
        const check = run.check === undefined ? "" : `; table: ${run.check.wrong} wrong, ${run.check.missing} missing of ${opts.keys} keys`;
        log(
          `  ${pass.label} ${name}: ${Math.round(run.messagesPerSecond)} msg/s (${run.seconds.toFixed(2)} s, ${run.cpuSeconds === undefined ? "" : `${run.cpuSeconds.toFixed(1)} CPU s, `}${Math.round(run.peakRssMb)} MB${check})`,
        );
        if (pass.kind === "measured") s.runs.push(run);
        const prof = profileDir === undefined ? undefined : newestProfile(profileDir);
        if (prof !== undefined)
          results.profiles[`${name} throughput (${Math.round(run.messagesPerSecond)} msg/s while profiled)`] =
            `${selfTimeByArea(prof, root)}\n\ntop functions:\n${formatSelfTime(topSelfTime(prof, root))}`;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        log(`  ${name} failed: ${message}`);
        if (pass.kind !== "profile") s.error = message;
      }
    }
  }
  await cluster.deleteTopics([input]);
}

/**
 * The recovery workload; with `withLevelDb`, each pass also runs the raw
 * LevelDB rate right after the contenders, so the baseline of the ratio sees
 * the same drift (disk, load) as the runs it divides.
 */
async function recoveryWorkload(
  opts: BenchOptions,
  ctx: RunContext,
  cluster: BenchCluster,
  runId: string,
  results: BenchResults,
  withLevelDb: boolean,
): Promise<void> {
  const stateful = opts.contenders.filter(recovers);
  if (stateful.length === 0) return;
  const input = `bench-rec-in-${runId}`;
  await cluster.freshTopics([{ name: input, partitions: opts.partitions }]);
  // gokac and Goka both name the changelog `<group>-table`: they share a group name and one seeded changelog.
  const groups = new Map(stateful.map((n) => [n, n === "kstreams" ? `bench-rec-ks-${runId}` : `bench-rec-${runId}`]));
  const changelogs = [...new Set(stateful.map((n) => contenders[n].changelog(groups.get(n) as string) as string))];
  for (const changelog of changelogs) {
    log(`recovery: seeding ${opts.tableKeys} keys into ${changelog}`);
    await cluster.freshTopics([{ name: changelog, partitions: opts.partitions, compacted: true }]);
    results.seeding[changelog.replace(runId, "<run>")] = (await seedTable(cluster, changelog, opts.partitions, opts.tableKeys)).seconds;
  }
  for (const name of stateful) results.recovery[name] = { label: contenders[name].label, runs: [] };
  for (const pass of passes(opts)) {
    for (const name of stateful) {
      const s = results.recovery[name] as Series<RecoveryRun>;
      if (s.error !== undefined || (pass.kind === "profile" && !profiled(name))) continue;
      const profileDir = pass.kind === "profile" ? join(opts.out, "profiles", `recovery-${name}`) : undefined;
      try {
        const group = groups.get(name) as string;
        // Contenders share the recovery group: start only once the previous member has left.
        const waited = await cluster.waitGroupEmpty(group, 60_000);
        if (waited > 1_000) log(`  (waited ${(waited / 1000).toFixed(1)} s for group ${group} to empty)`);
        await cluster.deleteGroups([group]);
        const run = await runRecovery(ctx, contenders[name], input, opts.tableKeys, group, profileDir);
        const stored =
          (run.phaseKeysPerSecond === undefined ? "" : `; phase ${Math.round(run.phaseKeysPerSecond)} keys/s`) +
          (run.storedKeys === undefined ? "" : `; ${run.storedKeys} keys stored`);
        log(
          `  ${pass.label} ${name}: ${Math.round(run.keysPerSecond)} keys/s (${run.seconds.toFixed(2)} s, ${Math.round(run.peakRssMb)} MB${stored})`,
        );
        if (pass.kind === "measured") s.runs.push(run);
        const prof = profileDir === undefined ? undefined : newestProfile(profileDir);
        if (prof !== undefined)
          results.profiles[`${name} recovery (${Math.round(run.keysPerSecond)} keys/s while profiled)`] =
            `${selfTimeByArea(prof, root)}\n\ntop functions:\n${formatSelfTime(topSelfTime(prof, root))}`;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        log(`  ${name} failed: ${message}`);
        if (pass.kind !== "profile") s.error = message;
      }
    }
    if (withLevelDb) await levelDbPass(opts, ctx.scratchDir, results, pass);
  }
  await cluster.deleteTopics([input, ...changelogs]);
  await cluster.deleteGroups([...groups.values()]);
}

/**
 * One run of the raw LevelDB batch-write rate into `results.leveldb`
 * (a failure is recorded there and ends the series).
 */
async function levelDbPass(opts: BenchOptions, scratch: string, results: BenchResults, pass: Pass): Promise<void> {
  const s = (results.leveldb ??= { label: "raw LevelDB", runs: [] });
  if (s.error !== undefined || pass.kind === "profile") return;
  try {
    const { stdout } = await execFileAsync(
      process.execPath,
      [
        "--import",
        "tsx",
        join(root, "bench/contenders/leveldb-rate.ts"),
        "--keys",
        String(opts.tableKeys),
        "--batch",
        String(recoveryBatch(opts)),
        "--dir",
        join(scratch, "leveldb"),
      ],
      { cwd: root },
    );
    const run = JSON.parse(stdout.trim()) as LevelDbRun;
    log(`  ${pass.label} leveldb: ${Math.round(run.keysPerSecond)} keys/s`);
    if (pass.kind === "measured") s.runs.push(run);
  } catch (error) {
    s.error = error instanceof Error ? error.message : String(error);
  }
}

/** The raw LevelDB rate on its own (when the recovery workload, which interleaves it, does not run). */
async function levelDbWorkload(opts: BenchOptions, scratch: string, results: BenchResults): Promise<void> {
  for (const pass of passes(opts)) await levelDbPass(opts, scratch, results, pass);
}

async function compilerWorkload(results: BenchResults): Promise<void> {
  const script = join(root, "bench/compiler.ts");
  if (!existsSync(script)) {
    results.compiler = { output: "", error: "bench/compiler.ts does not exist yet" };
    return;
  }
  log("compiler: node --import tsx bench/compiler.ts");
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, ["--import", "tsx", script], {
      cwd: root,
      timeout: 600_000,
      maxBuffer: 16 << 20,
    });
    results.compiler = { output: `${stdout}${stderr}` };
    log(stdout.trim());
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    results.compiler = { output: `${e.stdout ?? ""}${e.stderr ?? ""}`, error: e.message.split("\n")[0] ?? "failed" };
  }
}

/** Hot standby (bench/standby.ts): SIGKILL one of two instances over a `--table-keys` table, with and without standby; writes standby.md. */
async function standbyWorkload(opts: BenchOptions): Promise<void> {
  log(`standby: ${opts.tableKeys} keys, ${opts.partitions} partitions, SIGKILL one of two instances`);
  const standbyOpts = { brokers: opts.brokers, keys: opts.tableKeys, partitions: opts.partitions, sessionTimeoutMs: 6_000 };
  try {
    const report = renderStandbyReport(standbyOpts, await runStandbyBench(standbyOpts));
    await mkdir(opts.out, { recursive: true });
    await writeFile(join(opts.out, "standby.md"), report);
    log(report.trim());
  } catch (error) {
    log(`standby: failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

async function writeResults(opts: BenchOptions, results: BenchResults): Promise<void> {
  await mkdir(opts.out, { recursive: true });
  await writeFile(join(opts.out, "results.json"), `${JSON.stringify(results, null, 2)}\n`);
  const tp = opts.contenders.map((n) => ({
    label: contenders[n].label,
    value: medianOf(results.throughput[n], (r) => r.messagesPerSecond),
    ours: n === "gokac",
  }));
  const rc = opts.contenders
    .filter(recovers)
    .map((n) => ({ label: contenders[n].label, value: medianOf(results.recovery[n], (r) => r.keysPerSecond), ours: n === "gokac" }));
  if (results.leveldb !== undefined)
    rc.push({ label: "raw LevelDB batch writes", value: medianOf(results.leveldb, (r) => r.keysPerSecond), ours: false });
  const panels = [
    ...(results.throughput && Object.keys(results.throughput).length > 0
      ? [
          {
            title: `Accumulator throughput (${opts.messages.toLocaleString("en-US")} messages, ${opts.partitions} partitions)`,
            unit: "msg/s",
            bars: tp,
          },
        ]
      : []),
    ...(rc.length > 0 ? [{ title: `Recovery of a ${opts.tableKeys.toLocaleString("en-US")}-key table`, unit: "keys/s", bars: rc }] : []),
  ];
  const m = results.machine;
  const svg = renderSvg(
    "gokac vs Goka vs Kafka Streams vs raw kafkajs",
    `medians of ${opts.repetitions} runs · ${m.cores} cores, ${m.memoryGiB} GiB · node ${m.node} · one local Kafka broker`,
    panels,
  );
  const png = writeChart(svg, join(opts.out, "chart.svg"), join(opts.out, "chart.png"));
  if (!png) log("chart: rsvg-convert not found (apt-get install librsvg2-bin); wrote chart.svg only");
  await writeFile(join(opts.out, "results.md"), renderReport(results, png ? "chart.png" : "chart.svg"));
}

async function main(argv: readonly string[]): Promise<number> {
  let opts: BenchOptions | "help";
  try {
    opts = parseBenchArgs(argv);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n${error.usage}\n`);
      return 2;
    }
    throw error;
  }
  if (opts === "help") {
    process.stdout.write(`${new UsageError("").usage}\n`);
    return 0;
  }
  opts = { ...opts, out: resolve(root, opts.out) };
  const started = performance.now();
  // The report's folder first: a path that cannot be one fails now, not after the runs.
  await mkdir(opts.out, { recursive: true });
  const runId = Date.now().toString(36);
  const scratch = join(tmpdir(), `gokac-bench-${runId}`);
  await mkdir(scratch, { recursive: true });
  if (opts.profile) await rm(join(opts.out, "profiles"), { recursive: true, force: true });

  const results: BenchResults = {
    machine: describeMachine(root),
    settings: {
      messages: opts.messages,
      keys: opts.keys,
      tableKeys: opts.tableKeys,
      partitions: opts.partitions,
      repetitions: opts.repetitions,
      warmups: opts.warmups,
    },
    throughput: {},
    recovery: {},
    seeding: {},
    profiles: {},
    failures: [],
  };

  const needsBroker = opts.workloads.includes("throughput") || opts.workloads.includes("recovery") || opts.workloads.includes("standby");
  let startedBroker = needsBroker ? await ensureBroker(root, opts.brokers, log) : false;
  try {
    if (opts.workloads.includes("throughput") || opts.workloads.includes("recovery")) {
      const prepared: ContenderName[] = [];
      for (const name of opts.contenders) {
        log(`prepare: ${name}`);
        try {
          contenders[name].prepare(root);
          prepared.push(name);
        } catch (error) {
          // A contender that cannot be built is reported, not fatal: the others still run.
          const message = `could not build: ${error instanceof Error ? error.message : String(error)}`;
          log(`  ${name} ${message}`);
          results.throughput[name] = { label: contenders[name].label, runs: [], error: message };
          if (recovers(name)) results.recovery[name] = { label: contenders[name].label, runs: [], error: message };
        }
      }
      opts = { ...opts, contenders: prepared };
      const cluster = await connectCluster(opts.brokers);
      const ctx: RunContext = {
        root,
        cluster,
        brokers: opts.brokers,
        partitions: opts.partitions,
        timeoutSeconds: opts.timeoutSeconds,
        scratchDir: scratch,
        log,
      };
      try {
        // A workload that fails as a whole (e.g. seeding on an overloaded broker) is reported; the others still run.
        if (opts.workloads.includes("throughput")) {
          await throughputWorkload(opts, ctx, cluster, runId, results).catch((error: unknown) => {
            results.failures.push(`throughput: ${error instanceof Error ? error.message : String(error)}`);
            log(`throughput failed: ${String(error)}`);
          });
        }
        if (opts.workloads.includes("recovery")) {
          // The broker is shared with other users of this machine; bring it back if it went away meanwhile.
          startedBroker = (await ensureBroker(root, opts.brokers, log)) || startedBroker;
          await recoveryWorkload(opts, ctx, cluster, runId, results, opts.workloads.includes("leveldb")).catch((error: unknown) => {
            results.failures.push(`recovery: ${error instanceof Error ? error.message : String(error)}`);
            log(`recovery failed: ${String(error)}`);
          });
        }
      } finally {
        await cluster.close();
      }
    }
    if (opts.workloads.includes("leveldb") && results.leveldb === undefined) {
      log("leveldb: raw batch-write rate");
      await levelDbWorkload(opts, scratch, results);
    }
    if (opts.workloads.includes("compiler")) await compilerWorkload(results);
    if (opts.workloads.includes("standby")) await standbyWorkload(opts);
    results.loadAtEnd = loadavg()[0] ?? 0;
    await writeResults(opts, results);
    log(`results: ${join(opts.out, "results.md")} (${((performance.now() - started) / 60_000).toFixed(1)} min)`);
  } finally {
    await rm(scratch, { recursive: true, force: true });
    if (startedBroker && !opts.keepBroker) stopBroker(root);
  }
  return 0;
}

// kafkajs can reject promises nobody awaits (its internal retries); log them instead of dying mid-run.
process.on("unhandledRejection", (reason) => {
  process.stderr.write(`bench: unhandled rejection (ignored): ${reason instanceof Error ? reason.message : String(reason)}\n`);
});

process.exitCode = await main(process.argv.slice(2));
