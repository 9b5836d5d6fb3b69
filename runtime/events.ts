/**
 * The runtime's instrumentation: one typed map of named events (kafkajs
 * style), so the CLI can show states and recovery progress.
 */

/** Goka's partition table states, `standby` for a warm copy of another instance's partition (hot standby; `stopped` when it is dropped), and the processor's own lifecycle. */
import type { TransactionStep } from "./processor/transaction-retry.js";

export type PartitionState = "stopped" | "initializing" | "connecting" | "recovering" | "preparing" | "running" | "standby";

/** Events of a processor or view, by name. */
export interface RuntimeEvents {
  /** A partition (or, without `partition`, the whole processor) changed state. */
  state: { readonly state: PartitionState; readonly partition?: number };
  /** Recovery of a table partition advanced to `offset` of `hwm`; `recovered` counts messages read so far. */
  "recovery-progress": {
    readonly topic: string;
    readonly partition: number;
    readonly offset: number;
    readonly hwm: number;
    readonly recovered: number;
  };
  /** A table partition reached its high watermark, having read `recovered` messages. */
  recovered: { readonly topic: string; readonly partition: number; readonly offset: number; readonly recovered: number };
  /**
   * A message (or, with `topic` `""` and `offset` -1, a visited key) could not
   * be processed and its error policy skipped it or sent it to the
   * dead-letter topic; processing goes on. (A `fail` policy emits `error`.)
   */
  "message-failed": {
    readonly group: string;
    readonly topic: string;
    readonly partition: number;
    readonly offset: number;
    readonly key: string;
    readonly kind: "decode" | "handler" | "timeout";
    readonly policy: "skip" | "dead-letter";
    readonly error: unknown;
  };
  /** A `deferCommit` callback was not called within `waitedMs` (the handler timeout): the partition's commits wait for it. */
  "defer-overdue": {
    readonly group: string;
    readonly topic: string;
    readonly partition: number;
    readonly offset: number;
    readonly key: string;
    readonly waitedMs: number;
  };
  /** A handler failed and runs again after `delayMs` (attempt `attempt`, counting from 2). */
  "handler-retry": {
    readonly group: string;
    readonly topic: string;
    readonly partition: number;
    readonly offset: number;
    readonly key: string;
    readonly attempt: number;
    readonly delayMs: number;
    readonly error: unknown;
  };
  /**
   * Exactly-once: a batch's transaction failed (`error`, the first failure)
   * and, `ms` and `attempts` retry steps later, turned out `committed` (its
   * answer had been lost), was `resent` and committed, was `abandoned` (the
   * partition revoked or the processor stopping) or `failed` (fenced, or the
   * outage allowance spent: the processor stops).
   */
  "transaction-retry": {
    readonly group: string;
    readonly partition: number;
    readonly outcome: "committed" | "resent" | "abandoned" | "failed";
    readonly attempts: number;
    readonly ms: number;
    readonly error: unknown;
    /** Each step timed, from the attempt that failed (`first`) to the last: where the `ms` went. */
    readonly steps: readonly TransactionStep[];
  };
  /** A partition's batch went through: `processed` messages handled, `emitted` records sent (emits and loopbacks), `handlerSeconds` spent in handlers, the input now at `nextOffset`. */
  batch: {
    readonly topic: string;
    readonly partition: number;
    readonly processed: number;
    readonly emitted: number;
    readonly handlerSeconds: number;
    readonly nextOffset: number;
  };
  /** Input offsets of a partition were committed. */
  commit: { readonly partition: number; readonly offsets: readonly { readonly topic: string; readonly offset: number }[] };
  /** A rebalance gave this processor `assigned` partitions or took `revoked` ones away. */
  rebalance: { readonly assigned?: readonly number[]; readonly revoked?: readonly number[] };
  /**
   * A table partition's local state could not be trusted (`reason`, the
   * `StateMismatchError` saying why) and is rebuilt from the changelog.
   */
  "state-rebuilt": { readonly topic: string; readonly partition: number; readonly reason: string; readonly error: Error };
  /** The processor failed and is stopping. */
  error: { readonly error: Error };
}

/** A listener registry for `RuntimeEvents`. */
export interface EventSource {
  /** Adds a listener; returns a function removing it. */
  on<E extends keyof RuntimeEvents>(event: E, listener: (payload: RuntimeEvents[E]) => void): () => void;
}

/** An `EventSource` plus the emitting side, for the runtime's own use. */
export interface EventHub extends EventSource {
  emit<E extends keyof RuntimeEvents>(event: E, payload: RuntimeEvents[E]): void;
}

/** Creates an event hub; a throwing listener does not disturb the runtime. */
export function createEventHub(): EventHub {
  const listeners = new Map<string, Set<(payload: never) => void>>();
  return {
    on(event, listener) {
      let set = listeners.get(event);
      if (set === undefined) {
        set = new Set();
        listeners.set(event, set);
      }
      set.add(listener as (payload: never) => void);
      return () => void set.delete(listener as (payload: never) => void);
    },
    emit(event, payload) {
      for (const listener of listeners.get(event) ?? []) {
        try {
          (listener as (p: typeof payload) => void)(payload);
        } catch {
          // Instrumentation must never break processing.
        }
      }
    },
  };
}
