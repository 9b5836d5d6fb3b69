/**
 * The commander program of `gokac` with every command registered. Adding a
 * command is one line in COMMANDS: a `register…Command(program, io)` from
 * `compiler/commands/`. Loaded by cli.ts only when a command really runs.
 */
import { readFileSync } from "node:fs";
import { Command } from "commander";
import { registerBuildCommand } from "./commands/build.js";
import type { CommandIo } from "./commands/cluster-common.js";
import { registerEmitCommand } from "./commands/emit.js";
import { registerGetCommand } from "./commands/get.js";
import { registerGraphCommand } from "./commands/graph.js";
import { registerRunCommand } from "./commands/run.js";
import { registerSchemaCommand } from "./commands/schema.js";
import { registerTailCommand } from "./commands/tail.js";
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
  registerTailCommand,
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

/** The program with `commands` registered, writing through `io`; commander errors are thrown (exitOverride), never exits. */
export function createProgram(io: CommandIo, commands: readonly RegisterCommand[] = COMMANDS): Command {
  const program = new Command("gokac")
    .description("Goka-style stateful Kafka stream processors for TypeScript: compile specs, run groups")
    .exitOverride()
    .configureOutput({ writeOut: (text) => io.stdout(text), writeErr: (text) => io.stderr(text) })
    .showHelpAfterError("(run gokac --help for usage)")
    .version(gokacVersion(), "-V, --version", "print gokac's version");
  for (const register of commands) register(program, io);
  for (const command of program.commands) command.exitOverride();
  return program;
}
