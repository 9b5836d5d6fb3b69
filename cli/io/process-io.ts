/**
 * The real process behind `CommandIo`, for cli/main.ts: process streams,
 * the environment, and SIGINT/SIGTERM as the stop signal (handlers installed
 * only when a command waits for it, i.e. `gokac run`).
 */
import process from "node:process";
import type { CommandIo } from "./command-io.js";

/** A CommandIo on this process. */
export function createProcessCommandIo(): CommandIo {
  let stop: Promise<void> | undefined;
  return {
    cwd: process.cwd(),
    env: process.env,
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    get stdin() {
      return process.stdin;
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
}
