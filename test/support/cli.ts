/** Runs `main` in-process against a temporary project folder, capturing output and the exit status. */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { main } from "../../cli/main.js";
import type { CommandIo } from "../../cli/commands/cluster-common.js";

/** What one `gokac …` run produced. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `gokac <args>` with `cwd` as the working directory. */
export async function gokac(cwd: string, ...args: string[]): Promise<CliRun> {
  return gokacWith({}, cwd, ...args);
}

/** Like `gokac`, with parts of the CommandIo replaced (e.g. `loadRuntime`). */
export async function gokacWith(overrides: Partial<CommandIo>, cwd: string, ...args: string[]): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const io: CommandIo = {
    cwd,
    env: {},
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    stdin: (async function* () {})(),
    setExitCode: () => undefined,
    stopSignal: new Promise<void>(() => undefined),
    ...overrides,
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

/** A new temporary folder holding `files` (path → text). */
export function project(files: Readonly<Record<string, string>>): string {
  const dir = mkdtempSync(join(tmpdir(), "gokac-cli-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}
