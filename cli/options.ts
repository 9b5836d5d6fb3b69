/**
 * Options several commands share, each declared once: `--brokers` (and the
 * one resolver of the cluster to use: the flag, else `GOKAC_BROKERS`),
 * `--out` (the build's output folder) and `--format` (diagnostics).
 * Options are created through `command.createOption` so this module needs
 * commander only as a type.
 */
import type { Command, Option } from "commander";
// the format module itself, not compiler/index.js: the build fast path must not load the parser and ajv
import { DIAGNOSTIC_FORMATS } from "../compiler/diagnostics/format.js";
import { UsageError } from "./exit.js";
import type { CommandIo } from "./io/command-io.js";

/** Where the brokers came from: `--brokers` or the `GOKAC_BROKERS` environment variable. */
export interface BrokerSource {
  readonly list: string;
  readonly fromEnv: boolean;
}

/** `--brokers <list>`, with what the command uses the cluster for. */
export function brokersOption(command: Command, purpose = "Kafka bootstrap brokers"): Option {
  return command.createOption("--brokers <list>", `${purpose}, host:port[,host:port…] (default: $GOKAC_BROKERS)`);
}

/** `--out <dir>`, default `generated`. */
export function outOption(command: Command, description = "the build's output folder"): Option {
  return command.createOption("--out <dir>", description).default(DEFAULT_OUT);
}

/** `--format <format>` of diagnostics: text (default), json or github. */
export function diagnosticFormatOption(command: Command): Option {
  return command.createOption("--format <format>", "diagnostics format").choices(DIAGNOSTIC_FORMATS).default("text");
}

/** The default of `--out`. */
export const DEFAULT_OUT = "generated";

/**
 * The cluster a command talks to: `--brokers` when given (a blank value
 * means none), else `GOKAC_BROKERS` when set and not blank, else undefined.
 */
export function resolveBrokers(io: CommandIo, flag: string | undefined): BrokerSource | undefined {
  if (flag !== undefined) return flag.trim() === "" ? undefined : { list: flag, fromEnv: false };
  const env = io.env["GOKAC_BROKERS"]?.trim();
  return env === undefined || env === "" ? undefined : { list: env, fromEnv: true };
}

/** `resolveBrokers` for commands that cannot work without a cluster: UsageError when there is none. */
export function requireBrokers(io: CommandIo, flag: string | undefined): string {
  const brokers = resolveBrokers(io, flag);
  if (brokers === undefined) throw new UsageError("no Kafka brokers: pass --brokers host:port[,host:port…] or set GOKAC_BROKERS");
  return brokers.list;
}

const KAFKA_LOG_LEVELS = ["nothing", "error", "warn", "info", "debug"] as const;

/**
 * Options of the Kafka broker for a command: the brokers, a client id naming
 * the command, and kafkajs's own logging from `GOKAC_KAFKA_LOG`
 * (nothing|error|warn|info|debug; default nothing) for debugging a cluster.
 */
export function kafkaOptions(io: CommandIo, brokers: string, command: string): { brokers: string; clientId: string; logLevel: (typeof KAFKA_LOG_LEVELS)[number] } {
  const wanted = io.env["GOKAC_KAFKA_LOG"];
  const logLevel = KAFKA_LOG_LEVELS.find((l) => l === wanted);
  if (wanted !== undefined && wanted !== "" && logLevel === undefined) {
    throw new UsageError(`GOKAC_KAFKA_LOG=${wanted} is not one of ${KAFKA_LOG_LEVELS.join(", ")}`);
  }
  return { brokers, clientId: `gokac-${command}`, logLevel: logLevel ?? "nothing" };
}
