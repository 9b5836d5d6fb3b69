/**
 * What the cluster commands (`topics`, `run`, `emit`, `get`) share: reading
 * and checking a spec folder, the `--brokers` option, printing diagnostics,
 * and reaching the runtime. The compiler never imports the runtime
 * statically: the runtime is loaded with `import("gokac/runtime")` by name.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { relative, resolve, sep } from "node:path";
import { analyze, type AnalyzeResult } from "../analyze.js";
import type { Diagnostic } from "../diagnostics.js";

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

function toDisplay(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  return (rel === "" ? "." : rel).split(sep).join("/");
}

function listSpecFiles(dir: string): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = resolve(dir, entry.name);
    if (entry.isDirectory()) found.push(...listSpecFiles(path));
    else if (/\.ya?ml$/.test(entry.name)) found.push(path);
  }
  return found;
}

/** Reads and checks the spec folder `specs` (relative to `io.cwd`). Throws UsageError if it is not a folder. */
export function analyzeSpecFolder(io: CommandIo, specs: string, clusterPartitions?: ReadonlyMap<string, number>): AnalyzeResult {
  const dir = resolve(io.cwd, specs);
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    isDir = false;
  }
  if (!isDir) throw new UsageError(`spec folder ${specs} does not exist or is not a folder`);
  const files = listSpecFiles(dir)
    .map((path) => toDisplay(io.cwd, path))
    .sort()
    .map((path) => ({ path, text: readFileSync(resolve(io.cwd, path), "utf8") }));
  return analyze({
    root: toDisplay(io.cwd, dir),
    projectRoot: ".",
    files,
    readFile: (path) => {
      try {
        return readFileSync(resolve(io.cwd, path), "utf8");
      } catch {
        return undefined;
      }
    },
    ...(clusterPartitions === undefined ? {} : { clusterPartitions }),
  });
}

/** `file:line:col: severity CODE: message` plus an indented hint line. */
export function formatDiagnostic(d: Diagnostic): string {
  const head = `${d.file}:${d.line}:${d.column}: ${d.severity} ${d.code}: ${d.message}\n`;
  return d.hint === undefined ? head : `${head}  hint: ${d.hint}\n`;
}

/** Prints diagnostics to stderr; returns whether any is an error. */
export function reportDiagnostics(io: CommandIo, diagnostics: readonly Diagnostic[]): boolean {
  for (const d of diagnostics) io.stderr(formatDiagnostic(d));
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
