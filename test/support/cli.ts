/**
 * The CLI test harness: runs `gokac` in-process through `main` (the same
 * path as bin/gokac.js) against a temporary project folder, capturing
 * output and the exit status. For the real command as a child process, see
 * gokac-process.ts.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { CommandIo } from "../../cli/io/command-io.js";
import { main } from "../../cli/main.js";

/** What one `gokac …` run produced. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The runtime as the commands load it, resolved by vitest (the `source` condition: runtime/index.ts). */
export function loadTestRuntime(): Promise<unknown> {
  return import("gokac/runtime");
}

/** Options of `runGokac`: the working directory, environment (default: none), standard input, a stop signal, the runtime. */
export interface CliOptions {
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly stdin?: string;
  readonly stop?: Promise<void>;
  readonly loadRuntime?: () => Promise<unknown>;
  /** Called with each piece of output as it is written (for commands that run until stopped, e.g. `build --watch`). */
  readonly onOutput?: (stream: "stdout" | "stderr", text: string) => void;
}

/** Runs `gokac <args>` in-process; the runtime is the sources' (`loadTestRuntime`) unless `options.loadRuntime` replaces it. */
export async function runGokac(args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const stdin = options.stdin;
  const io: CommandIo = {
    cwd: options.cwd ?? process.cwd(),
    env: options.env ?? {},
    stdout: (t) => {
      stdout += t;
      options.onOutput?.("stdout", t);
    },
    stderr: (t) => {
      stderr += t;
      options.onOutput?.("stderr", t);
    },
    stdin: (async function* () {
      if (stdin !== undefined) yield stdin;
    })(),
    stopSignal: options.stop ?? new Promise<void>(() => undefined),
    loadRuntime: options.loadRuntime ?? loadTestRuntime,
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

/** Runs `gokac <args>` with `cwd` as the working directory and no environment. */
export async function gokac(cwd: string, ...args: string[]): Promise<CliRun> {
  return runGokac(args, { cwd });
}

/** Like `gokac`, with the environment or the runtime replaced. */
export async function gokacWith(overrides: Pick<CliOptions, "env" | "loadRuntime">, cwd: string, ...args: string[]): Promise<CliRun> {
  return runGokac(args, { ...overrides, cwd });
}

const projects: string[] = [];

/** A new temporary folder holding `files` (path → text); `removeProjects` deletes them all. */
export function project(files: Readonly<Record<string, string>>): string {
  const dir = mkdtempSync(join(tmpdir(), "gokac-cli-"));
  projects.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

/** Deletes every folder `project` made. */
export function removeProjects(): void {
  for (const dir of projects.splice(0)) rmSync(dir, { recursive: true, force: true });
}
