/**
 * The commander program of `gokac` with every command registered. Adding a
 * command is one line in COMMANDS: a `register…Command(program, context)`
 * from `cli/commands/`. Loaded by main.ts only when a command really runs.
 *
 * Exit status (see exit.ts): a command's action calls `context.run(body,
 * kind)`; the body returns the status, `run` maps exceptions and records
 * the status, and `main` returns what was recorded.
 */
import { readFileSync } from "node:fs";
import { Command } from "commander";
import { registerBreakingCommand } from "./commands/breaking.js";
import { registerBuildCommand } from "./commands/build.js";
import { registerDevCommand } from "./commands/dev.js";
import { registerEmitCommand } from "./commands/emit.js";
import { registerGetCommand } from "./commands/get.js";
import { registerGraphCommand } from "./commands/graph.js";
import { registerReplayCommand } from "./commands/replay.js";
import { registerInitCommand } from "./commands/init.js";
import { registerRunCommand } from "./commands/run.js";
import { registerSchemaCommand } from "./commands/schema.js";
import { registerTailCommand } from "./commands/tail.js";
import { registerTestCommand } from "./commands/test.js";
import { registerTopicsCommand } from "./commands/topics.js";
import { runAction, type ExitStatus, type UnexpectedKind } from "./exit.js";
import type { CommandIo } from "./io/command-io.js";

/** What a command's registration gets: the I/O, and the one way to run its body. */
export interface CommandContext {
  readonly io: CommandIo;
  /** Runs the command's body (its returned status, exceptions mapped by `unexpected`) and records the status for `main`. */
  run(body: () => Promise<ExitStatus>, unexpected: UnexpectedKind): Promise<void>;
}

/** Registers one command on the program. */
export type RegisterCommand = (program: Command, context: CommandContext) => void;

/** Every gokac command, in the order `--help` lists them. */
export const COMMANDS: readonly RegisterCommand[] = [
  registerInitCommand,
  registerBuildCommand,
  registerSchemaCommand,
  registerGraphCommand,
  registerTopicsCommand,
  registerRunCommand,
  registerDevCommand,
  registerEmitCommand,
  registerGetCommand,
  registerBreakingCommand,
  registerTailCommand,
  registerReplayCommand,
  registerTestCommand,
];

/** The `version` of gokac's package.json (two folders up from this file, in the sources and in dist/ alike). */
export function gokacVersion(): string {
  for (const up of ["../package.json", "../../package.json"]) {
    try {
      const manifest = JSON.parse(readFileSync(new URL(up, import.meta.url), "utf8")) as { name?: unknown; version?: unknown };
      if (manifest.name === "gokac" && typeof manifest.version === "string") return manifest.version;
    } catch {
      // not this folder
    }
  }
  return "unknown";
}

/** A program ready to parse, and the exit status of the command it ran (0 until one ran). */
export interface CliProgram {
  readonly program: Command;
  status(): ExitStatus;
}

/** The program with `commands` registered, writing through `io`; commander errors are thrown (exitOverride), never exits. */
export function createProgram(io: CommandIo, commands: readonly RegisterCommand[] = COMMANDS): CliProgram {
  let status: ExitStatus = 0;
  const context: CommandContext = {
    io,
    run: async (body, unexpected) => {
      status = await runAction(io, body, unexpected);
    },
  };
  const program = new Command("gokac")
    .description("Goka-style stateful Kafka stream processors for TypeScript: compile specs, run groups")
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout(text), writeErr: (text) => io.stderr(text) })
    .showHelpAfterError("(run gokac --help for usage)")
    .version(gokacVersion(), "-V, --version", "print gokac's version");
  for (const register of commands) register(program, context);
  for (const command of program.commands) command.exitOverride();
  return { program, status: () => status };
}
