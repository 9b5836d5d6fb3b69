/**
 * `gokac get [specs] <table> <key> --brokers LIST [--out DIR]`: prints a
 * table's value for a key as JSON (`null` when absent), read through a view
 * that recovers the table from the cluster. Only tables are answered: a
 * topic that is not a group table is refused (exit 1) with the known tables.
 * int64 values are printed exactly, as JSON numbers with every digit
 * (`toCliJson`; `emit` takes them back the same way).
 */
import type { Command } from "commander";
import { tableTopic, type SpecModel } from "../../compiler/index.js";
import { toCliJson } from "../cli-value.js";
import { UsageError, type ExitStatus } from "../exit.js";
import type { CommandIo } from "../io/command-io.js";
import { loadGeneratedTopics } from "../io/load-generated.js";
import { brokersOption, outOption, clusterOptions, kafkaConfigOption } from "../options.js";
import type { CommandContext } from "../program.js";
import { resolveOut, resolveSpecs } from "../io/project-config.js";
import { loadRuntime } from "../runtime.js";
import { specModelOrReport } from "./cluster-common.js";

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
export async function getCommandAction(
  io: CommandIo,
  specs: string,
  table: string,
  key: string,
  options: { brokers?: string; kafkaConfig?: string; out?: string },
): Promise<ExitStatus> {
  const cluster = await clusterOptions(io, options, "get");
  const model = specModelOrReport(io, specs);
  if (model === undefined) return 1;
  const tables = knownTables(model);
  if (!tables.includes(table)) {
    const isTopic =
      model.topics.has(table) ||
      model.groups.some((g) => g.inputs.some((i) => i.topics.some((t) => t.value === table)) || g.outputs.some((o) => o.topic === table));
    const what = isTopic ? `${table} is a topic, not a table` : `table ${table} is not known to the specs in ${specs}`;
    io.stderr(`gokac: ${what}; get reads tables only (tables: ${tables.join(", ") || "none"})\n`);
    return 1;
  }
  const out = resolveOut(io.cwd, options.out);
  const topics = await loadGeneratedTopics(io, out);
  const spec = topics.get(table);
  if (spec === undefined) {
    // the specs know the table but the build does not: the wrong output folder, or a stale build
    io.stderr(
      `gokac: table ${table} is in the specs but not in the build in ${out}: is --out right (the folder gokac build wrote)? else run gokac build\n`,
    );
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
    .argument("[specs]", 'spec folder (default: "gokac.specs" of package.json; give it when giving 3 arguments)')
    .argument("[table]", "table topic, e.g. clicks-table (required)")
    .argument("[key]", "key (required)");
  command
    .addOption(brokersOption(command))
    .addOption(kafkaConfigOption(command))
    .addOption(outOption(command))
    .action(
      async (
        first: string | undefined,
        second: string | undefined,
        third: string | undefined,
        options: { brokers?: string; kafkaConfig?: string; out?: string },
      ) => {
        await run(async () => {
          // [specs] table key: with 3 arguments the first is the spec folder, with 2 it is the default
          const args = [first, second, third].filter((a): a is string => a !== undefined);
          if (args.length < 2)
            throw new UsageError("missing argument: give <table> <key> (after the spec folder, unless package.json sets gokac.specs)");
          const [table, key] = args.length === 3 ? args.slice(1) : args;
          return getCommandAction(io, resolveSpecs(io.cwd, args.length === 3 ? args[0] : undefined), table ?? "", key ?? "", options);
        }, "failure");
      },
    );
}
