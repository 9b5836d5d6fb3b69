/**
 * Exactly-once through broker failures: a batch's transaction that failed is
 * resolved and, if it did not commit, sent again (the same records, already
 * computed: handlers do not run again), until it commits, the partition is
 * taken over (fenced), the partition is revoked or the processor stops, or the
 * outage allowance (`maxOutageMs`) is spent. See docs/runtime.md,
 * "Exactly-once", for every case.
 *
 * `judgeFailure` and `judgeOutcome` are the decisions, as pure functions;
 * `commitTransaction` is the loop around them.
 */
import type { ProducedOffset, ProduceRecord, TransactionalProducer, TransactionOffsets, TransactionRecovery } from "../broker/port.js";
import { TransactionFailedError } from "../broker/transaction-failure.js";
import { GokacError, reasonOf } from "../errors.js";

/**
 * A failed transaction whose outcome could not be settled safely: it
 * committed no input offsets (a visit's, a tester write's) so whether it
 * committed is unknowable, or the group's committed offsets are past the
 * batch's (another instance processed the partition meanwhile).
 */
export class TransactionOutcomeError extends GokacError {
  override readonly name = "TransactionOutcomeError";
  declare readonly code: "TRANSACTION_UNRESOLVED";
  constructor(
    /** Why the outcome could not be used. */
    readonly verdict: "unknowable" | "taken-over",
    cause: unknown,
  ) {
    super(`a failed transaction's outcome is ${verdict === "unknowable" ? "unknowable" : "someone else's"}: ${reasonOf(cause)}`, {
      code: "TRANSACTION_UNRESOLVED",
      retriable: true,
      cause,
    });
  }
}

/** What to do after a failed transaction step. */
export type FailureVerdict =
  /** Re-initialise the id, then learn whether the transaction committed (or, known aborted, send it again). */
  | "resolve"
  /** Another producer took the transactional id: drop the batch and stop. */
  | "fenced"
  /** A failure no retry fixes (or no way to retry): stop with it. */
  | "stop";

/**
 * What a failed transaction step calls for: fencing is never retried; an
 * outage or an abortable failure is resolved (then retried) while the
 * producer can recover; anything else stops.
 */
export function judgeFailure(error: unknown, canRecover: boolean): FailureVerdict {
  if (!(error instanceof TransactionFailedError)) return "stop";
  if (error.reason === "fenced") return "fenced";
  if (error.reason === "other" || !canRecover) return "stop";
  return "resolve";
}

/** Whether a transaction whose outcome was unknown committed, judged after the id was re-initialised. */
export type OutcomeVerdict =
  /** The committed offsets are the batch's: it committed (its answer was lost). */
  | "committed"
  /** The committed offsets are before the batch's: it was aborted; send it again. */
  | "aborted"
  /** Some committed offset is past the batch's (another instance processed further), or they disagree: stop. */
  | "taken-over"
  /** The transaction committed no offsets: its outcome cannot be learnt; stop (the next owner resolves it). */
  | "unknowable";

/**
 * Judges a transaction's outcome from the group's committed offsets
 * (`committed[i]` for `batch[i]`; a transaction commits all its offsets or
 * none): all equal to the batch's next offsets means committed, all before
 * them means aborted.
 */
export function judgeOutcome(batch: readonly number[], committed: readonly (number | undefined)[]): OutcomeVerdict {
  if (batch.length === 0) return "unknowable";
  let equal = 0;
  let before = 0;
  for (let i = 0; i < batch.length; i++) {
    const c = committed[i];
    const b = batch[i]!;
    if (c === undefined || c < b) before++;
    else if (c === b) equal++;
    else return "taken-over";
  }
  if (equal === batch.length) return "committed";
  if (before === batch.length) return "aborted";
  return "taken-over";
}

/** How the partition processor lets the loop wait: interrupted at once when the partition is revoked or the processor stops. */
export interface RetryWatch {
  /** The partition is being revoked or the processor stops: stop retrying (the batch stays uncommitted). */
  stopped(): boolean;
  /** `work`'s value, `"timeout"` after `ms`, or `"stopped"` when interrupted (see `stopped`); rejects as `work` does. */
  wait<T>(work: Promise<T> | undefined, ms: number): Promise<{ readonly value: T } | "timeout" | "stopped">;
  /** Told how a retried transaction ended (`error`: its first failure). */
  settled?(
    outcome: "committed" | "resent" | "abandoned" | "failed",
    attempts: number,
    ms: number,
    error: unknown,
    steps: readonly TransactionStep[],
  ): void;
}

/** One step of settling a failed transaction, timed (the `transaction-retry` event lists them). */
export interface TransactionStep {
  /** `first`: the attempt that failed; `backoff`: the wait before a retry; the rest as in `TransactionRecovery` (`commit`: the records sent again). */
  readonly step: "first" | "backoff" | "reinitialize" | "committed" | "end" | "commit";
  readonly ms: number;
  /** Whether the step succeeded (a backoff always does). */
  readonly ok: boolean;
}

/** How `commitTransaction` ended. */
export type TransactionResult =
  /** Committed, and the records' offsets are known. */
  | { readonly kind: "sent"; readonly produced: readonly ProducedOffset[] }
  /** Committed (a lost answer, learnt from the committed offsets): the records' offsets are not known, but `changelogEnd` is, if asked for. */
  | { readonly kind: "committed"; readonly changelogEnd: number | undefined }
  /** Revoked or stopping meanwhile: not committed by this producer (the partition's next owner resolves it). */
  | { readonly kind: "abandoned" }
  /** Gave up: fenced, a failure no retry fixes, or the outage allowance spent (`error`, a `BrokerUnreachableError` then). */
  | { readonly kind: "failed"; readonly error: unknown };

/**
 * Backoff between retries: 100 ms doubling to 500 ms, as the producers'
 * own retries: a cluster that accepts writes again (a dead broker fenced, a
 * coordinator moved) is reached within half a second; each attempt is a few
 * small requests, and `maxOutageMs` bounds them all.
 */
export function backoffMs(attempt: number): number {
  return Math.min(500, 100 * 2 ** Math.min(attempt, 3));
}

/** `work`, or a failure as an outage once it went unanswered for `ms` (a kafkajs request left hanging included). */
async function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new TransactionFailedError("outage", "unknown", new Error(`no answer within the outage allowance of ${ms} ms`))),
      ms,
    );
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

class Failure {
  constructor(readonly error: unknown) {}
}

/**
 * Commits `records` and `offsets` in one transaction of `producer`; if that
 * fails as an outage does (or abortably), re-initialises the transactional id,
 * learns whether it committed and, if not, sends the same records again,
 * with backoff, until the outage allowance is spent. `changelog`: the
 * partition whose end to look up when the transaction turned out committed
 * without its answer (the store's next offset).
 */
export async function commitTransaction(
  producer: TransactionalProducer,
  records: readonly ProduceRecord[],
  offsets: TransactionOffsets | undefined,
  watch: RetryWatch | undefined,
  changelog?: { readonly topic: string; readonly partition: number },
): Promise<TransactionResult> {
  let error: unknown;
  const started = Date.now();
  const recovery = producer.recovery;
  try {
    const sending = producer.commit(records, offsets);
    return {
      kind: "sent",
      produced: recovery === undefined || watch === undefined ? await sending : await within(sending, recovery.maxOutageMs),
    };
  } catch (e) {
    error = e;
  }
  const verdict = judgeFailure(error, recovery !== undefined && watch !== undefined);
  if (verdict !== "resolve" || recovery === undefined || watch === undefined) return { kind: "failed", error };
  const steps: TransactionStep[] = [{ step: "first", ms: Date.now() - started, ok: false }];
  const result = await retry(producer, recovery, watch, records, offsets, changelog, error as TransactionFailedError, started, (step) =>
    steps.push(step),
  );
  const outcome = result.kind === "sent" ? "resent" : result.kind;
  watch.settled?.(outcome, steps.filter((s) => s.step !== "first" && s.step !== "backoff").length, Date.now() - started, error, steps);
  return result;
}

async function retry(
  producer: TransactionalProducer,
  recovery: TransactionRecovery,
  watch: RetryWatch,
  records: readonly ProduceRecord[],
  offsets: TransactionOffsets | undefined,
  changelog: { readonly topic: string; readonly partition: number } | undefined,
  first: TransactionFailedError,
  /** When the first failing attempt was sent: the outage is counted from there. */
  since: number,
  /** Records a step. */
  record: (step: TransactionStep) => void,
): Promise<TransactionResult> {
  const batch = offsets?.offsets.map((o) => o.offset) ?? [];
  /** Whether the last failed transaction may have committed (then its outcome is looked up before sending again). */
  let unknown = first.outcome === "unknown";
  let reinitialized = false;
  let last: unknown = first;

  /** One step, bounded by what is left of the allowance; a failure is returned as a `Failure`. */
  const step = async <T>(name: TransactionStep["step"], work: () => Promise<T>): Promise<T | Failure | "stopped"> => {
    const begun = Date.now();
    const left = Math.max(1, recovery.maxOutageMs - (begun - since));
    let result: T | Failure | "stopped";
    try {
      const r = await watch.wait(work(), left);
      if (r === "stopped") result = r;
      else if (r === "timeout")
        result = new Failure(
          new TransactionFailedError("outage", "unknown", new Error(`no answer within the outage allowance of ${recovery.maxOutageMs} ms`)),
        );
      else result = r.value;
    } catch (e) {
      result = new Failure(e);
    }
    record({ step: name, ms: Date.now() - begun, ok: !(result instanceof Failure) && result !== "stopped" });
    return result;
  };

  for (let attempt = 0; ; attempt++) {
    if (watch.stopped()) return { kind: "abandoned" };
    const giveUp = recovery.exceeded(since, last);
    if (giveUp !== undefined) return { kind: "failed", error: giveUp };
    if (attempt > 0) {
      const waited = backoffMs(attempt - 1);
      if ((await watch.wait(undefined, waited)) === "stopped") return { kind: "abandoned" };
      record({ step: "backoff", ms: waited, ok: true });
    }
    if (watch.stopped()) return { kind: "abandoned" };

    if (!reinitialized) {
      // A new epoch: the broker completes or aborts the failed transaction first.
      const r = await step("reinitialize", () => recovery.reinitialize());
      if (r === "stopped") return { kind: "abandoned" };
      if (r instanceof Failure) {
        last = r.error;
        if (judgeFailure(r.error, true) !== "resolve") return { kind: "failed", error: r.error };
        continue;
      }
      reinitialized = true;
    }

    if (unknown) {
      const outcome = batch.length === 0 ? "unknowable" : await step("committed", () => recovery.committed(offsets!));
      if (outcome === "stopped") return { kind: "abandoned" };
      if (outcome instanceof Failure) {
        last = outcome.error;
        if (judgeFailure(outcome.error, true) !== "resolve") return { kind: "failed", error: outcome.error };
        continue;
      }
      const judged = typeof outcome === "string" ? outcome : judgeOutcome(batch, outcome);
      if (judged === "unknowable" || judged === "taken-over") return { kind: "failed", error: new TransactionOutcomeError(judged, last) };
      if (judged === "committed") {
        if (changelog === undefined) return { kind: "committed", changelogEnd: undefined };
        const end = await step("end", () => recovery.end(changelog.topic, changelog.partition));
        if (end === "stopped") return { kind: "abandoned" };
        if (end instanceof Failure) {
          last = end.error;
          if (judgeFailure(end.error, true) !== "resolve") return { kind: "failed", error: end.error };
          // Known committed now: only the end is left to look up.
          continue;
        }
        return { kind: "committed", changelogEnd: end };
      }
    }

    // Not committed: the same records and offsets again, in a transaction of the new epoch.
    const sent = await step("commit", () => producer.commit(records, offsets));
    if (sent === "stopped") return { kind: "abandoned" };
    if (!(sent instanceof Failure)) return { kind: "sent", produced: sent };
    last = sent.error;
    const verdict = judgeFailure(sent.error, true);
    if (verdict !== "resolve") return { kind: "failed", error: sent.error };
    unknown = sent.error instanceof TransactionFailedError && sent.error.outcome === "unknown";
    reinitialized = false;
  }
}
