/**
 * Runs the real `gokac` command (bin/gokac.js on the TypeScript sources) as
 * a child process, for system tests that drive it like a user would.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";
import { repoRoot } from "../system/kafka-env.js";

/** The result of a finished command. */
export interface GokacResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function spawnGokac(args: readonly string[], cwd: string): ChildProcess {
  // --conditions=source: `gokac/runtime` resolves to runtime/index.ts, as in vitest; no stale dist/.
  return spawn(process.execPath, ["--conditions=source", join(repoRoot, "bin/gokac.js"), ...args], {
    cwd,
    env: { ...process.env, GOKAC_FROM_SOURCE: "1" },
    stdio: ["pipe", "pipe", "pipe"],
  });
}

/** Runs `gokac args…` to completion, feeding `stdin` if given. */
export function gokac(args: readonly string[], options: { stdin?: string; cwd?: string } = {}): Promise<GokacResult> {
  const child = spawnGokac(args, options.cwd ?? repoRoot);
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdin?.end(options.stdin ?? "");
  return new Promise((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** A long-running `gokac` (e.g. `run`): its output so far, and how to stop or kill it. */
export interface GokacProcess {
  readonly child: ChildProcess;
  /** Resolves with the exit code once the process has exited. */
  readonly exited: Promise<number | null>;
  output(): string;
  /** Resolves once stderr or stdout contains `text`; rejects if the process exits first. */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
  /** Sends `signal` and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `gokac args…` in the background. */
export function startGokac(args: readonly string[], options: { cwd?: string } = {}): GokacProcess {
  const child = spawnGokac(args, options.cwd ?? repoRoot);
  child.stdin?.end();
  let output = "";
  const waiters = new Set<() => void>();
  const onData = (d: Buffer) => {
    output += d.toString();
    for (const w of waiters) w();
  };
  child.stdout?.on("data", onData);
  child.stderr?.on("data", onData);
  const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
  return {
    child,
    exited,
    output: () => output,
    waitFor(text, timeoutMs = 60_000) {
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => done(new Error(`timed out waiting for "${text}" in gokac output:\n${output}`)), timeoutMs);
        const check = () => output.includes(text) && done();
        const done = (error?: Error) => {
          clearTimeout(timer);
          waiters.delete(check);
          if (error === undefined) resolve();
          else reject(error);
        };
        waiters.add(check);
        void exited.then((code) =>
          done(output.includes(text) ? undefined : new Error(`gokac exited (${code}) before "${text}":\n${output}`)),
        );
        check();
      });
    },
    async stop(signal = "SIGTERM") {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}
