/**
 * Hot standby bench (GitHub issue 13): two instances of a counting group
 * over a seeded table (one int64 per key, 1M keys by default), the first
 * killed with SIGKILL; the time until every partition runs again on the
 * survivor, with `standby: 1` and without. Reported in two parts, since a
 * killed member is only noticed when its session times out:
 *
 * - kill → rebalance: SIGKILL until the survivor gets its new assignment
 *   (about the session timeout, `--session-timeout`, 6 s by default here:
 *   the broker's `group.min.session.timeout.ms`);
 * - rebalance → running: the assignment until every partition runs again
 *   (with standby: promote the warm copies and read their tail; without:
 *   replay the killed instance's partitions from the changelog).
 *
 *   node --import tsx bench/standby.ts [--brokers 127.0.0.1:9092] [--keys 1000000] [--partitions 8]
 *       [--session-timeout 6000] [--out bench/results/standby.md]
 *
 * Run by `npm run bench` (workload `standby`). Instances are processes of
 * test/system/fixtures/standby-processor.ts; times are taken from the lines
 * they print (same machine, same clock).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { connectCluster, type BenchCluster } from "./lib/cluster.js";
import { seedTable } from "./lib/seed.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** Options of `runStandbyBench`. */
export interface StandbyBenchOptions {
  readonly brokers: string;
  readonly keys: number;
  readonly partitions: number;
  readonly sessionTimeoutMs: number;
}

/** One variant's figures, in milliseconds and records. */
export interface StandbyRun {
  readonly standby: number;
  readonly killToRebalanceMs: number;
  readonly rebalanceToRunningMs: number;
  readonly killToRunningMs: number;
  /** Changelog records the survivor read to bring every partition back. */
  readonly replayed: number;
  /** How long the first instance took to recover the seeded table at start (for scale). */
  readonly initialRecoveryMs: number;
  /**
   * The survivor had been assigned some of the killed instance's partitions before (a rebalance while both
   * started, under load): their stores on its disk make the variant without standby faster than a cold replay.
   */
  readonly survivorHeldBefore: boolean;
}

interface Instance {
  readonly child: ChildProcess;
  readonly lines: Record<string, unknown>[];
  status(): { active: number[]; standby: [number, number][] } | undefined;
  readonly running: Promise<void>;
}

function startInstance(args: string[]): Instance {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "--conditions=source", join(root, "test/system/fixtures/standby-processor.ts"), ...args],
    { cwd: root, stdio: ["ignore", "pipe", "pipe"] },
  );
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const lines: Record<string, unknown>[] = [];
  let last: { active: number[]; standby: [number, number][] } | undefined;
  const running = new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      if (parsed.event === "status") last = parsed as unknown as typeof last;
      else lines.push(parsed);
      if (parsed.event === "running") resolve();
    });
    child.on("exit", (code) => reject(new Error(`instance exited (${code}): ${stderr}`)));
  });
  running.catch(() => undefined);
  return { child, lines, running, status: () => last };
}

async function until(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function hwms(cluster: BenchCluster, topic: string): Promise<Map<number, number>> {
  const offsets = await cluster.admin.fetchTopicOffsets(topic);
  return new Map(offsets.map((o) => [o.partition, Number(o.high)]));
}

/** One variant: seed, two instances, settle, SIGKILL the first, measure the survivor. */
async function runVariant(opts: StandbyBenchOptions, cluster: BenchCluster, standby: number): Promise<StandbyRun> {
  const id = `${Date.now().toString(36)}-${standby}`;
  const group = `bench-standby-${id}`;
  const input = `bench-standby-in-${id}`;
  const table = `${group}-table`;
  const P = opts.partitions;
  await cluster.freshTopics([
    { name: input, partitions: P },
    { name: table, partitions: P, compacted: true },
  ]);
  await seedTable(cluster, table, P, opts.keys);
  const state = mkdtempSync(join(tmpdir(), "gokac-bench-standby-"));
  const instances: Instance[] = [];
  try {
    const args = (name: string) => [opts.brokers, input, group, join(state, name), String(standby), String(opts.sessionTimeoutMs)];
    const started = Date.now();
    const a = startInstance(args("a"));
    instances.push(a);
    await a.running;
    const initialRecoveryMs = Date.now() - started;
    const b = startInstance(args("b"));
    instances.push(b);
    await b.running;
    const ends = await hwms(cluster, table);
    const settled = (i: Instance) => {
      const s = i.status();
      if (s === undefined || s.active.length !== P / 2) return false;
      if (standby === 0) return s.standby.length === 0;
      return s.standby.length === P / 2 && s.standby.every(([p, o]) => o === ends.get(p));
    };
    await until(() => settled(a) && settled(b), 600_000, "both instances settled (standby copies caught up)");
    const before = b.lines.length;
    const killedPartitions = a.status()!.active;
    const survivorHeldBefore = b.lines.some(
      (l) => l.event === "rebalance" && Array.isArray(l.assigned) && (l.assigned as number[]).some((p) => killedPartitions.includes(p)),
    );
    const killedAt = Date.now();
    a.child.kill("SIGKILL");
    const after = () => b.lines.slice(before);
    await until(
      () => after().some((l) => l.event === "rebalance" && Array.isArray(l.assigned) && l.assigned.length === P),
      120_000,
      "the survivor's new assignment",
    );
    const rebalancedAt = after().find((l) => l.event === "rebalance" && (l.assigned as number[]).length === P)!.at as number;
    const runningAt = new Map<number, number>();
    await until(
      () => {
        for (const l of after())
          if (l.event === "running-partition" && (l.at as number) >= rebalancedAt) runningAt.set(l.partition as number, l.at as number);
        return runningAt.size === P;
      },
      600_000,
      "every partition running on the survivor",
    );
    const running = Math.max(...runningAt.values());
    if (process.env.GOKAC_TRACE_STATES === "1") {
      for (const l of after()) process.stderr.write(`${(l.at as number) - killedAt} ${JSON.stringify(l)}\n`);
    }
    const replayed = after()
      .filter((l) => l.event === "recovered" && (l.at as number) >= rebalancedAt)
      .reduce((sum, l) => sum + (l.recovered as number), 0);
    return {
      standby,
      killToRebalanceMs: rebalancedAt - killedAt,
      rebalanceToRunningMs: running - rebalancedAt,
      killToRunningMs: running - killedAt,
      replayed,
      initialRecoveryMs,
      survivorHeldBefore,
    };
  } finally {
    for (const i of instances) if (i.child.exitCode === null) i.child.kill("SIGKILL");
    rmSync(state, { recursive: true, force: true });
    await cluster.deleteTopics([input, table]).catch(() => undefined);
  }
}

/** Runs both variants (without standby, then with `standby: 1`). */
export async function runStandbyBench(opts: StandbyBenchOptions): Promise<StandbyRun[]> {
  const cluster = await connectCluster(opts.brokers);
  try {
    const runs: StandbyRun[] = [];
    for (const standby of process.env.GOKAC_STANDBY_ONLY === undefined ? [0, 1] : [Number(process.env.GOKAC_STANDBY_ONLY)]) {
      process.stderr.write(`standby bench: standby ${standby}, ${opts.keys} keys over ${opts.partitions} partitions…\n`);
      runs.push(await runVariant(opts, cluster, standby));
    }
    return runs;
  } finally {
    await cluster.close();
  }
}

/** The figures as a Markdown table. */
export function renderStandbyReport(opts: StandbyBenchOptions, runs: readonly StandbyRun[]): string {
  const s = (ms: number) => (ms / 1000).toFixed(2);
  const rows = runs.map(
    (r) =>
      `| ${r.standby} | ${s(r.killToRebalanceMs)} | ${s(r.rebalanceToRunningMs)} | ${s(r.killToRunningMs)} | ${r.replayed} | ${s(r.initialRecoveryMs)} | ${r.survivorHeldBefore ? "yes" : "no"} |`,
  );
  return [
    `# Hot standby: SIGKILL of one of two instances`,
    "",
    `${opts.keys} keys over ${opts.partitions} partitions; session timeout ${opts.sessionTimeoutMs / 1000} s; times in seconds.`,
    "*kill → rebalance* ends when the survivor's processor gets the new assignment, after its standby copies were handed over",
    "(at most one 200 ms tail fetch). *survivor held the partitions before*: a rebalance while both started gave it some of",
    "them, so their stores were on its disk (faster than a cold replay without standby).",
    "",
    "| standby | kill → rebalance | rebalance → running | kill → running | records replayed | first start (full recovery) | survivor held the partitions before |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
    "",
  ].join("\n");
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({
    options: {
      brokers: { type: "string", default: process.env.GOKAC_BROKERS ?? "127.0.0.1:9092" },
      keys: { type: "string", default: "1000000" },
      partitions: { type: "string", default: "8" },
      "session-timeout": { type: "string", default: "6000" },
      out: { type: "string" },
    },
  });
  const opts: StandbyBenchOptions = {
    brokers: values.brokers,
    keys: Number(values.keys),
    partitions: Number(values.partitions),
    sessionTimeoutMs: Number(values["session-timeout"]),
  };
  if (!(opts.keys > 0) || !(opts.partitions >= 2) || opts.partitions % 2 !== 0 || !(opts.sessionTimeoutMs > 0)) {
    process.stderr.write("standby bench: --keys > 0, --partitions even and >= 2, --session-timeout > 0 (ms)\n");
    process.exit(2);
  }
  const report = renderStandbyReport(opts, await runStandbyBench(opts));
  process.stdout.write(report);
  if (values.out !== undefined) {
    await mkdir(dirname(resolve(values.out)), { recursive: true });
    await writeFile(resolve(values.out), report);
  }
}
