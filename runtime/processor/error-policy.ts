/**
 * The error policies of a group (the spec's `errors:`): what a message that
 * cannot be processed does (fail, skip, dead-letter), how often a failing
 * handler is retried and after how long a running handler has failed; and
 * the dead letters themselves (the original key and value bytes plus the
 * contract's `gokac.error.*` headers).
 */
import type { BrokerMessage, ProduceRecord } from "../broker/port.js";
import { GokacError, reasonOf } from "../errors.js";
import type { ErrorPolicyGraph, FailurePolicy, GroupGraph } from "../graph.js";

/** Default handler timeout: a handler still running after a minute has failed. */
export const DEFAULT_HANDLER_TIMEOUT_MS = 60_000;
/** Default delay before the first retry. */
export const DEFAULT_RETRY_BACKOFF_MS = 100;

/** Why a message could not be processed, as the `gokac.error.kind` header says. */
export type FailureKind = "decode" | "handler" | "timeout";

/** A group's error policies with every default applied. */
export interface ResolvedErrorPolicy {
  readonly decode: FailurePolicy;
  readonly handler: FailurePolicy;
  readonly retries: number;
  readonly backoffMs: number;
  readonly timeoutMs: number;
  /** The dead-letter topic when a policy uses it, else `undefined`. */
  readonly deadLetter: string | undefined;
}

/** The dead-letter topic of `group` when the spec names none. */
export function defaultDeadLetterTopic(group: string): string {
  return `${group}-dlq`;
}

/** `graph.errors` with the defaults: fail on everything, no retries, 60 s timeout. */
export function resolveErrorPolicy(graph: GroupGraph): ResolvedErrorPolicy {
  const e: ErrorPolicyGraph = graph.errors ?? {};
  const decode = e.decode ?? "fail";
  const handler = e.handler ?? "fail";
  const usesDeadLetters = decode === "dead-letter" || handler === "dead-letter";
  return {
    decode,
    handler,
    retries: e.retries ?? 0,
    backoffMs: e.backoffMs ?? DEFAULT_RETRY_BACKOFF_MS,
    timeoutMs: e.timeoutMs ?? DEFAULT_HANDLER_TIMEOUT_MS,
    deadLetter: usesDeadLetters ? (e.deadLetter ?? defaultDeadLetterTopic(graph.group)) : undefined,
  };
}

/** A handler still running after its timeout (the cause of a `timeout` failure). */
export class HandlerTimeoutError extends GokacError {
  override readonly name = "HandlerTimeoutError";
  declare readonly code: "HANDLER_TIMEOUT";
  constructor(readonly timeoutMs: number) {
    super(`the handler was still running after ${timeoutMs} ms`, { code: "HANDLER_TIMEOUT" });
  }
}

/** A message whose key cannot be used: `null` in a group with state (persist, joins or loop), or not UTF-8. */
export class KeyDecodeError extends GokacError {
  override readonly name = "KeyDecodeError";
  declare readonly code: "KEY_NULL" | "KEY_NOT_UTF8";
  constructor(problem: "null" | "invalid-utf8") {
    super(problem === "null" ? "the message has a null key, which a group with state cannot use" : "the message key is not valid UTF-8", {
      code: problem === "null" ? "KEY_NULL" : "KEY_NOT_UTF8",
    });
  }
}

/** The names of the dead-letter headers (the contract's). */
export const DEAD_LETTER_HEADERS = {
  kind: "gokac.error.kind",
  message: "gokac.error.message",
  group: "gokac.error.group",
  topic: "gokac.error.topic",
  partition: "gokac.error.partition",
  offset: "gokac.error.offset",
  timestamp: "gokac.error.timestamp",
} as const;

/**
 * The dead letter of `message`: its key, value bytes and headers, plus the
 * error headers, to partition `partition` of `topic`. The original headers
 * come first, so a message that was dead-lettered before (and replayed)
 * carries this failure's headers.
 */
export function deadLetterRecord(
  topic: string,
  partition: number,
  group: string,
  message: BrokerMessage,
  kind: FailureKind,
  error: unknown,
): ProduceRecord {
  const headers: Record<string, Uint8Array | string> = { ...message.headers };
  headers[DEAD_LETTER_HEADERS.kind] = kind;
  headers[DEAD_LETTER_HEADERS.message] = reasonOf(error);
  headers[DEAD_LETTER_HEADERS.group] = group;
  headers[DEAD_LETTER_HEADERS.topic] = message.topic;
  headers[DEAD_LETTER_HEADERS.partition] = String(message.partition);
  headers[DEAD_LETTER_HEADERS.offset] = String(message.offset);
  headers[DEAD_LETTER_HEADERS.timestamp] = String(message.timestamp);
  return { topic, partition, key: message.key, value: message.value, headers };
}
