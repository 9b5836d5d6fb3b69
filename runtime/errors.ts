/**
 * The runtime's errors. Each carries the coordinates a user needs to find the
 * cause (group, topic, partition, offset, key) as fields, and `retriable`
 * (kafkajs style) telling whether restarting the processor can help.
 */

/** Where a processor failure happened; `offset` is -1 for visits, `topic` `""`. */
export interface MessageCoordinates {
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: string;
}

/** What went wrong with a message: the handler threw or called `fail`, the value did not decode, or a produce/commit of it failed. */
export type ProcessorErrorKind = "handler" | "decode" | "produce" | "commit" | "storage" | "deferred";

/** A processor stopped on this message; nothing at or after `offset` of that partition was committed. */
export class ProcessorError extends Error {
  override readonly name = "ProcessorError";
  readonly group: string;
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: string;
  readonly kind: ProcessorErrorKind;
  /** A restart may succeed (broker trouble), unlike a handler bug or an undecodable value. */
  readonly retriable: boolean;

  constructor(kind: ProcessorErrorKind, where: MessageCoordinates, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`group ${where.group}: ${kind} failed at ${where.topic || "(visit)"}/${where.partition}@${where.offset} key ${JSON.stringify(where.key)}: ${reason}`, { cause });
    this.kind = kind;
    this.group = where.group;
    this.topic = where.topic;
    this.partition = where.partition;
    this.offset = where.offset;
    this.key = where.key;
    this.retriable = kind === "produce" || kind === "commit";
  }
}

/** A group's state could not be set up (topics missing or not copartitioned, storage unusable). */
export class ProcessorSetupError extends Error {
  override readonly name = "ProcessorSetupError";
  readonly retriable = false;
  constructor(
    readonly group: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`group ${group}: ${message}`, options);
  }
}

/** A table partition failed to recover (changelog unreadable, value undecodable). */
export class RecoveryError extends Error {
  override readonly name = "RecoveryError";
  readonly retriable: boolean;
  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly offset: number,
    cause: unknown,
    retriable = false,
  ) {
    super(`recovering ${topic}/${partition} at ${offset}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.retriable = retriable;
  }
}

/** The processor was asked to do something in a state that does not allow it (e.g. `visitAll` before `start`). */
export class ProcessorStateError extends Error {
  override readonly name = "ProcessorStateError";
  readonly retriable = false;
}

/** A factory was given unusable options; `option` names the culprit, the message says how to fix it. */
export class RuntimeOptionsError extends TypeError {
  override readonly name = "RuntimeOptionsError";
  readonly retriable = false;
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(`${option}: ${message}`);
  }
}

/** Throws `RuntimeOptionsError` unless `value` is absent or a positive integer. */
export function checkPositiveInteger(option: string, value: number | undefined): void {
  if (value !== undefined && (!Number.isInteger(value) || value < 1)) throw new RuntimeOptionsError(option, `expected a positive integer, got ${value}`);
}
