/**
 * `gokac run <specs> [--out DIR] [--group NAME]… --brokers LIST [--state-dir DIR] [--max-outage DURATION]`:
 * runs the built processors (all groups, or those named) on the cluster until
 * SIGINT/SIGTERM, then stops them cleanly (drain, commit, close stores).
 *
 * Before starting, each group's topics are checked and completed (GK501 on
 * different partition counts, GK902 for a missing input; missing tables and
 * loops are created). Progress (states, table recovery) goes to stderr.
 * Exit 0 after a clean stop, 1 when a processor failed or the topics are wrong.
 * A broker outage is ridden out for `--max-outage` (default 5m); past it the
 * processors stop with BROKER_UNREACHABLE, exit 1. After a failure the other
 * groups get `DRAIN_AFTER_FAILURE_MS` to drain before the command returns.
 */
import { resolve } from "node:path";
import type { Command } from "commander";
import { analyzeSpecFolder, clusterOptions, KAFKA_CONFIG_OPTION, reportDiagnostics, runCommand, UsageError, type CommandIo } from "./cluster-common.js";
import { loadGeneratedGroups } from "./load-generated.js";
import { parseDuration } from "./parse-duration.js";
import { loadRuntime, type RuntimeProcessor } from "./runtime-api.js";

/** Options of `gokac run`. */
export interface RunOptions {
  readonly brokers?: string;
  readonly kafkaConfig?: string;
  readonly out?: string;
  readonly group?: readonly string[];
  readonly stateDir?: string;
  /** How long the cluster may be unreachable before the processors stop (`30s`, `5m`, or milliseconds). */
  readonly maxOutage?: string;
}

/** How long, after one group failed, the others may take to drain and stop. */
export const DRAIN_AFTER_FAILURE_MS = 15_000;

function describeError(error: unknown): string {
  if (typeof error === "object" && error !== null && "problems" in error && Array.isArray(error.problems)) {
    return (error.problems as { code: string; message: string }[]).map((p) => `error ${p.code}: ${p.message}`).join("\n");
  }
  return error instanceof Error ? error.message : String(error);
}

/** Subscribes to a processor's instrumentation events, if it has any, and prints progress lines. */
function showProgress(io: CommandIo, group: string, processor: RuntimeProcessor): void {
  const on = (processor as unknown as { on?: (event: string, listener: (payload: unknown) => void) => unknown }).on;
  if (typeof on !== "function") return;
  const lastShown = new Map<string, number>();
  on.call(processor, "state", (payload) => {
    // Partition-level states come by the dozen on every rebalance; recovery progress covers them.
    const p = payload as { state?: string; partition?: number };
    if (p.partition === undefined) io.stderr(`${group}: ${p.state ?? JSON.stringify(payload)}\n`);
  });
  on.call(processor, "recovery-progress", (payload) => {
    const p = payload as { topic?: string; partition?: number; offset?: number; hwm?: number; highWatermark?: number };
    const hwm = p.hwm ?? p.highWatermark;
    const key = `${p.topic}/${p.partition}`;
    const now = Date.now();
    // At most one line per partition and second, plus the last.
    if (hwm !== undefined && p.offset !== undefined && p.offset < hwm && now - (lastShown.get(key) ?? 0) < 1_000) return;
    lastShown.set(key, now);
    io.stderr(`${group}: recovering ${key}: ${p.offset ?? "?"}/${hwm ?? "?"}\n`);
  });
}

/** The command body; resolves with the exit status. */
export async function runCommandAction(io: CommandIo, specs: string, options: RunOptions): Promise<0 | 1 | 2> {
  const maxOutageMs = parseDuration(options.maxOutage ?? "5m");
  if (maxOutageMs === undefined) throw new UsageError(`--max-outage: ${JSON.stringify(options.maxOutage)} is not a duration (e.g. 30s, 5m, or milliseconds)`);
  const cluster = await clusterOptions(io, options, "run");
  const analyzed = analyzeSpecFolder(io, specs);
  if (analyzed.model === undefined || reportDiagnostics(io, analyzed.diagnostics.filter((d) => d.severity === "error"))) return 1;
  const all = await loadGeneratedGroups(io, options.out ?? "generated");
  const wanted = options.group ?? [];
  const unknown = wanted.filter((name) => !all.some((g) => g.graph.group === name));
  if (unknown.length > 0) {
    throw new UsageError(`no group ${unknown.join(", ")} in the build (groups: ${all.map((g) => g.graph.group).join(", ")})`);
  }
  const selected = wanted.length === 0 ? all : all.filter((g) => wanted.includes(g.graph.group));
  const runtime = await loadRuntime(io.loadRuntime, "createKafkaBroker", "createProcessor", "ensureTopics", "groupTopicRequirements");
  const broker = runtime.createKafkaBroker({ ...cluster, maxOutageMs });
  const processors: { group: string; processor: RuntimeProcessor }[] = [];
  let failed = false;
  try {
    for (const g of selected) {
      try {
        await runtime.ensureTopics(broker, runtime.groupTopicRequirements(g.graph));
      } catch (error) {
        io.stderr(`gokac: group ${g.graph.group}: ${describeError(error)}\n`);
        return 1;
      }
    }
    const stateDir = resolve(io.cwd, options.stateDir ?? ".state");
    for (const g of selected) {
      const processor = runtime.createProcessor(g, { broker, stateDir: resolve(stateDir, g.graph.group) });
      showProgress(io, g.graph.group, processor);
      processors.push({ group: g.graph.group, processor });
    }
    await Promise.all(processors.map((p) => p.processor.start()));
    io.stderr(`running ${processors.map((p) => p.group).join(", ")} on ${cluster.brokers}; stop with Ctrl-C\n`);

    const failure = await Promise.race([
      io.stopSignal.then(() => undefined),
      ...processors.map((p) => p.processor.done.then((error) => (error === undefined ? undefined : { group: p.group, error }))),
    ]);
    failed = failure !== undefined;
    io.stderr(failure === undefined ? "stopping…\n" : `gokac: group ${failure.group} failed: ${describeError(failure.error)}\n`);
    return failure === undefined ? 0 : 1;
  } finally {
    // After a failure, drain for a bounded time: what is not committed is processed again on restart.
    const stopping = processors.map((p) => p.processor.stop());
    const drained = Promise.allSettled(stopping);
    const stops = failed ? await Promise.race([drained, new Promise<undefined>((r) => setTimeout(() => r(undefined), DRAIN_AFTER_FAILURE_MS).unref())]) : await drained;
    if (stops === undefined) {
      io.stderr(`gokac: groups still draining after ${DRAIN_AFTER_FAILURE_MS / 1000} s; exiting without waiting (their uncommitted messages are processed again on restart)\n`);
    } else {
      for (const [i, s] of stops.entries()) {
        if (s.status === "rejected") io.stderr(`gokac: group ${processors[i]?.group}: stop failed: ${describeError(s.reason)}\n`);
      }
    }
    await (stops === undefined ? Promise.race([broker.close(), new Promise((r) => setTimeout(r, 1_000).unref())]) : broker.close());
  }
}

/** Registers `run` on the gokac program. */
export function registerRunCommand(program: Command, io: CommandIo): void {
  program
    .command("run")
    .description("run the built processors (all groups, or those named) until SIGINT/SIGTERM, then shut down cleanly")
    .argument("<specs>", "spec folder")
    .option("--out <dir>", "the build's output folder", "generated")
    .option("--group <name>", "a group to run (repeatable; default: all)", (value: string, previous: string[] = []) => [...previous, value])
    .option("--brokers <list>", "Kafka bootstrap brokers, host:port[,host:port…] (default: $GOKAC_BROKERS)")
    .option(...KAFKA_CONFIG_OPTION)
    .option("--state-dir <dir>", "where table partitions are stored locally", ".state")
    .option("--max-outage <duration>", "how long the cluster may be unreachable before the processors stop with exit 1 (30s, 5m, or milliseconds)", "5m")
    .action(async (specs: string, options: RunOptions) => {
      await runCommand(io, () => runCommandAction(io, specs, options));
    });
}
