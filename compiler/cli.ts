/**
 * The gokac command line. `main(argv)` runs one command and resolves with its
 * exit status (0 ok, 1 failure in the user's input or cluster, 2 bad usage or
 * an internal failure); `bin/gokac.js` sets `process.exitCode` from it. Never
 * exits the process itself.
 *
 * Adding a command is one line in COMMANDS: a `register…Command(program, io)`
 * function from `compiler/commands/`.
 */
import { Command, CommanderError } from "commander";
import { registerBuildCommand } from "./commands/build.js";
import type { CommandIo } from "./commands/cluster-common.js";
import { registerEmitCommand } from "./commands/emit.js";
import { registerGetCommand } from "./commands/get.js";
import { registerGraphCommand } from "./commands/graph.js";
import { createProcessCommandIo } from "./commands/process-io.js";
import { registerRunCommand } from "./commands/run.js";
import { registerSchemaCommand } from "./commands/schema.js";
import { registerTopicsCommand } from "./commands/topics.js";

/** Registers one command on the program. */
export type RegisterCommand = (program: Command, io: CommandIo) => void;

/** Every gokac command, in the order `--help` lists them. */
export const COMMANDS: readonly RegisterCommand[] = [
  registerBuildCommand,
  registerSchemaCommand,
  registerGraphCommand,
  registerTopicsCommand,
  registerRunCommand,
  registerEmitCommand,
  registerGetCommand,
];

/** The program with every command registered, writing through `io`; commander errors are thrown, not exits. */
export function createProgram(io: CommandIo, commands: readonly RegisterCommand[] = COMMANDS): Command {
  const program = new Command("gokac")
    .description("Goka-style stateful Kafka stream processors for TypeScript: compile specs, run groups")
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout(text), writeErr: (text) => io.stderr(text) })
    .showHelpAfterError("(run gokac --help for usage)");
  for (const register of commands) register(program, io);
  for (const command of program.commands) command.exitOverride();
  return program;
}

/**
 * Runs `gokac` with `argv` (without the node and script paths) and resolves
 * with the exit status. `io` defaults to this process's streams and signals.
 */
export async function main(argv: readonly string[], io?: CommandIo): Promise<number> {
  const processIo = io === undefined ? createProcessCommandIo() : undefined;
  let code = 0;
  const commandIo: CommandIo = io ?? (processIo as { io: CommandIo }).io;
  // A Proxy rather than a copy: `stdin` and `stopSignal` are lazy getters (signal handlers are installed on first use).
  const captured: CommandIo = new Proxy(commandIo, {
    get(target, key, receiver) {
      if (key === "setExitCode") return (c: 0 | 1 | 2) => { code = c; target.setExitCode(c); };
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  const program = createProgram(captured);
  if (argv.length === 0) {
    program.outputHelp({ error: true });
    return 2;
  }
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    captured.stderr(`gokac: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 2;
  }
  return code;
}
