/**
 * `gokac emit [specs] <topic> [<key> <value>] --brokers LIST [--out DIR]`:
 * sends one message, or every `key<TAB>value` line of standard input in
 * order, encoded with the topic's codec from the built output. A value that
 * does not parse or does not match the topic's type is refused (exit 1)
 * before anything of its batch is sent.
 */
import type { Command } from "commander";
import { parseCliValue, ValueError } from "../cli-value.js";
import { UsageError, type ExitStatus } from "../exit.js";
import type { CommandIo } from "../io/command-io.js";
import { loadGeneratedTopics, type GeneratedTopic } from "../io/load-generated.js";
import { brokersOption, outOption, clusterOptions, kafkaConfigOption } from "../options.js";
import type { CommandContext } from "../program.js";
import { resolveOut, resolveSpecs } from "../io/project-config.js";
import { isFolder } from "../io/read-specs.js";
import { loadRuntime } from "../runtime.js";
import { specModelOrReport } from "./cluster-common.js";

/** Lines sent per batch when reading standard input. */
const BATCH = 2_000;

/** The value of `text` for `topic` as `gokac emit` reads it (JSON; a plain word for string topics), checked by encoding it; ValueError when refused. */
export function encodeChecked(topic: GeneratedTopic, text: string, where: string): unknown {
  try {
    // JSON codecs read the text as the topic's consumers will: their decode refuses integers a
    // number cannot hold exactly (and checks the schema) instead of rounding them in JSON.parse.
    const json = topic.codec.name === "json" || topic.codec.name.startsWith("json:");
    const value = json ? topic.codec.decode(new TextEncoder().encode(text)) : parseCliValue(topic.codec.name, text);
    topic.codec.encode(value);
    return value;
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new ValueError(`${where}value refused for ${topic.name} (${topic.codec.name}): ${why}`);
  }
}

/** The lines of a text stream, without their line endings. */
export async function* lines(input: AsyncIterable<string | Buffer>): AsyncGenerator<string> {
  let rest = "";
  for await (const chunk of input) {
    rest += typeof chunk === "string" ? chunk : chunk.toString("utf8");
    const parts = rest.split("\n");
    rest = parts.pop() ?? "";
    for (const line of parts) yield line.replace(/\r$/, "");
  }
  if (rest !== "") yield rest.replace(/\r$/, "");
}

/** The command body; resolves with the exit status. */
export async function emitCommandAction(
  io: CommandIo,
  specs: string,
  topicName: string,
  key: string | undefined,
  value: string | undefined,
  options: { brokers?: string; kafkaConfig?: string; out?: string },
): Promise<ExitStatus> {
  if (key !== undefined && value === undefined)
    throw new UsageError("give both <key> and <value>, or neither to read key<TAB>value lines from standard input");
  const cluster = await clusterOptions(io, options, "emit");
  const model = specModelOrReport(io, specs);
  if (model === undefined) return 1;
  const topics = await loadGeneratedTopics(io, resolveOut(io.cwd, options.out));
  const topic = topics.get(topicName);
  if (topic === undefined) {
    io.stderr(`gokac: topic ${topicName} is not known to the specs in ${specs} (known: ${[...topics.keys()].join(", ")})\n`);
    return 1;
  }
  // Refuse a bad single value before connecting anywhere.
  const single = key !== undefined && value !== undefined ? encodeChecked(topic, value, "") : undefined;

  const runtime = await loadRuntime(io);
  const broker = runtime.createKafkaBroker(cluster);
  const emitter = runtime.createEmitter(broker, topic);
  let sent = 0;
  try {
    if (key !== undefined) {
      await emitter.emit(key, single);
      sent = 1;
    } else {
      let batch: [string, unknown][] = [];
      let lineNo = 0;
      const flush = async () => {
        if (batch.length === 0) return;
        // One produce request per batch, in line order; the next batch waits for its acks.
        await emitter.emitMany(batch.map(([k, v]) => ({ key: k, value: v })));
        sent += batch.length;
        batch = [];
      };
      for await (const line of lines(io.stdin)) {
        lineNo++;
        if (line.trim() === "") continue;
        const tab = line.indexOf("\t");
        if (tab < 0) throw new ValueError(`line ${lineNo}: expected key<TAB>value`);
        batch.push([line.slice(0, tab), encodeChecked(topic, line.slice(tab + 1), `line ${lineNo}: `)]);
        if (batch.length >= BATCH) await flush();
      }
      await flush();
    }
  } catch (error) {
    if (error instanceof ValueError) {
      io.stderr(`gokac: ${error.message}${sent > 0 ? ` (${sent} earlier messages were sent)` : ""}\n`);
      return 1;
    }
    throw error;
  } finally {
    await emitter.close();
    await broker.close();
  }
  io.stderr(`sent ${sent} message${sent === 1 ? "" : "s"} to ${topicName}\n`);
  return 0;
}

/** Registers `emit` on the gokac program. */
export function registerEmitCommand(program: Command, { io, run }: CommandContext): void {
  const command = program
    .command("emit")
    .description("send a message (value as JSON, a plain word for string topics), or key<TAB>value lines from stdin")
    .argument("[specs]", 'spec folder (default: "gokac.specs" of package.json; give it when giving 2 or 4 arguments)')
    .argument("[topic]", "topic to send to (required)")
    .argument("[key]", "message key")
    .argument("[value]", "message value");
  command
    .addOption(brokersOption(command))
    .addOption(kafkaConfigOption(command))
    .addOption(outOption(command))
    .action(
      async (
        first: string,
        second: string | undefined,
        third: string | undefined,
        fourth: string | undefined,
        options: { brokers?: string; kafkaConfig?: string; out?: string },
      ) => {
        // [specs] topic [key value]: with 2 or 4 arguments the first is the spec folder, with 1 or 3 it is the default
        const args = [first, second, third, fourth].filter((a): a is string => a !== undefined);
        await run(async () => {
          if (args.length === 0) throw new UsageError("missing argument: the topic to send to");
          // `specs topic key` (a folder first, a value missing) stays the usage error it always was
          const explicit = args.length % 2 === 0 || (args.length === 3 && isFolder(io.cwd, args[0] ?? ""));
          const specs = resolveSpecs(io.cwd, explicit ? args[0] : undefined);
          const [topic, key, value] = explicit ? args.slice(1) : args;
          return emitCommandAction(io, specs, topic ?? "", key, value, options);
        }, "failure");
      },
    );
}
