/**
 * `gokac replay <specs> <dead-letter-topic> [--max N]`: sends dead letters
 * back to the topics they failed on (from their `gokac.error.*` headers),
 * with their original key, value bytes and headers, each to its original
 * partition. Progress is committed as the consumer group
 * `gokac-replay.<dead-letter-topic>`, so a dead letter is replayed once; a
 * message that is not a dead letter, or whose topic is gone, is passed over
 * with a line on stderr. Exit 0 once what the topic held at the start (or
 * `--max` of it) was replayed.
 */
import type { Command } from "commander";
import type { ExitStatus } from "../exit.js";
import type { CommandIo } from "../io/command-io.js";
import { brokersOption, clusterOptions, kafkaConfigOption, positiveNumber } from "../options.js";
import type { CommandContext } from "../program.js";
import { loadRuntime } from "../runtime.js";
import { specModelOrReport } from "./cluster-common.js";

/** Options of `replay` as commander passes them. */
export interface ReplayCommandOptions {
  brokers?: string;
  kafkaConfig?: string;
  max?: string;
}

/** The command body; resolves with the exit status. */
export async function replayCommandAction(io: CommandIo, specs: string, topic: string, options: ReplayCommandOptions): Promise<ExitStatus> {
  const max = positiveNumber(options.max, "--max", true);
  const cluster = await clusterOptions(io, options, "replay");
  const model = specModelOrReport(io, specs);
  if (model === undefined) return 1;
  const runtime = await loadRuntime(io);
  const broker = runtime.createKafkaBroker(cluster);
  try {
    if ((await broker.partitionCount(topic)) === undefined) {
      io.stderr(`gokac: topic ${topic} does not exist on the cluster\n`);
      return 1;
    }
    const result = await runtime.replayDeadLetters(broker, topic, {
      ...(max === undefined ? {} : { max }),
      onSkipped: (m, reason) => io.stderr(`skipped ${topic}/${m.partition}@${m.offset} ${m.key}: ${reason}\n`),
    });
    const parts = Object.entries(result.replayed).map(([t, n]) => `${n} to ${t}`);
    const total = Object.values(result.replayed).reduce((a, b) => a + b, 0);
    io.stderr(
      `replayed ${total} dead letter${total === 1 ? "" : "s"}${parts.length > 0 ? ` (${parts.join(", ")})` : ""}${result.skipped > 0 ? `, skipped ${result.skipped}` : ""}\n`,
    );
    return 0;
  } finally {
    await broker.close();
  }
}

/** Registers `replay` on the gokac program. */
export function registerReplayCommand(program: Command, { io, run }: CommandContext): void {
  const command = program
    .command("replay")
    .description("send dead letters back to the topics they failed on (each once; progress kept as group gokac-replay.<topic>)")
    .argument("<specs>", "spec folder")
    .argument("<dead-letter-topic>", "the dead-letter topic to replay");
  command
    .option("--max <n>", "replay at most n dead letters")
    .addOption(brokersOption(command))
    .addOption(kafkaConfigOption(command))
    .action(async (specs: string, topic: string, options: ReplayCommandOptions) => {
      await run(() => replayCommandAction(io, specs, topic, options), "failure");
    });
}
