/**
 * `gokac graph [specs] [--format mermaid|dot|json]`: prints the whole
 * topology (groups, topics, tables, who feeds whom). Exit 0, 1 when the
 * specs have errors (printed to stderr), 2 on bad usage.
 */
import type { Command } from "commander";
import {
  analyze,
  buildTopology,
  formatDiagnostics,
  GRAPH_FORMATS,
  hasErrors,
  renderTopology,
  type GraphFormat,
} from "../../compiler/index.js";
import type { ExitStatus } from "../exit.js";
import type { CommandIo } from "../io/command-io.js";
import { readSpecFolder, unreadableSpecFiles } from "../io/read-specs.js";
import type { CommandContext } from "../program.js";
import { resolveSpecs } from "../io/project-config.js";

/** Prints the topology of `specs`; resolves with the exit status. */
export async function graphCommandAction(io: CommandIo, specs: string, options: { format: GraphFormat }): Promise<ExitStatus> {
  const unreadable: string[] = [];
  const result = analyze(readSpecFolder(io.cwd, specs, undefined, unreadable));
  const diagnostics = [...unreadableSpecFiles(unreadable), ...result.diagnostics];
  if (diagnostics.length > 0) io.stderr(formatDiagnostics(diagnostics, "text"));
  if (result.model === undefined || hasErrors(diagnostics)) return 1;
  io.stdout(renderTopology(buildTopology(result.model), options.format));
  return 0;
}

/** Registers `graph` on the gokac program. */
export function registerGraphCommand(program: Command, { io, run }: CommandContext): void {
  const command = program
    .command("graph")
    .description("print the whole topology: groups, topics, tables, and which group feeds which")
    .argument("[specs]", 'spec folder (default: "gokac.specs" of package.json)');
  command
    .addOption(command.createOption("--format <format>", "output format").choices(GRAPH_FORMATS).default("mermaid"))
    .action(async (specs: string | undefined, options: { format: GraphFormat }) => {
      await run(() => graphCommandAction(io, resolveSpecs(io.cwd, specs), options), "internal");
    });
}
