/**
 * `gokac run <specs> [--out DIR] [--group NAME]… --brokers LIST [--state-dir DIR]`:
 * runs the built processors (all groups, or those named) on the cluster until
 * SIGINT/SIGTERM, then stops them cleanly (drain, commit, close stores).
 *
 * Before starting, each group's topics are checked and completed (GK501 on
 * different partition counts, GK902 for a missing input; missing tables and
 * loops are created). Progress (states, table recovery) goes to stderr.
 * Exit 0 after a clean stop, 1 when a processor failed or the topics are wrong.
 */
import { resolve } from "node:path";
import type { Command } from "commander";
import { analyzeSpecFolder, kafkaOptions, reportDiagnostics, resolveBrokers, runCommand, UsageError, type CommandIo } from "./cluster-common.js";
import { loadGeneratedGroups } from "./load-generated.js";
import { loadRuntime, type RuntimeProcessor } from "./runtime-api.js";

/** Options of `gokac run`. */
export interface RunOptions {
  readonly brokers?: string;
  readonly out?: string;
  readonly group?: readonly string[];
  readonly stateDir?: string;
  /** `rebuild` (default) or `fail`: what a processor does with a table partition whose local state cannot be trusted. */
  readonly onStateMismatch?: string;
}

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
  on.call(processor, "state-rebuilt", (payload) => {
    const p = payload as { error?: { message?: string } };
    io.stderr(`${group}: warning: ${p.error?.message ?? JSON.stringify(payload)}; rebuilding it from the changelog\n`);
  });
}

/** The command body; resolves with the exit status. */
export async function runCommandAction(io: CommandIo, specs: string, options: RunOptions): Promise<0 | 1 | 2> {
  const brokers = resolveBrokers(io, options.brokers);
  const onStateMismatch = options.onStateMismatch ?? "rebuild";
  if (onStateMismatch !== "rebuild" && onStateMismatch !== "fail") throw new UsageError(`--on-state-mismatch: expected rebuild or fail, got ${JSON.stringify(onStateMismatch)}`);
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
  const broker = runtime.createKafkaBroker(kafkaOptions(io, brokers, "run"));
  const processors: { group: string; processor: RuntimeProcessor }[] = [];
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
      const processor = runtime.createProcessor(g, { broker, stateDir: resolve(stateDir, g.graph.group), onStateMismatch });
      showProgress(io, g.graph.group, processor);
      processors.push({ group: g.graph.group, processor });
    }
    await Promise.all(processors.map((p) => p.processor.start()));
    io.stderr(`running ${processors.map((p) => p.group).join(", ")} on ${brokers}; stop with Ctrl-C\n`);

    const failure = await Promise.race([
      io.stopSignal.then(() => undefined),
      ...processors.map((p) => p.processor.done.then((error) => (error === undefined ? undefined : { group: p.group, error }))),
    ]);
    io.stderr(failure === undefined ? "stopping…\n" : `gokac: group ${failure.group} failed: ${describeError(failure.error)}\n`);
    return failure === undefined ? 0 : 1;
  } finally {
    const stops = await Promise.allSettled(processors.map((p) => p.processor.stop()));
    for (const [i, s] of stops.entries()) {
      if (s.status === "rejected") io.stderr(`gokac: group ${processors[i]?.group}: stop failed: ${describeError(s.reason)}\n`);
    }
    await broker.close();
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
    .option("--state-dir <dir>", "where table partitions are stored locally", ".state")
    .option("--on-state-mismatch <policy>", "a table partition whose local state cannot be trusted: rebuild (from the changelog, with a warning) or fail", "rebuild")
    .action(async (specs: string, options: RunOptions) => {
      await runCommand(io, () => runCommandAction(io, specs, options));
    });
}
