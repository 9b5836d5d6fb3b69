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
import type { KafkaBrokerOptions } from "../runtime/index.js";
import { UsageError } from "./exit.js";
import type { CommandIo } from "./io/command-io.js";
import { DEFAULT_OUT_FOLDER } from "./io/project-config.js";
import { loadRuntime } from "./runtime.js";

/** Where the brokers came from: `--brokers` or the `GOKAC_BROKERS` environment variable. */
export interface BrokerSource {
  readonly list: string;
  readonly fromEnv: boolean;
}

/** `--brokers <list>`, with what the command uses the cluster for. */
export function brokersOption(command: Command, purpose = "Kafka bootstrap brokers"): Option {
  return command.createOption("--brokers <list>", `${purpose}, host:port[,host:port…] (default: $GOKAC_BROKERS)`);
}

/** `--out <dir>`; its default (`gokac.out` of package.json, else `generated`) is resolved by `resolveOut` in cli/io/project-config.ts. */
export function outOption(command: Command, description = "the build's output folder"): Option {
  return command.createOption("--out <dir>", `${description} (default: "gokac.out" of package.json, else ${DEFAULT_OUT_FOLDER})`);
}

/** `--format <format>` of diagnostics: text (default), json or github. */
export function diagnosticFormatOption(command: Command): Option {
  return command.createOption("--format <format>", "diagnostics format").choices(DIAGNOSTIC_FORMATS).default("text");
}

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
export function kafkaOptions(
  io: CommandIo,
  brokers: string,
  command: string,
): { brokers: string; clientId: string; logLevel: (typeof KAFKA_LOG_LEVELS)[number] } {
  const wanted = io.env["GOKAC_KAFKA_LOG"];
  const logLevel = KAFKA_LOG_LEVELS.find((l) => l === wanted);
  if (wanted !== undefined && wanted !== "" && logLevel === undefined) {
    throw new UsageError(`GOKAC_KAFKA_LOG=${wanted} is not one of ${KAFKA_LOG_LEVELS.join(", ")}`);
  }
  return { brokers, clientId: `gokac-${command}`, logLevel: logLevel ?? "nothing" };
}

/** The options every command that talks to Kafka takes. */
export interface ClusterCommandOptions {
  readonly brokers?: string;
  readonly kafkaConfig?: string;
}

/** `--kafka-config <file>`: brokers, client id, TLS and SASL from a YAML file (default `GOKAC_KAFKA_CONFIG`). */
export function kafkaConfigOption(command: Command): Option {
  return command.createOption("--kafka-config <file>", "YAML with brokers, clientId, ssl and sasl (default: $GOKAC_KAFKA_CONFIG)");
}

/**
 * The Kafka options of a command, resolved in this one place: the
 * kafka-config file (`--kafka-config`, else `GOKAC_KAFKA_CONFIG`) gives the
 * client id, TLS, SASL and maybe brokers; `--brokers`, else `GOKAC_BROKERS`,
 * win for the broker list; `GOKAC_KAFKA_LOG` sets kafkajs's logging.
 * UsageError (exit 2) when there are no brokers or the file is refused
 * (its error names the file, the key and a code, never a secret).
 */
export async function clusterOptions(io: CommandIo, options: ClusterCommandOptions, command: string): Promise<KafkaBrokerOptions> {
  const file = options.kafkaConfig ?? (io.env["GOKAC_KAFKA_CONFIG"]?.trim() || undefined);
  if (file === undefined) return kafkaOptions(io, requireBrokers(io, options.brokers), command);
  const runtime = await loadRuntime(io);
  let config: Awaited<ReturnType<typeof runtime.loadKafkaConfig>>;
  try {
    config = await runtime.loadKafkaConfig(file, { cwd: io.cwd, env: io.env });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const brokers = resolveBrokers(io, options.brokers)?.list ?? config.brokers?.join(",");
  if (brokers === undefined)
    throw new UsageError(`no Kafka brokers: give brokers in ${file}, pass --brokers host:port[,host:port…] or set GOKAC_BROKERS`);
  const base = kafkaOptions(io, brokers, command);
  return {
    ...base,
    clientId: config.clientId ?? base.clientId,
    ...(config.ssl === undefined ? {} : { ssl: config.ssl }),
    ...(config.sasl === undefined ? {} : { sasl: config.sasl }),
  };
}

/** A numeric option (`--max`, `--timeout`) that must be positive (and an integer, with `integer`); UsageError otherwise. */
export function positiveNumber(text: string | undefined, what: string, integer: boolean): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n)))
    throw new UsageError(`${what} must be a positive ${integer ? "integer" : "number"}, got ${text}`);
  return n;
}
