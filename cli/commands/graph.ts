/**
 * `gokac graph <specs> [--format mermaid|dot|json]`: prints the whole
 * topology (groups, topics, tables, who feeds whom). Exit 0, 1 when the
 * specs have errors (printed to stderr), 2 on bad usage.
 */
import { Option, type Command } from "commander";
import { analyze } from "../../compiler/analyze.js";
import { diagnostic, hasErrors } from "../../compiler/diagnostics/catalogue.js";
import { GRAPH_FORMATS, renderTopology, type GraphFormat } from "../../compiler/emit/render-topology.js";
import { formatDiagnostics } from "../../compiler/diagnostics/format.js";
import { readSpecFolder } from "../io/read-specs.js";
import { buildTopology } from "../../compiler/model/topology.js";
import type { CommandIo } from "./cluster-common.js";
import { runCompilerCommand } from "../exit.js";

/** Prints the topology of `specs`; resolves with the exit status. */
export async function graphCommandAction(io: CommandIo, specs: string, options: { format: GraphFormat }): Promise<0 | 1> {
  const unreadable: string[] = [];
  const result = analyze(readSpecFolder(io.cwd, specs, undefined, unreadable));
  const diagnostics = [
    ...unreadable.map((file) => diagnostic("GK003", { file, line: 1, column: 1, pointer: "" }, `spec file ${file} cannot be read`)),
    ...result.diagnostics,
  ];
  if (diagnostics.length > 0) io.stderr(formatDiagnostics(diagnostics, "text"));
  if (result.model === undefined || hasErrors(diagnostics)) return 1;
  io.stdout(renderTopology(buildTopology(result.model), options.format));
  return 0;
}

/** Registers `graph` on the gokac program. */
export function registerGraphCommand(program: Command, io: CommandIo): void {
  program
    .command("graph")
    .description("print the whole topology: groups, topics, tables, and which group feeds which")
    .argument("<specs>", "spec folder")
    .addOption(new Option("--format <format>", "output format").choices(GRAPH_FORMATS).default("mermaid"))
    .action(async (specs: string, options: { format: GraphFormat }) => {
      await runCompilerCommand(io, () => graphCommandAction(io, specs, options));
    });
}
