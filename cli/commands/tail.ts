/**
 * `gokac tail <specs> <topic> [--from beginning|end] [--max N] [--timeout S]`:
 * prints a topic's messages as `key<TAB>value` lines, the value as JSON in
 * `emit`'s input format (so `gokac tail … | gokac emit …` copies messages),
 * decoded with the topic's codec from the built output; `null` for a
 * tombstone. Partitions are read side by side, each in offset order.
 *
 * - A topic the specs do not know (e.g. a dead-letter topic) and a value its
 *   codec refuses are printed raw: a JSON string when the bytes are UTF-8,
 *   else `{"base64":"…"}`.
 * - Dead letters: a message with `gokac.error.*` headers also gets one line
 *   on stderr, `dead letter <topic>/<partition>@<offset> <key>: {json}`
 *   (the headers without their prefix), so stdout stays pipeable.
 * - Stops after `--max` messages, after `--timeout` seconds without a new
 *   message, or on SIGINT/SIGTERM; exit 0.
 */
import type { Command } from "commander";
import type { PartitionReader } from "../../runtime/index.js";
import { toCliJson } from "../cli-value.js";
import { UsageError, type ExitStatus } from "../exit.js";
import type { CommandIo } from "../io/command-io.js";
import { loadGeneratedTopics, type GeneratedTopic } from "../io/load-generated.js";
import { resolveOut } from "../io/project-config.js";
import { brokersOption, clusterOptions, kafkaConfigOption, outOption, positiveNumber } from "../options.js";
import type { CommandContext } from "../program.js";
import { loadRuntime } from "../runtime.js";
import { specModelOrReport } from "./cluster-common.js";

/** Options of `tail` as commander passes them. */
export interface TailOptions {
  brokers?: string;
  kafkaConfig?: string;
  out?: string;
  from?: string;
  max?: string;
  timeout?: string;
}

const ERROR_HEADER = "gokac.error.";
const utf8 = new TextDecoder("utf-8", { fatal: true });

function raw(bytes: Uint8Array): string {
  try {
    return JSON.stringify(utf8.decode(bytes));
  } catch {
    return JSON.stringify({ base64: Buffer.from(bytes).toString("base64") });
  }
}

function valueText(topic: GeneratedTopic | undefined, value: Uint8Array | null): string {
  if (value === null) return "null";
  if (topic === undefined) return raw(value);
  try {
    return toCliJson(topic.codec.decode(value));
  } catch {
    return raw(value);
  }
}

/** The command body; resolves with the exit status. */
export async function tailCommandAction(io: CommandIo, specs: string, topicName: string, options: TailOptions): Promise<ExitStatus> {
  const from = options.from ?? "beginning";
  if (from !== "beginning" && from !== "end") throw new UsageError(`--from must be beginning or end, got ${from}`);
  const max = positiveNumber(options.max, "--max", true);
  const timeout = positiveNumber(options.timeout, "--timeout", false);
  const cluster = await clusterOptions(io, options, "tail");
  const model = specModelOrReport(io, specs);
  if (model === undefined) return 1;
  const topic = (await loadGeneratedTopics(io, resolveOut(io.cwd, options.out))).get(topicName);

  const runtime = await loadRuntime(io);
  const broker = runtime.createKafkaBroker(cluster);
  const readers: PartitionReader[] = [];
  let printed = 0;
  try {
    const partitions = await broker.partitionCount(topicName);
    if (partitions === undefined) {
      io.stderr(`gokac: topic ${topicName} does not exist on the cluster\n`);
      return 1;
    }
    for (let p = 0; p < partitions; p++)
      readers.push(await broker.reader(topicName, p, from === "end" ? await broker.highWatermark(topicName, p) : 0));
    let stopped = false;
    void io.stopSignal.then(() => (stopped = true));
    let lastMessage = Date.now();
    while (!stopped && (max === undefined || printed < max) && (timeout === undefined || Date.now() - lastMessage < timeout * 1000)) {
      let any = false;
      for (const reader of readers) {
        const messages = await reader.next(readers.length > 1 ? 50 : 200);
        for (const m of messages) {
          if (max !== undefined && printed >= max) break;
          any = true;
          printed++;
          io.stdout(`${m.key}\t${valueText(topic, m.value)}\n`);
          const errors = Object.entries(m.headers).filter(([name]) => name.startsWith(ERROR_HEADER));
          if (errors.length > 0) {
            const fields = Object.fromEntries(
              errors.map(([name, v]) => [name.slice(ERROR_HEADER.length), Buffer.from(v).toString("utf8")]),
            );
            io.stderr(`dead letter ${topicName}/${m.partition}@${m.offset} ${m.key}: ${JSON.stringify(fields)}\n`);
          }
        }
      }
      if (any) lastMessage = Date.now();
    }
  } finally {
    await Promise.all(readers.map((r) => r.close()));
    await broker.close();
  }
  io.stderr(`read ${printed} message${printed === 1 ? "" : "s"} from ${topicName}\n`);
  return 0;
}

/** Registers `tail` on the gokac program. */
export function registerTailCommand(program: Command, { io, run }: CommandContext): void {
  const command = program
    .command("tail")
    .description(
      "print a topic's messages as key<TAB>value lines (value as JSON, emit's input format); dead letters' error headers on stderr",
    )
    .argument("<specs>", "spec folder")
    .argument("<topic>", "topic to read");
  command
    .option("--from <where>", "beginning or end", "beginning")
    .option("--max <n>", "stop after n messages")
    .option("--timeout <seconds>", "stop after this many seconds without a new message")
    .addOption(brokersOption(command))
    .addOption(kafkaConfigOption(command))
    .addOption(outOption(command))
    .action(async (specs: string, topic: string, options: TailOptions) => {
      await run(() => tailCommandAction(io, specs, topic, options), "failure");
    });
}
