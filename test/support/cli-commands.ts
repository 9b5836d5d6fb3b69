/** Runs one gokac cluster command in-process with captured output, as the CLI would. */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Command, CommanderError } from "commander";
import type { CommandIo } from "../../cli/commands/cluster-common.js";

/** Exit status and captured output of one command. */
export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The runtime as the commands load it, resolved by vitest (the `source` condition: runtime/index.ts). */
export function loadTestRuntime(): Promise<unknown> {
  return import("gokac/runtime");
}

/** Options for `runCli`: standard input lines, a stop signal, the brokers env. */
export interface RunOptions {
  readonly stdin?: string;
  readonly stop?: Promise<void>;
  readonly env?: Record<string, string | undefined>;
  readonly cwd?: string;
}

/** Registers `register` on a fresh program and runs `args` (without `gokac`). */
export async function runCli(
  register: (program: Command, io: CommandIo) => void,
  args: readonly string[],
  options: RunOptions = {},
): Promise<CommandResult> {
  let stdout = "";
  let stderr = "";
  let code: 0 | 1 | 2 = 0;
  const io: CommandIo = {
    cwd: options.cwd ?? process.cwd(),
    env: options.env ?? process.env,
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    stdin: (async function* () {
      if (options.stdin !== undefined) yield options.stdin;
    })(),
    setExitCode: (c) => (code = c),
    stopSignal: options.stop ?? new Promise<void>(() => undefined),
    loadRuntime: loadTestRuntime,
  };
  const program = new Command("gokac").exitOverride().configureOutput({ writeOut: (t) => (stdout += t), writeErr: (t) => (stderr += t) });
  register(program, io);
  try {
    await program.parseAsync([...args], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) return { code: error.exitCode === 0 ? 0 : 2, stdout, stderr };
    throw error;
  }
  return { code, stdout, stderr };
}

const projects: string[] = [];

/** Deletes every folder `tempProject` made. */
export function removeTempProjects(): void {
  for (const dir of projects.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Writes files (path → text) into a new temporary folder (see `removeTempProjects`); returns its path. */
export function tempProject(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "gokac-system-"));
  projects.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}
