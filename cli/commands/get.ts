/**
 * `gokac get <specs> <table> <key> --brokers LIST [--out DIR]`: prints a
 * table's value for a key as JSON (`null` when absent), read through a view
 * that recovers the table from the cluster.
 */
import type { Command } from "commander";
import { analyzeSpecFolder, kafkaOptions, reportDiagnostics, resolveBrokers, runCommand, type CommandIo } from "./cluster-common.js";
import { loadGeneratedTopics } from "../io/load-generated.js";
import { toCliJson } from "../cli-value.js";
import { loadRuntime } from "../runtime.js";

/** The command body; resolves with the exit status. */
export async function getCommandAction(io: CommandIo, specs: string, table: string, key: string, options: { brokers?: string; out?: string }): Promise<0 | 1 | 2> {
  const brokers = resolveBrokers(io, options.brokers);
  const analyzed = analyzeSpecFolder(io, specs);
  if (analyzed.model === undefined || reportDiagnostics(io, analyzed.diagnostics.filter((d) => d.severity === "error"))) return 1;
  const topics = await loadGeneratedTopics(io, options.out ?? "generated");
  const spec = topics.get(table);
  if (spec === undefined) {
    const tables = [...topics.keys()].filter((t) => t.endsWith("-table"));
    io.stderr(`gokac: table ${table} is not known to the specs in ${specs} (tables: ${tables.join(", ") || "none"})\n`);
    return 1;
  }
  const runtime = await loadRuntime(io.loadRuntime, "createKafkaBroker", "createView");
  const broker = runtime.createKafkaBroker(kafkaOptions(io, brokers, "get"));
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
export function registerGetCommand(program: Command, io: CommandIo): void {
  program
    .command("get")
    .description("print a table's value for a key as JSON (null when absent), read through a view")
    .argument("<specs>", "spec folder")
    .argument("<table>", "table topic, e.g. clicks-table")
    .argument("<key>", "key")
    .option("--brokers <list>", "Kafka bootstrap brokers, host:port[,host:port…] (default: $GOKAC_BROKERS)")
    .option("--out <dir>", "the build's output folder", "generated")
    .action(async (specs: string, table: string, key: string, options: { brokers?: string; out?: string }) => {
      await runCommand(io, () => getCommandAction(io, specs, table, key, options));
    });
}
