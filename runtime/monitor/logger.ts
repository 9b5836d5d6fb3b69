/**
 * Structured logs (pino): JSON lines when the output is not a terminal,
 * short readable lines when it is. `logProcessorEvents` turns a processor's
 * events into log lines; lines about a message carry its `group`, `topic`,
 * `partition`, `offset` and `key` as fields.
 */
import { createRequire } from "node:module";
import type * as Pino from "pino";
import type { DestinationStream, Level, Logger } from "pino";
import { ProcessorError, reasonOf } from "../errors.js";
import type { Processor } from "../processor/processor.js";
import { RecoveryEta } from "./eta.js";

export type { Logger } from "pino";

/** Log levels, most verbose first; `silent` logs nothing. */
export const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"] as const;

/** A level of `LOG_LEVELS`. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Options of `createLogger`. */
export interface LoggerOptions {
  /** Default `info`. */
  readonly level?: LogLevel;
  /** Readable lines instead of JSON (default: when the output is a terminal). */
  readonly pretty?: boolean;
  /** Where lines go (default stdout). */
  readonly output?: { write(text: string): unknown; isTTY?: boolean };
}

/** True when `level` is a log level name. */
export function isLogLevel(level: string): level is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(level);
}

const LEVEL_NAMES: Record<number, string> = { 10: "TRACE", 20: "DEBUG", 30: "INFO ", 40: "WARN ", 50: "ERROR", 60: "FATAL" };
const LEVEL_COLORS: Record<number, string> = { 10: "90", 20: "36", 30: "32", 40: "33", 50: "31", 60: "35" };
const HIDDEN = new Set(["level", "time", "msg", "pid", "hostname"]);

/** One readable line of a pino JSON record: time, level, message, then `field=value` pairs. */
export function formatPretty(line: string, color: boolean): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const level = typeof record.level === "number" ? record.level : 30;
  const time = typeof record.time === "number" ? new Date(record.time).toISOString().slice(11, 23) : "";
  const name = LEVEL_NAMES[level] ?? String(level);
  const fields = Object.entries(record)
    .filter(([k]) => !HIDDEN.has(k))
    .map(([k, v]) => `${k}=${typeof v === "string" && !/\s|"/.test(v) && v !== "" ? v : JSON.stringify(v)}`)
    .join(" ");
  const shownLevel = color ? `\u001b[${LEVEL_COLORS[level] ?? "0"}m${name}\u001b[0m` : name;
  const shownFields = fields === "" ? "" : color ? ` \u001b[2m${fields}\u001b[0m` : ` ${fields}`;
  return `${time} ${shownLevel} ${String(record.msg ?? "")}${shownFields}\n`;
}

/** Creates a pino logger: JSON when the output is not a terminal, readable lines when it is. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const output = options.output ?? process.stdout;
  const pretty = options.pretty ?? output.isTTY === true;
  const level: Level | "silent" = options.level ?? "info";
  if (!isLogLevel(level)) throw new TypeError(`log level: expected one of ${LOG_LEVELS.join(", ")}, got ${JSON.stringify(level)}`);
  const destination: DestinationStream = pretty
    ? { write: (line: string) => void output.write(formatPretty(line, output.isTTY === true)) }
    : { write: (line: string) => void output.write(line) };
  // pino loads with the first logger, not with the runtime (start-up of processes that log otherwise). CommonJS: a synchronous load.
  const { pino } = createRequire(import.meta.url)("pino") as typeof Pino;
  return pino({ level, base: { pid: process.pid }, timestamp: pino.stdTimeFunctions.epochTime }, destination);
}

/** Options of `logProcessorEvents`. */
export interface ProcessorLogOptions {
  /** At most one recovery line per table partition this often, ms (default 1000). */
  readonly progressIntervalMs?: number;
  /** Log recovery progress lines (default true); `gokac run` on a terminal shows a progress bar instead. */
  readonly recoveryProgress?: boolean;
  readonly now?: () => number;
}

/**
 * Logs a processor's events: lifecycle and rebalances (info), partition
 * states (debug), recovery progress with ETA (info, throttled), batches and
 * commits (trace), failures (error, with the message's coordinates).
 * Returns a function that stops logging.
 */
export function logProcessorEvents(logger: Logger, processor: Processor<any>, options: ProcessorLogOptions = {}): () => void {
  const group = processor.group;
  const log = logger.child({ group });
  const now = options.now ?? Date.now;
  const interval = options.progressIntervalMs ?? 1000;
  const etas = new Map<string, { eta: RecoveryEta; shown: number }>();
  const offs = [
    processor.on("state", ({ state, partition }) => {
      if (partition === undefined) log.info({ state }, `processor ${state}`);
      else log.debug({ partition, state }, `partition ${partition} ${state}`);
    }),
    processor.on("rebalance", ({ assigned, revoked }) => {
      if (assigned !== undefined) log.info({ assigned }, `assigned partitions ${assigned.join(", ")}`);
      if (revoked !== undefined) log.info({ revoked }, `revoked partitions ${revoked.join(", ")}`);
    }),
    processor.on("recovery-progress", ({ topic, partition, offset, hwm, recovered }) => {
      const id = `${topic}/${partition}`;
      let entry = etas.get(id);
      if (entry === undefined) {
        entry = { eta: new RecoveryEta({ now }), shown: 0 };
        entry.eta.begin(offset - recovered);
        etas.set(id, entry);
      }
      entry.eta.update(offset, hwm);
      if (options.recoveryProgress === false || now() - entry.shown < interval) return;
      entry.shown = now();
      const eta = entry.eta.etaSeconds;
      log.info(
        { topic, partition, offset, hwm, remaining: entry.eta.remaining, etaSeconds: eta === undefined ? null : Math.round(eta * 10) / 10 },
        `recovering ${id}: ${offset}/${hwm}${eta === undefined ? "" : `, about ${Math.ceil(eta)} s left`}`,
      );
    }),
    processor.on("recovered", ({ topic, partition, offset, recovered }) => {
      etas.delete(`${topic}/${partition}`);
      log.info({ topic, partition, offset, recovered }, `recovered ${topic}/${partition} at ${offset} (${recovered} messages read)`);
    }),
    processor.on("batch", ({ topic, partition, processed, emitted, nextOffset }) => {
      if (log.isLevelEnabled("trace")) log.trace({ topic, partition, offset: nextOffset, processed, emitted }, "batch handled");
    }),
    processor.on("commit", ({ partition, offsets }) => {
      if (log.isLevelEnabled("trace")) log.trace({ partition, offsets }, "committed");
    }),
    // Never silent: each skipped or dead-lettered message at warn, with its coordinates.
    processor.on("message-failed", ({ topic, partition, offset, key, kind, policy, error }) => {
      log.warn(
        { topic, partition, offset, key, kind, policy, reason: reasonOf(error) },
        `${policy === "skip" ? "skipped" : "dead-lettered"} ${topic || "(visit)"}/${partition}@${offset}: ${kind} failed`,
      );
    }),
    processor.on("defer-overdue", ({ topic, partition, offset, key, waitedMs }) => {
      log.warn(
        { topic, partition, offset, key, waitedMs },
        `deferCommit of ${topic}/${partition}@${offset} not completed after ${waitedMs} ms; commits of the partition wait for it`,
      );
    }),
    processor.on("handler-retry", ({ topic, partition, offset, key, attempt, delayMs, error }) => {
      log.info(
        { topic, partition, offset, key, attempt, delayMs, reason: reasonOf(error) },
        `retrying ${topic || "(visit)"}/${partition}@${offset} (attempt ${attempt}) in ${delayMs} ms`,
      );
    }),
    processor.on("transaction-retry", ({ partition, outcome, attempts, ms, error }) => {
      log.info(
        { partition, outcome, attempts, ms, reason: reasonOf(error) },
        `transaction of partition ${partition} failed; ${outcome} after ${attempts} retry steps (${ms} ms)`,
      );
    }),
    processor.on("state-rebuilt", ({ topic, partition, reason, error }) => {
      log.warn(
        { topic, partition, reason, err: error },
        `state of ${topic}/${partition} cannot be trusted (${reason}); rebuilding it from the changelog`,
      );
    }),
    processor.on("error", ({ error }) => {
      if (error instanceof ProcessorError) {
        log.error(
          { kind: error.kind, topic: error.topic, partition: error.partition, offset: error.offset, key: error.key, err: error },
          `${error.kind} failed at ${error.topic || "(visit)"}/${error.partition}@${error.offset}`,
        );
      } else {
        log.error({ err: error }, "processor failed");
      }
    }),
  ];
  return () => {
    for (const off of offs) off();
  };
}
