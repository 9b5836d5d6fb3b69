/**
 * The real process behind `CommandIo`, for compiler/cli.ts: process streams,
 * the environment, and SIGINT/SIGTERM as the stop signal (handlers installed
 * only when a command waits for it, i.e. `gokac run`).
 */
import process from "node:process";
import type { CommandIo } from "../commands/cluster-common.js";

/** A CommandIo on this process, plus the exit status the command set (0 until it sets one). */
export function createProcessCommandIo(): { readonly io: CommandIo; exitCode(): number } {
  let code = 0;
  let stop: Promise<void> | undefined;
  const io: CommandIo = {
    cwd: process.cwd(),
    env: process.env,
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    get stdin() {
      return process.stdin;
    },
    setExitCode: (c) => {
      code = c;
    },
    get stopSignal() {
      stop ??= new Promise<void>((resolve) => {
        const onSignal = () => {
          process.off("SIGINT", onSignal);
          process.off("SIGTERM", onSignal);
          resolve();
        };
        process.on("SIGINT", onSignal);
        process.on("SIGTERM", onSignal);
      });
      return stop;
    },
  };
  return { io, exitCode: () => code };
}
