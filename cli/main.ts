/**
 * The gokac command line. `main(argv)` runs one command and resolves with its
 * exit status (0 ok, 1 failure in the user's input or cluster, 2 bad usage or
 * an internal failure); `bin/gokac.js` sets `process.exitCode` from it. Never
 * exits the process itself. Commands are registered in cli-program.ts.
 *
 * Only what a command needs is loaded: an up-to-date `gokac build` is
 * answered from the build cache before commander and the compiler load.
 */
import type { CommandIo } from "./commands/cluster-common.js";
import { createProcessCommandIo } from "./io/process-io.js";

/** Wraps `io` so that the exit status a command sets is also recorded. */
function recordExitCode(io: CommandIo): { io: CommandIo; code(): number } {
  let code = 0;
  // A Proxy rather than a copy: `stdin` and `stopSignal` are lazy getters (signal handlers are installed on first use).
  const wrapped = new Proxy(io, {
    get(target, key, receiver) {
      if (key === "setExitCode") {
        return (c: 0 | 1 | 2) => {
          code = c;
          target.setExitCode(c);
        };
      }
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  return { io: wrapped, code: () => code };
}

/** Commander's usage errors and help/version exits (checked structurally: commander is loaded lazily). */
function isCommanderError(error: unknown): error is { readonly exitCode: number } {
  if (typeof error !== "object" || error === null || !("code" in error) || !("exitCode" in error)) return false;
  return typeof error.code === "string" && error.code.startsWith("commander.") && typeof error.exitCode === "number";
}

/**
 * Runs `gokac` with `argv` (without the node and script paths) and resolves
 * with the exit status. `io` defaults to this process's streams and signals.
 */
export async function main(argv: readonly string[], io: CommandIo = createProcessCommandIo().io): Promise<number> {
  const recorded = recordExitCode(io);
  try {
    if (argv[0] === "build") {
      const { upToDateBuild } = await import("./commands/build-up-to-date.js");
      const fast = upToDateBuild(argv.slice(1), recorded.io);
      if (fast !== undefined) return fast;
    }
    const { createProgram } = await import("./program.js");
    const program = createProgram(recorded.io);
    if (argv.length === 0) {
      program.outputHelp({ error: true });
      return 2;
    }
    await program.parseAsync([...argv], { from: "user" });
  } catch (error) {
    if (isCommanderError(error)) return error.exitCode === 0 ? 0 : 2;
    recorded.io.stderr(`gokac: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 2;
  }
  return recorded.code();
}
