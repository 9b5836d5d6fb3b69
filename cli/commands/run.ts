/**
 * `gokac run [specs] [--out DIR] [--group NAME]… --brokers LIST [--state-dir DIR]`:
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
import type { Processor } from "../../runtime/index.js";
import { UsageError, type ExitStatus } from "../exit.js";
import type { CommandIo } from "../io/command-io.js";
import { loadGeneratedGroups } from "../io/load-generated.js";
import { brokersOption, outOption, clusterOptions, kafkaConfigOption } from "../options.js";
import type { CommandContext } from "../program.js";
import { resolveOut, resolveSpecs } from "../io/project-config.js";
import { loadRuntime, type RuntimeModule } from "../runtime.js";
import { analyzeSpecFolder, reportDiagnostics } from "./cluster-common.js";

/** Options of `gokac run`. */
export interface RunOptions {
  readonly brokers?: string;
  readonly kafkaConfig?: string;
  readonly out?: string;
  readonly group?: readonly string[];
  readonly stateDir?: string;
}

/** An error as printed: each problem of a `TopicCheckError` on its own line, else the message. */
function describeError(runtime: RuntimeModule, error: unknown): string {
  if (error instanceof runtime.TopicCheckError) return error.problems.map((p) => `error ${p.code}: ${p.message}`).join("\n");
  return error instanceof Error ? error.message : String(error);
}

/** Subscribes to a processor's instrumentation events and prints progress lines. */
function showProgress(io: CommandIo, group: string, processor: Processor): void {
  const lastShown = new Map<string, number>();
  processor.on("state", (p) => {
    // Partition-level states come by the dozen on every rebalance; recovery progress covers them.
    if (p.partition === undefined) io.stderr(`${group}: ${p.state}\n`);
  });
  processor.on("recovery-progress", (p) => {
    const key = `${p.topic}/${p.partition}`;
    const now = Date.now();
    // At most one line per partition and second, plus the last.
    if (p.offset < p.hwm && now - (lastShown.get(key) ?? 0) < 1_000) return;
    lastShown.set(key, now);
    io.stderr(`${group}: recovering ${key}: ${p.offset}/${p.hwm}\n`);
  });
}

/** The command body; resolves with the exit status. */
export async function runCommandAction(io: CommandIo, specs: string, options: RunOptions): Promise<ExitStatus> {
  const cluster = await clusterOptions(io, options, "run");
  const analyzed = analyzeSpecFolder(io, specs);
  if (analyzed.model === undefined || reportDiagnostics(io, analyzed.diagnostics.filter((d) => d.severity === "error"))) return 1;
  const all = await loadGeneratedGroups(io, resolveOut(io.cwd, options.out));
  const wanted = options.group ?? [];
  const unknown = wanted.filter((name) => !all.some((g) => g.graph.group === name));
  if (unknown.length > 0) {
    throw new UsageError(`no group ${unknown.join(", ")} in the build (groups: ${all.map((g) => g.graph.group).join(", ")})`);
  }
  const selected = wanted.length === 0 ? all : all.filter((g) => wanted.includes(g.graph.group));
  const runtime = await loadRuntime(io);
  const broker = runtime.createKafkaBroker(cluster);
  const processors: { group: string; processor: Processor }[] = [];
  try {
    for (const g of selected) {
      try {
        await runtime.ensureTopics(broker, runtime.groupTopicRequirements(g.graph));
      } catch (error) {
        io.stderr(`gokac: group ${g.graph.group}: ${describeError(runtime, error)}\n`);
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
    io.stderr(failure === undefined ? "stopping…\n" : `gokac: group ${failure.group} failed: ${describeError(runtime, failure.error)}\n`);
    return failure === undefined ? 0 : 1;
  } finally {
    const stops = await Promise.allSettled(processors.map((p) => p.processor.stop()));
    for (const [i, s] of stops.entries()) {
      if (s.status === "rejected") io.stderr(`gokac: group ${processors[i]?.group}: stop failed: ${describeError(runtime, s.reason)}\n`);
    }
    await broker.close();
  }
}

/** Registers `run` on the gokac program. */
export function registerRunCommand(program: Command, { io, run }: CommandContext): void {
  const command = program
    .command("run")
    .description("run the built processors (all groups, or those named) until SIGINT/SIGTERM, then shut down cleanly")
    .argument("[specs]", 'spec folder (default: "gokac.specs" of package.json)');
  command
    .addOption(outOption(command))
    .option("--group <name>", "a group to run (repeatable; default: all)", (value: string, previous: string[] = []) => [...previous, value])
    .addOption(brokersOption(command))
    .addOption(kafkaConfigOption(command))
    .option("--state-dir <dir>", "where table partitions are stored locally", ".state")
    .action(async (specs: string | undefined, options: RunOptions) => {
      await run(() => runCommandAction(io, resolveSpecs(io.cwd, specs), options), "failure");
    });
}
