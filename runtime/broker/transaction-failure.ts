/**
 * How a transaction of a `TransactionalProducer` failed, in broker-neutral
 * terms, so the processor can decide what to do (runtime/processor/transaction-retry.ts).
 */
import { GokacError, reasonOf } from "../errors.js";

/**
 * Why a transaction step failed:
 * - `fenced`: another producer initialised the transactional id (the
 *   partition was taken over); never retried.
 * - `outage`: the cluster could not be reached, or answered with a
 *   retriable error (coordinator or leader moving, a transaction still
 *   completing); retried within the outage allowance.
 * - `abortable`: the transaction cannot go on (a lost sequence, an invalid
 *   transaction state), but a new producer epoch can send it again.
 * - `other`: anything else (too large, not authorised, unknown topic): a
 *   retry would fail the same way.
 */
export type TransactionFailureReason = "fenced" | "outage" | "abortable" | "other";

/**
 * What became of the failed transaction, as far as the producer knows:
 * `aborted` (it never asked the coordinator to commit, or its abort was
 * acknowledged) or `unknown` (the commit was asked for and its answer lost).
 */
export type TransactionOutcome = "aborted" | "unknown";

/** A step of a transactional producer failed (`commit`, or a `TransactionRecovery` step). */
export class TransactionFailedError extends GokacError {
  override readonly name = "TransactionFailedError";
  declare readonly code: "TRANSACTION_FAILED";
  constructor(
    /** Why (see `TransactionFailureReason`). */
    readonly reason: TransactionFailureReason,
    /** Whether the transaction may have committed. */
    readonly outcome: TransactionOutcome,
    cause: unknown,
  ) {
    super(`transaction failed (${reason}, ${outcome === "unknown" ? "may have committed" : "not committed"}): ${reasonOf(cause)}`, {
      code: "TRANSACTION_FAILED",
      retriable: reason !== "other",
      cause,
    });
  }
}
