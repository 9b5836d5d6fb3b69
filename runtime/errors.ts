/**
 * The runtime's errors. Every one extends `GokacError` (kafkajs's
 * `KafkaJSError` in our words): a stable `code` to branch on (never the
 * message text), `retriable` telling whether restarting the processor can
 * help, and the `cause`. Processor errors also carry the coordinates a user
 * needs to find the cause (group, topic, partition, offset, key) as fields.
 * `reasonOf` is the one way a cause becomes text.
 */

/** How a `GokacError` is built. */
export interface GokacErrorOptions {
  /** The error's stable code (one per class, or the diagnostic's `GKxxx` for topic checks). */
  readonly code: string;
  /** Whether restarting can help (default false). */
  readonly retriable?: boolean;
  /** What caused it, if anything. */
  readonly cause?: unknown;
}

/** The base of every error the runtime throws or stops a processor with. */
export class GokacError extends Error {
  override readonly name: string = "GokacError";
  /** Stable, machine-readable: tests and callers branch on it, never on the message. */
  readonly code: string;
  /** A restart may succeed (broker trouble), unlike a handler bug or bad options. */
  readonly retriable: boolean;

  constructor(message: string, options: GokacErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
    this.retriable = options.retriable ?? false;
  }
}

/**
 * The text of a cause, for an error message: an `Error`'s message (or, when
 * that is empty, its own cause's reason, else its name), anything else as
 * `String` gives it (never throwing, even for objects without a prototype).
 */
export function reasonOf(cause: unknown): string {
  if (cause instanceof Error) {
    if (cause.message !== "") return cause.message;
    return cause.cause === undefined || cause.cause === cause ? cause.name : reasonOf(cause.cause);
  }
  try {
    return String(cause);
  } catch {
    return Object.prototype.toString.call(cause);
  }
}

/** `cause` itself if it is an `Error`, else an `Error` whose message is its `reasonOf` (and whose `cause` it is). */
export function asError(cause: unknown): Error {
  return cause instanceof Error ? cause : new Error(reasonOf(cause), { cause });
}

/** Where a processor failure happened; `offset` is -1 for visits, `topic` `""`. */
export interface MessageCoordinates {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: string;
}

/** What went wrong with a message: the handler threw or called `fail` (or timed out), the key or value did not decode, a produce/commit/store of it failed, a deferred commit failed or was never completed, or a lookup view stopped. */
export type ProcessorErrorKind = "handler" | "timeout" | "decode" | "produce" | "commit" | "storage" | "deferred" | "lookup";

/** A processor stopped on this message; nothing at or after `offset` of that partition was committed. */
export class ProcessorError extends GokacError {
  override readonly name = "ProcessorError";
  declare readonly code: "PROCESSOR_FAILED";
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: string;
  readonly kind: ProcessorErrorKind;

  /** `retriable` (a restart may succeed) for produce and commit failures, not for a handler bug or an undecodable value. */
  constructor(kind: ProcessorErrorKind, where: MessageCoordinates, cause: unknown) {
    super(
      `group ${where.group}: ${kind} failed at ${where.topic || "(visit)"}/${where.partition}@${where.offset} key ${JSON.stringify(where.key)}: ${reasonOf(cause)}`,
      {
        code: "PROCESSOR_FAILED",
        retriable: kind === "produce" || kind === "commit",
        cause,
      },
    );
    this.kind = kind;
    this.group = where.group;
    this.topic = where.topic;
    this.partition = where.partition;
    this.offset = where.offset;
    this.key = where.key;
  }
}

/** A group's state could not be set up (topics missing or not copartitioned, storage unusable). */
export class ProcessorSetupError extends GokacError {
  override readonly name = "ProcessorSetupError";
  declare readonly code: "PROCESSOR_SETUP";
  constructor(
    readonly group: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`group ${group}: ${message}`, { code: "PROCESSOR_SETUP", cause: options?.cause });
  }
}

/** A table partition failed to recover (changelog unreadable, value undecodable). */
export class RecoveryError extends GokacError {
  override readonly name = "RecoveryError";
  declare readonly code: "RECOVERY_FAILED";
  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly offset: number,
    cause: unknown,
    retriable = false,
  ) {
    super(`recovering ${topic}/${partition} at ${offset}: ${reasonOf(cause)}`, { code: "RECOVERY_FAILED", retriable, cause });
  }
}

/** The processor was asked to do something in a state that does not allow it (e.g. `visitAll` before `start`). */
export class ProcessorStateError extends GokacError {
  override readonly name = "ProcessorStateError";
  declare readonly code: "PROCESSOR_STATE";
  constructor(message: string) {
    super(message, { code: "PROCESSOR_STATE" });
  }
}

/**
 * A factory was given unusable options; `option` names the culprit, the
 * message says how to fix it. (Before `GokacError` it extended `TypeError`.)
 */
export class RuntimeOptionsError extends GokacError {
  override readonly name = "RuntimeOptionsError";
  declare readonly code: "INVALID_OPTIONS";
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(`${option}: ${message}`, { code: "INVALID_OPTIONS" });
  }
}

/** Throws `RuntimeOptionsError` unless `value` is absent or a positive integer. */
export function checkPositiveInteger(option: string, value: number | undefined): void {
  if (value !== undefined && (!Number.isInteger(value) || value < 1))
    throw new RuntimeOptionsError(option, `expected a positive integer, got ${value}`);
}
