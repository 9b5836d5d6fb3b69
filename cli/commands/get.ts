/**
 * `gokac get <specs> <table> <key> --brokers LIST [--out DIR]`: prints a
 * table's value for a key as JSON (`null` when absent), read through a view
 * that recovers the table from the cluster.
 */
import type { Command } from "commander";
import { tableTopic, type SpecModel } from "../../compiler/index.js";
import { toCliJson } from "../cli-value.js";
import type { ExitStatus } from "../exit.js";
import type { CommandIo } from "../io/command-io.js";
import { loadGeneratedTopics } from "../io/load-generated.js";
import { brokersOption, DEFAULT_OUT, outOption, clusterOptions, kafkaConfigOption } from "../options.js";
import type { CommandContext } from "../program.js";
import { loadRuntime } from "../runtime.js";
import { analyzeSpecFolder, reportDiagnostics } from "./cluster-common.js";

/** The tables the specs know: every group table, and every joined or looked-up table. */
function knownTables(model: SpecModel): string[] {
  const tables = new Set<string>();
  for (const g of model.groups) {
    if (g.persist !== undefined) tables.add(tableTopic(g.name));
    for (const t of [...g.joins, ...g.lookups]) tables.add(t.table);
  }
  return [...tables];
}

/** The command body; resolves with the exit status. */
export async function getCommandAction(io: CommandIo, specs: string, table: string, key: string, options: { brokers?: string; kafkaConfig?: string; out?: string }): Promise<ExitStatus> {
  const cluster = await clusterOptions(io, options, "get");
  const analyzed = analyzeSpecFolder(io, specs);
  if (analyzed.model === undefined || reportDiagnostics(io, analyzed.diagnostics.filter((d) => d.severity === "error"))) return 1;
  const topics = await loadGeneratedTopics(io, options.out ?? DEFAULT_OUT);
  const spec = topics.get(table);
  if (spec === undefined) {
    const tables = knownTables(analyzed.model).filter((t) => topics.has(t));
    io.stderr(`gokac: table ${table} is not known to the specs in ${specs} (tables: ${tables.join(", ") || "none"})\n`);
    return 1;
  }
  const runtime = await loadRuntime(io);
  const broker = runtime.createKafkaBroker(cluster);
  try {
    const view = runtime.createView(broker, spec);
    try {
      await view.start();
      io.stdout(`${toCliJson(await view.get(key))}\n`);
    } finally {
      await view.stop();
    }
  } finally {
    await broker.close();
  }
  return 0;
}

/** Registers `get` on the gokac program. */
export function registerGetCommand(program: Command, { io, run }: CommandContext): void {
  const command = program
    .command("get")
    .description("print a table's value for a key as JSON (null when absent), read through a view")
    .argument("<specs>", "spec folder")
    .argument("<table>", "table topic, e.g. clicks-table")
    .argument("<key>", "key");
  command
    .addOption(brokersOption(command))
    .addOption(kafkaConfigOption(command))
    .addOption(outOption(command))
    .action(async (specs: string, table: string, key: string, options: { brokers?: string; kafkaConfig?: string; out?: string }) => {
      await run(() => getCommandAction(io, specs, table, key, options), "failure");
    });
}
