/**
 * The gokac command line. `main(argv)` runs one command and resolves with its
 * exit status (0 ok, 1 failure in the user's input or cluster, 2 bad usage or
 * an internal failure; see exit.ts); `bin/gokac.js` sets `process.exitCode`
 * from it. Never exits the process itself. Commands are registered in program.ts.
 *
 * Only what a command needs is loaded: `gokac build` runs without commander,
 * and an up-to-date build is answered from the build cache before the
 * compiler loads.
 */
import type { ExitStatus } from "./exit.js";
import type { CommandIo } from "./io/command-io.js";
import { createProcessCommandIo } from "./io/process-io.js";

/** Commander's usage errors and help/version exits (checked structurally: commander is loaded lazily). */
function isCommanderError(error: unknown): error is { readonly exitCode: number } {
  if (typeof error !== "object" || error === null || !("code" in error) || !("exitCode" in error)) return false;
  return typeof error.code === "string" && error.code.startsWith("commander.") && typeof error.exitCode === "number";
}

/**
 * Runs `gokac` with `argv` (without the node and script paths) and resolves
 * with the exit status. `io` defaults to this process's streams and signals.
 */
export async function main(argv: readonly string[], io: CommandIo = createProcessCommandIo()): Promise<ExitStatus> {
  try {
    if (argv[0] === "build") {
      // A well-formed build runs without commander (build-flags.ts); commander only reports usage errors and help.
      const { parseBuildArgs } = await import("./commands/build-flags.js");
      const parsed = parseBuildArgs(argv.slice(1));
      if (parsed !== undefined) {
        const [{ buildCommandAction }, { runAction }] = await Promise.all([import("./commands/build.js"), import("./exit.js")]);
        return await runAction(io, () => buildCommandAction(io, parsed.specs, parsed.options), "internal");
      }
    }
    const { createProgram } = await import("./program.js");
    const { program, status } = createProgram(io);
    if (argv.length === 0) {
      program.outputHelp({ error: true });
      return 2;
    }
    await program.parseAsync([...argv], { from: "user" });
    return status();
  } catch (error) {
    if (isCommanderError(error)) return error.exitCode === 0 ? 0 : 2;
    io.stderr(`gokac: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 2;
  }
}
