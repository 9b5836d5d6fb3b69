/**
 * Runs the body of a compiler command (build, schema, graph): its exit status
 * on success; any exception is an internal failure, printed and mapped to 2.
 */
import type { CommandIo } from "./commands/cluster-common.js";

/** Sets `io`'s exit code from `body`, 2 if it throws. */
export async function runCompilerCommand(io: CommandIo, body: () => Promise<0 | 1 | 2>): Promise<void> {
  try {
    io.setExitCode(await body());
  } catch (error) {
    io.stderr(`gokac: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    io.setExitCode(2);
  }
}
