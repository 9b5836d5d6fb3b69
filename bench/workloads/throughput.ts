/**
 * Workload 1, accumulator throughput: from a contender's start until every
 * message of the seeded input is processed and its offset committed.
 * Measured from outside: the runner polls the group's committed offsets.
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { BenchCluster } from "../lib/cluster.js";
import { sleep } from "../lib/cluster.js";
import type { Contender, RunNames } from "../lib/contenders.js";
import { startContender } from "../lib/contender-process.js";
import { verifyAccumulator, type TableCheck } from "../lib/verify-table.js";

/** One measured (or warm-up) run. */
export interface ThroughputRun {
  /** Seconds from spawn until all input offsets were committed. */
  readonly seconds: number;
  /** Seconds from the READY line until then (the steady part, without start-up). */
  readonly secondsFromReady: number | undefined;
  readonly messagesPerSecond: number;
  readonly peakRssMb: number;
  /** CPU seconds the contender used until then (user + system, all threads): what the run cost, whatever the machine's load. */
  readonly cpuSeconds?: number;
  /** The table checked against the input's sums (when asked to verify). */
  readonly check?: TableCheck;
}

/** Where the runner keeps per-run state folders and profiles. */
export interface RunContext {
  readonly root: string;
  readonly cluster: BenchCluster;
  readonly brokers: string;
  readonly partitions: number;
  readonly timeoutSeconds: number;
  readonly scratchDir: string;
  readonly log: (line: string) => void;
}

const pollMs = 50;

/** Runs `contender` once over `input` (already seeded with `messages` messages) with a fresh group. */
export async function runThroughput(
  ctx: RunContext,
  contender: Contender,
  input: string,
  messages: number,
  group: string,
  options: { readonly profileDir?: string; readonly verifyKeys?: number } = {},
): Promise<ThroughputRun> {
  const { profileDir, verifyKeys } = options;
  const run: RunNames = {
    brokers: ctx.brokers,
    group,
    input,
    stateDir: join(ctx.scratchDir, group),
    partitions: ctx.partitions,
    ...(profileDir === undefined ? {} : { profileDir }),
  };
  const own = contender.topicsToCreate(run);
  if (own.length > 0) await ctx.cluster.freshTopics(own);
  const proc = startContender(contender.command(ctx.root, run, 0));
  let readyAt: number | undefined;
  void proc.ready.then(
    (t) => (readyAt = t),
    () => undefined,
  );
  let exitCode: number | null | undefined;
  void proc.exited.then((code) => (exitCode = code));
  try {
    const deadline = proc.startedAt + ctx.timeoutSeconds * 1000;
    for (;;) {
      if (exitCode !== undefined) throw new Error(`${contender.name} exited (code ${exitCode}) early:\n${proc.stderrTail()}`);
      if (performance.now() > deadline)
        throw new Error(`${contender.name} did not finish in ${ctx.timeoutSeconds} s:\n${proc.stderrTail()}`);
      const committed = await ctx.cluster.committedTotal(group, input);
      if (committed >= messages) break;
      await sleep(pollMs);
    }
    const doneAt = performance.now();
    const seconds = (doneAt - proc.startedAt) / 1000;
    const peakRssMb = proc.peakRssKb() / 1024;
    const cpuSeconds = proc.cpuSeconds();
    await proc.stop();
    const changelog = contender.changelog(group);
    const check =
      verifyKeys === undefined || changelog === undefined
        ? undefined
        : await verifyAccumulator(ctx.brokers, changelog, messages, verifyKeys);
    return {
      seconds,
      secondsFromReady: readyAt === undefined ? undefined : (doneAt - readyAt) / 1000,
      messagesPerSecond: messages / seconds,
      peakRssMb,
      ...(cpuSeconds === undefined ? {} : { cpuSeconds }),
      ...(check === undefined ? {} : { check }),
    };
  } finally {
    await proc.stop();
    await cleanup(ctx, contender, run);
  }
}

async function cleanup(ctx: RunContext, contender: Contender, run: RunNames): Promise<void> {
  const changelog = contender.changelog(run.group);
  const topics = [...contender.topicsToCreate(run).map((t) => t.name), ...(changelog === undefined ? [] : [changelog])];
  await ctx.cluster.deleteTopics(topics).catch((e: unknown) => ctx.log(`  (cleanup: ${String(e)})`));
  await ctx.cluster.deleteGroups([run.group]);
  await rm(run.stateDir, { recursive: true, force: true });
}
