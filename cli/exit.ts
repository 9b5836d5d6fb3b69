/**
 * The exit status of `gokac`, decided in one way only: a command's body
 * RETURNS its status (0 ok, 1 a failure in the user's input or cluster,
 * 2 bad usage or an internal failure). The body may throw `UsageError` for
 * bad usage (exit 2, message printed); anything else it throws is mapped by
 * the command's `unexpected` kind: `failure` (cluster commands: the cluster
 * or the build refused, exit 1, message printed) or `internal` (compiler
 * commands: a bug, exit 2, stack printed). `runAction` applies that mapping
 * and hands the status to `program.ts`, which gives it to `main`; nothing
 * else sets the process's exit code (bin/gokac.js sets it from `main`).
 */
import type { CommandIo } from "./io/command-io.js";

/** An exit status of gokac. */
export type ExitStatus = 0 | 1 | 2;

/** Bad usage (unknown topic, missing --brokers, …): exit 2, its message printed. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** How a command's unexpected exceptions count: a failure of the cluster/input (1) or an internal error (2). */
export type UnexpectedKind = "failure" | "internal";

/** Runs a command body and resolves with its exit status; never rejects. */
export async function runAction(io: CommandIo, body: () => Promise<ExitStatus>, unexpected: UnexpectedKind): Promise<ExitStatus> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`gokac: ${error.message}\n`);
      return 2;
    }
    if (unexpected === "internal") {
      io.stderr(`gokac: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      return 2;
    }
    io.stderr(`gokac: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
