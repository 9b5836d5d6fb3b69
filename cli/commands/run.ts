/**
 * `gokac run [specs] [--out DIR] [--group NAME]… --brokers LIST [--state-dir DIR]`:
 * runs the built processors (all groups, or those named) on the cluster until
 * SIGINT/SIGTERM, then stops them cleanly (drain, commit, close stores).
 *
 * Before starting, each group's topics are checked and completed (GK501 on
 * different partition counts, GK902 for a missing input; missing tables and
 * loops are created). Structured logs (states, rebalances, table recovery
 * with ETA, failures) go to stdout: JSON lines, readable on a terminal
 * (`--log-level`). `--http HOST:PORT` serves the web monitor, /metrics,
 * /healthz, /readyz and /api/tables (runtime/monitor/); the bound URL is
 * printed on stderr.
 * Exit 0 after a clean stop, 1 when a processor failed or the topics are wrong.
 */
import { resolve } from "node:path";
import type { Command } from "commander";
import type { Processor } from "../../runtime/index.js";
import { parseDuration } from "../parse-duration.js";
import { UsageError, type ExitStatus } from "../exit.js";
import type { CommandIo } from "../io/command-io.js";
import { loadGeneratedGroups } from "../io/load-generated.js";
import { brokersOption, outOption, clusterOptions, kafkaConfigOption } from "../options.js";
import type { CommandContext } from "../program.js";
import { resolveOut, resolveSpecs } from "../io/project-config.js";
import { loadRuntime, type RuntimeModule } from "../runtime.js";
import { specModelOrReport } from "./cluster-common.js";
import { ProgressDisplay } from "../io/progress-bar.js";

/** How long, after one group failed, the others may take to drain and stop. */
export const DRAIN_AFTER_FAILURE_MS = 15_000;

/** Options of `gokac run`. */
export interface RunOptions {
  readonly brokers?: string;
  readonly kafkaConfig?: string;
  readonly out?: string;
  readonly group?: readonly string[];
  readonly stateDir?: string;
  /** How long the cluster may be unreachable before the processors stop (`30s`, `5m`, or milliseconds). */
  readonly maxOutage?: string;
  /** `rebuild` (default) or `fail`: what a processor does with a table partition whose local state cannot be trusted. */
  readonly onStateMismatch?: string;
  readonly http?: string;
  readonly logLevel?: string;
  /** How long the group coordinator waits for a silent member (killed, frozen) before rebalancing its partitions away (`10s`, or milliseconds). */
  readonly sessionTimeout?: string;
}

/** The least `--session-timeout` (a floor well above the 250 ms heartbeat; a shorter session takes GC pauses for deaths). The broker's own bounds apply too (`group.min.session.timeout.ms`, 6 s by default). */
export const MIN_SESSION_TIMEOUT_MS = 3_000;

/** An error as printed: each problem of a `TopicCheckError` on its own line, else the message with the error's code (to branch on in scripts). */
function describeError(runtime: RuntimeModule, error: unknown): string {
  if (error instanceof runtime.TopicCheckError) return error.problems.map((p) => `error ${p.code}: ${p.message}`).join("\n");
  if (error instanceof runtime.GokacError) return `${error.message} [${error.code}]`;
  return error instanceof Error ? error.message : String(error);
}

/** The command body; resolves with the exit status. */
export async function runCommandAction(io: CommandIo, specs: string, options: RunOptions): Promise<ExitStatus> {
  const cluster = await clusterOptions(io, options, "run");
  const model = specModelOrReport(io, specs);
  if (model === undefined) return 1;
  const all = await loadGeneratedGroups(io, resolveOut(io.cwd, options.out));
  const wanted = options.group ?? [];
  const unknown = wanted.filter((name) => !all.some((g) => g.graph.group === name));
  if (unknown.length > 0) {
    throw new UsageError(`no group ${unknown.join(", ")} in the build (groups: ${all.map((g) => g.graph.group).join(", ")})`);
  }
  const selected = wanted.length === 0 ? all : all.filter((g) => wanted.includes(g.graph.group));
  const maxOutageMs = parseDuration(options.maxOutage ?? "5m");
  if (maxOutageMs === undefined)
    throw new UsageError(`--max-outage: ${JSON.stringify(options.maxOutage)} is not a duration (e.g. 30s, 5m, or milliseconds)`);
  const onStateMismatch = options.onStateMismatch ?? "rebuild";
  if (onStateMismatch !== "rebuild" && onStateMismatch !== "fail")
    throw new UsageError(`--on-state-mismatch: expected rebuild or fail, got ${JSON.stringify(onStateMismatch)}`);
  const sessionTimeoutMs = options.sessionTimeout === undefined ? undefined : parseDuration(options.sessionTimeout);
  if (sessionTimeoutMs !== undefined && sessionTimeoutMs < MIN_SESSION_TIMEOUT_MS)
    throw new UsageError(
      `--session-timeout: at least ${MIN_SESSION_TIMEOUT_MS / 1000}s (three heartbeats), got ${JSON.stringify(options.sessionTimeout)}`,
    );
  if (options.sessionTimeout !== undefined && sessionTimeoutMs === undefined)
    throw new UsageError(`--session-timeout: ${JSON.stringify(options.sessionTimeout)} is not a duration (e.g. 10s, or milliseconds)`);
  const runtime = await loadRuntime(io);
  const logLevel = options.logLevel ?? "info";
  if (!runtime.isLogLevel(logLevel))
    throw new UsageError(`--log-level: expected trace, debug, info, warn, error, fatal or silent, got ${JSON.stringify(logLevel)}`);
  let http: { host: string; port: number } | undefined;
  try {
    http = options.http === undefined ? undefined : runtime.parseHostPort(options.http);
  } catch (error) {
    throw new UsageError(`--http: ${error instanceof Error ? error.message : String(error)}`);
  }
  // On a terminal, table recovery shows as one progress line per group (stderr); log lines are written above it.
  const progress =
    process.stderr.isTTY === true
      ? new ProgressDisplay({
          write: (text) => io.stderr(text),
          get columns() {
            return process.stderr.columns;
          },
        })
      : undefined;
  const say = (text: string) => (progress === undefined ? io.stderr(text) : progress.above(() => io.stderr(text)));
  const logger = runtime.createLogger({
    level: logLevel,
    output: {
      write: (text) => (progress === undefined ? io.stdout(text) : progress.above(() => io.stdout(text))),
      isTTY: process.stdout.isTTY === true,
    },
  });
  const broker = runtime.createKafkaBroker({
    ...cluster,
    maxOutageMs,
    ...(sessionTimeoutMs === undefined ? {} : { group: { sessionTimeoutMs } }),
  });
  const processors: { group: string; processor: Processor }[] = [];
  let monitor: { url: string; close(): Promise<void> } | undefined;
  let failed = false;
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
      const processor = runtime.createProcessor(g, { broker, stateDir: resolve(stateDir, g.graph.group), onStateMismatch });
      runtime.logProcessorEvents(logger, processor, progress === undefined ? {} : { recoveryProgress: false });
      if (progress !== undefined) runtime.trackRecovery(processor, (p) => progress.update(p));
      processors.push({ group: g.graph.group, processor });
    }
    if (http !== undefined) {
      monitor = await runtime.startMonitor({ processors: processors.map((p) => p.processor), broker, host: http.host, port: http.port });
      say(`monitor on ${monitor.url}\n`);
    }
    const started = Promise.all(processors.map((p) => p.processor.start()));
    // A signal during start-up (lookup views, first recoveries) stops at once: `finally` stops the processors, which abandon their recoveries.
    if ((await Promise.race([started.then(() => "started" as const), io.stopSignal.then(() => "signal" as const)])) === "signal") {
      started.catch(() => undefined);
      say("stopping…\n");
      return 0;
    }
    say(`running ${processors.map((p) => p.group).join(", ")} on ${cluster.brokers}; stop with Ctrl-C\n`);

    const failure = await Promise.race([
      io.stopSignal.then(() => undefined),
      ...processors.map((p) => p.processor.done.then((error) => (error === undefined ? undefined : { group: p.group, error }))),
    ]);
    failed = failure !== undefined;
    io.stderr(failure === undefined ? "stopping…\n" : `gokac: group ${failure.group} failed: ${describeError(runtime, failure.error)}\n`);
    return failure === undefined ? 0 : 1;
  } finally {
    progress?.close();
    await monitor?.close();
    // After a failure, drain for a bounded time: what is not committed is processed again on restart.
    const drained = Promise.allSettled(processors.map((p) => p.processor.stop()));
    const stops = failed
      ? await Promise.race([drained, new Promise<undefined>((r) => setTimeout(() => r(undefined), DRAIN_AFTER_FAILURE_MS).unref())])
      : await drained;
    if (stops === undefined) {
      io.stderr(
        `gokac: groups still draining after ${DRAIN_AFTER_FAILURE_MS / 1000} s; exiting without waiting (their uncommitted messages are processed again on restart)\n`,
      );
    } else {
      for (const [i, s] of stops.entries()) {
        if (s.status === "rejected") io.stderr(`gokac: group ${processors[i]?.group}: stop failed: ${describeError(runtime, s.reason)}\n`);
      }
    }
    await (stops === undefined ? Promise.race([broker.close(), new Promise((r) => setTimeout(r, 1_000).unref())]) : broker.close());
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
    .option(
      "--max-outage <duration>",
      "how long the cluster may be unreachable before the processors stop with exit 1 (30s, 5m, or milliseconds)",
      "5m",
    )
    .option(
      "--on-state-mismatch <policy>",
      "a table partition whose local state cannot be trusted: rebuild (from the changelog, with a warning) or fail",
      "rebuild",
    )
    .option("--http <host:port>", "serve the web monitor, /metrics, /healthz, /readyz and /api/tables (port 0: any free port)")
    .option("--log-level <level>", "trace, debug, info, warn, error, fatal or silent", "info")
    .option(
      "--session-timeout <duration>",
      "how long the group waits for a silent member (killed, frozen) before moving its partitions (10s, or milliseconds; default 30s)",
    )
    .action(async (specs: string | undefined, options: RunOptions) => {
      await run(() => runCommandAction(io, resolveSpecs(io.cwd, specs), options), "failure");
    });
}
