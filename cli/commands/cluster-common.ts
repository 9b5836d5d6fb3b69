/**
 * What the cluster commands (`topics`, `run`, `emit`, `get`) share: reading
 * and checking a spec folder, the `--brokers` option, printing diagnostics,
 * and reaching the runtime. The compiler never imports the runtime
 * statically: the runtime is loaded with `import("gokac/runtime")` by name.
 */
import { analyze, type AnalyzeResult } from "../../compiler/analyze.js";
import type { Diagnostic } from "../../compiler/diagnostics/catalogue.js";
import { formatText } from "../../compiler/diagnostics/format.js";
import { isFolder, readSpecFolder } from "../io/read-specs.js";

/** Where a command writes and what it may read; the CLI passes process streams, tests capture them. */
export interface CommandIo {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  stdout(text: string): void;
  stderr(text: string): void;
  /** Standard input, for `emit` without key and value. */
  readonly stdin: AsyncIterable<string | Buffer>;
  /** Sets the command's exit status (0 ok, 1 failure in the user's input or cluster, 2 bad usage). */
  setExitCode(code: 0 | 1 | 2): void;
  /** Resolves when the user asks to stop (SIGINT/SIGTERM); `run` waits for it. */
  readonly stopSignal: Promise<void>;
  /** Loads the runtime module; `import("gokac/runtime")` when absent (tests inject one). */
  readonly loadRuntime?: () => Promise<unknown>;
}

/** Exit status on bad usage (unknown topic, missing --brokers, …). */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** Reads and checks the spec folder `specs` (relative to `io.cwd`), as `gokac build` does. Throws UsageError if it is not a folder. */
export function analyzeSpecFolder(io: CommandIo, specs: string, clusterPartitions?: ReadonlyMap<string, number>): AnalyzeResult {
  if (!isFolder(io.cwd, specs)) throw new UsageError(`spec folder ${specs} does not exist or is not a folder`);
  return analyze(readSpecFolder(io.cwd, specs, clusterPartitions));
}

/** Prints diagnostics to stderr; returns whether any is an error. */
export function reportDiagnostics(io: CommandIo, diagnostics: readonly Diagnostic[]): boolean {
  for (const d of diagnostics) io.stderr(formatText(d));
  return diagnostics.some((d) => d.severity === "error");
}

/** `--brokers`, else `GOKAC_BROKERS`; UsageError when neither is set. */
export function resolveBrokers(io: CommandIo, option: string | undefined): string {
  const brokers = option ?? io.env["GOKAC_BROKERS"];
  if (brokers === undefined || brokers.trim() === "") {
    throw new UsageError("no Kafka brokers: pass --brokers host:port[,host:port…] or set GOKAC_BROKERS");
  }
  return brokers;
}

const KAFKA_LOG_LEVELS = ["nothing", "error", "warn", "info", "debug"] as const;

/**
 * Options of the Kafka broker for a command: the brokers, a client id naming
 * the command, and kafkajs's own logging from `GOKAC_KAFKA_LOG`
 * (nothing|error|warn|info|debug; default nothing) for debugging a cluster.
 */
export function kafkaOptions(io: CommandIo, brokers: string, command: string): { brokers: string; clientId: string; logLevel: (typeof KAFKA_LOG_LEVELS)[number] } {
  const wanted = io.env["GOKAC_KAFKA_LOG"];
  const logLevel = KAFKA_LOG_LEVELS.find((l) => l === wanted);
  if (wanted !== undefined && wanted !== "" && logLevel === undefined) {
    throw new UsageError(`GOKAC_KAFKA_LOG=${wanted} is not one of ${KAFKA_LOG_LEVELS.join(", ")}`);
  }
  return { brokers, clientId: `gokac-${command}`, logLevel: logLevel ?? "nothing" };
}

/** Runs a command body, mapping UsageError to exit 2 and any other failure to exit 1. */
export async function runCommand(io: CommandIo, body: () => Promise<0 | 1 | 2>): Promise<void> {
  try {
    io.setExitCode(await body());
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`gokac: ${message}\n`);
    io.setExitCode(error instanceof UsageError ? 2 : 1);
  }
}
