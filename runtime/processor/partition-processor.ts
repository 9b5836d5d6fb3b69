/**
 * One assigned partition of a processor (Goka's `PartitionProcessor`): its
 * group table and joined table partitions, a queue that runs the partition's
 * batches (every input, the loop) and visits one at a time, and the handler
 * loop:
 *
 * 1. decode the batch; read every key it touches from the store at once
 *    (`TableCache.prefetch`);
 * 2. run the handlers in order against the write-through `TableCache`,
 *    without a promise per message unless a handler returns one; what they
 *    cause goes to the `PendingWrites` outbox;
 * 3. flush the outbox: emits, loopbacks and dead letters, then (once
 *    acknowledged) the table writes to the changelog, then, once those are
 *    acknowledged, the table changes and the changelog offset in one store
 *    batch;
 * 4. commit the inputs (without waiting for the commit).
 *
 * Exactly-once (`rt.transactions`), 3 and 4 are one Kafka transaction of the
 * partition's transactional producer (opened, fencing the previous owner,
 * before recovery): outputs, changelog and input offsets; the store is
 * written once it committed. A transaction failed by the cluster is settled
 * and sent again within `maxOutageMs` (transaction-retry.ts); a revocation
 * or a stop ends that at once.
 *
 * A failure stops the processor as Goka does: the messages handled before the
 * failed one still go through 3-4 and are committed, the failed message's own
 * effects are dropped, and the commit stops at it.
 */
import { partitionForKey } from "../broker/partitioner.js";
import type { Batch, BrokerMessage, ProduceRecord, TransactionalProducer } from "../broker/port.js";
import type { EmitOptions, Headers } from "../context.js";
import { GokacError, ProcessorError, type ProcessorErrorKind } from "../errors.js";
import { PartitionTable } from "../table/partition-table.js";
import { CommitTracker } from "./commit-tracker.js";
import type { GroupRuntime } from "./group-runtime.js";
import { HandlerFailure } from "./handler-failure.js";
import { type ContextHost, MessageContext } from "./message-context.js";
import { PendingWrites } from "./pending-writes.js";
import { TableCache } from "./table-cache.js";
import type { RetryWatch } from "./transaction-retry.js";
import { deadLetterRecord, type FailureKind, HandlerTimeoutError, KeyDecodeError } from "./error-policy.js";
import type { FailurePolicy } from "../graph.js";

const NO_HEADERS: Headers = Object.freeze({});
const TIMED_OUT: unique symbol = Symbol("timed out");
const STOPPED: unique symbol = Symbol("stopped");

type AnyHandler = (ctx: MessageContext, arg: unknown) => unknown;

/** Thrown by `PartitionProcessor.start` when the processor stopped during recovery. */
export class RecoveryCancelled extends GokacError {
  override readonly name = "RecoveryCancelled";
  declare readonly code: "RECOVERY_CANCELLED";
  constructor() {
    super("the processor stopped during recovery", { code: "RECOVERY_CANCELLED" });
  }
}

/** Where the handler currently running is. */
interface Current {
  readonly topic: string;
  readonly offset: number;
  readonly key: string;
}

/** A partition of a processor, from assignment to revocation. */
export class PartitionProcessor implements ContextHost {
  private queue: Promise<unknown> = Promise.resolve();
  /** The group table's write-through cache, with `persist`. */
  private readonly cache: TableCache | undefined;
  /** What the handlers caused since the last flush. */
  private readonly outbox: PendingWrites;
  private readonly trackers = new Map<string, CommitTracker>();
  private commitChain: Promise<void> = Promise.resolve();
  private current: Current = { topic: "", offset: -1, key: "" };
  private closed = false;
  private revoked = false;
  /** Ends the current `wait` (a handler's promise, a retry's backoff) at once. */
  private interrupt: (() => void) | undefined;
  /** A visit is running (a revocation abandons it). */
  private visiting = false;
  /** `close` was called: a running visit stops between keys. */
  private closing = false;
  /** Exactly-once: a failed transaction is being retried (a revocation ends it at once). */
  private retryingTransaction = false;

  // The handler wait running, if any (see `settle`).
  /** Resolves the running wait; `undefined` when none runs. */
  private waitResolve: ((ok: boolean | Promise<boolean>) => void) | undefined;
  private waitHandler: AnyHandler = () => undefined;
  private waitCtx!: MessageContext;
  private waitArg: unknown;
  private waitSource: BrokerMessage | undefined;
  private waitAttempt = 1;
  /** `performance.now()` when the running wait's handler started. */
  private waitStartedAt = 0;
  /** The callbacks the running wait's handler promise settles through (replaced when a wait is abandoned). */
  private waiter = new Waiter(this);
  /** Times out a handler that runs too long: one timer per partition, re-armed as waits come (see `onWatchdog`). */
  private watchdog: ReturnType<typeof setTimeout> | undefined;

  private constructor(
    private readonly rt: GroupRuntime,
    readonly partition: number,
    private readonly table: PartitionTable<unknown> | undefined,
    private readonly joined: ReadonlyMap<string, PartitionTable<unknown>>,
    /** Exactly-once: the partition's transactional producer. */
    private readonly transactional: TransactionalProducer | undefined,
  ) {
    this.cache = table === undefined ? undefined : new TableCache(table, rt.tableCacheBytes);
    this.outbox = new PendingWrites(
      rt.producer,
      partition,
      table,
      transactional === undefined ? undefined : { producer: transactional, group: rt.group, watch: this.retryWatch() },
    );
  }

  /**
   * Opens and recovers the partition's tables (group table, then joins, which keep catching up).
   * Rejects with `RecoveryCancelled` when the processor stops or `abandoned()` turns true (a rebalance started) meanwhile.
   */
  static async start(
    rt: GroupRuntime,
    partition: number,
    abandoned: () => boolean = () => false,
    /** The partition's group table, already open (kept from a standby copy or a previous assignment): only its tail is read. */
    reuse?: PartitionTable<unknown>,
  ): Promise<PartitionProcessor> {
    const emitState = (state: "initializing" | "connecting" | "recovering" | "preparing" | "running") =>
      rt.events.emit("state", { state, partition });
    emitState("initializing");
    const opened: PartitionTable<unknown>[] = [];
    let transactional: TransactionalProducer | undefined;
    try {
      // Exactly-once: fence the partition's previous owner first, so its open transaction is aborted before recovery reads.
      const tx = rt.transactions;
      if (tx !== undefined) transactional = await rt.broker.transactionalProducer?.(`${tx.idPrefix}${partition}`, tx.options);
      const integrity = { policy: rt.onStateMismatch, events: rt.events };
      const table =
        rt.table === undefined
          ? undefined
          : (reuse ?? (await PartitionTable.open(rt.storage, rt.table.topic, partition, rt.table.codec, integrity)));
      if (table !== undefined) opened.push(table);
      const joined = new Map<string, PartitionTable<unknown>>();
      for (const [topic, codec] of rt.joins) {
        const t = await PartitionTable.open(rt.storage, topic, partition, codec, integrity);
        opened.push(t);
        joined.set(topic, t);
      }
      emitState("connecting");
      emitState("recovering");
      const cancelled = () => rt.cancelled || abandoned();
      await Promise.all(opened.map((t) => t.recover(rt.broker, rt.events, cancelled)));
      if (cancelled()) throw new RecoveryCancelled();
      emitState("preparing");
      for (const t of joined.values()) {
        await t.catchUp(rt.broker, (error) =>
          rt.fail(new ProcessorError("storage", { group: rt.group, topic: t.topic, partition, offset: t.offset, key: "" }, error)),
        );
      }
      emitState("running");
      return new PartitionProcessor(rt, partition, table, joined, transactional);
    } catch (error) {
      await Promise.allSettled([...opened.map((t) => t.close()), ...(transactional === undefined ? [] : [transactional.close()])]);
      throw error;
    }
  }

  /** Runs `task` after everything queued before it. */
  enqueue<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(task);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Handles one batch of an input or the loop (queued). */
  handleBatch(batch: Batch): Promise<void> {
    return this.enqueue(() => this.processBatch(batch));
  }

  /** Calls visitor `name` for every key of the partition's table (queued). */
  visit(name: string, meta: unknown): Promise<void> {
    return this.enqueue(() => this.processVisit(name, meta));
  }

  /** The table value of `key` (queued, so it reflects every batch before). */
  read(key: string): Promise<unknown> {
    return this.enqueue(async () => this.cache?.get(key));
  }

  /** Writes `value` (or deletes with `undefined`) as a handler would, outside any message (the tester's `setTableValue`). */
  write(key: string, value: unknown): Promise<void> {
    return this.enqueue(async () => {
      this.current = { topic: "", offset: -1, key };
      if (value === undefined) this.deleteTableValue(key);
      else this.setTableValue(key, value);
      await this.flush();
    });
  }

  /** The processor is stopping: abandons the running handler wait, backoff or visit at once (their messages are not committed). */
  interruptForStop(): void {
    this.closing = true;
    this.interrupt?.();
  }

  /** The changelog offset of the partition's group table (next to read), or `undefined` without a table. */
  get tableOffset(): number | undefined {
    return this.table?.offset;
  }

  /** The number of keys in the partition's group table (a scan of the store), or `undefined` without a table. */
  async countKeys(): Promise<number | undefined> {
    if (this.table === undefined || this.closed) return undefined;
    let n = 0;
    for await (const _ of this.table.store.entries()) n++;
    return n;
  }

  /** Drains the queue, commits what may be, closes the tables. */
  async close(): Promise<void> {
    await this.closeKeepingTable().then((table) => table?.close());
  }

  /** As `close`, but leaves the group table open and returns it (for the partition's next assignment, or a standby copy). */
  async closeKeepingTable(): Promise<PartitionTable<unknown> | undefined> {
    this.closing = true;
    // Stopping abandons a running handler (its message is not committed) and a running visit; a revocation waits for the handler (bounded by its timeout).
    if (this.rt.cancelled || this.visiting || this.retryingTransaction) this.interrupt?.();
    await this.queue;
    this.closed = true;
    clearTimeout(this.watchdog);
    this.watchdog = undefined;
    await this.commitChain;
    // From here the partition may belong to another member: a late `deferCommit` callback commits nothing.
    this.revoked = true;
    await Promise.allSettled([
      ...[...this.joined.values()].map((t) => t.close()),
      ...(this.transactional === undefined ? [] : [this.transactional.close()]),
    ]);
    return this.table;
  }

  // ---- the handler loop ----

  private async processBatch(batch: Batch): Promise<void> {
    const consumed = this.rt.consumed.get(batch.topic);
    const messages = batch.messages;
    const first = messages[0];
    if (this.rt.failed || this.closed || first === undefined) return;
    if (consumed === undefined) {
      this.failAt("handler", first, new Error(`no handler consumes topic ${batch.topic}`));
      return;
    }

    // 1. Decode and prefetch. Messages before an undecodable one are still handled, as in Goka;
    // under a skip or dead-letter policy those after it too.
    let end = messages.length;
    let decodeError: unknown;
    let undecodable: Map<number, unknown> | undefined;
    const values: unknown[] = new Array(messages.length);
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i]!;
      let error: unknown;
      if (m.invalidKey !== undefined) {
        error = new KeyDecodeError("invalid-utf8");
      } else if (m.nullKey === true && this.rt.keyRequired && !(m.value === null && this.rt.ignoreNil)) {
        error = new KeyDecodeError("null");
      } else {
        try {
          values[i] = m.value === null ? null : consumed.codec.decode(m.value);
          continue;
        } catch (e) {
          error = e;
        }
      }
      if (this.rt.errors.decode === "fail") {
        end = i;
        decodeError = error;
        break;
      }
      (undecodable ??= new Map()).set(i, error);
    }
    if (
      !(await this.prefetch(
        messages.slice(0, end).map((m) => m.key),
        first,
      )) ||
      this.rt.failed
    )
      return;

    // 2. Handlers, one at a time; `handled` counts those whose effects are kept.
    const started = performance.now();
    let handled = 0;
    for (; handled < end; handled++) {
      const m = messages[handled]!;
      if (undecodable?.has(handled) === true) {
        this.current = m;
        this.outbox.begin();
        this.reject("decode", m, m, undecodable.get(handled), this.rt.errors.decode);
        continue;
      }
      if (m.value === null && this.rt.ignoreNil) continue;
      this.current = m;
      let ok = this.runHandler(
        consumed.handler,
        new MessageContext(this, m.key, m.topic, m.partition, m.offset, m.timestamp, m.headers),
        values[handled],
        m,
      );
      if (ok !== true && ok !== false) ok = await ok;
      if (!ok) break;
      // Failed elsewhere (another partition, a deferred commit): this message completed, keep it.
      if (this.rt.failed) {
        handled++;
        break;
      }
    }
    if (handled === end && decodeError !== undefined) this.failAt("decode", messages[end]!, decodeError);

    const handlerSeconds = (performance.now() - started) / 1000;
    const emitted = this.outbox.producedCount;

    // 3-4. Produce, store, commit what was handled.
    const next = messages[handled]?.offset ?? messages[messages.length - 1]!.offset + 1;
    if (this.transactional !== undefined) {
      // Exactly-once: the offsets commit in the flush's transaction.
      this.tracker(batch.topic).markProcessed(next);
      const offsets = this.committableOffsets();
      if (!(await this.flush(first, offsets))) return;
      this.emitBatch(batch.topic, handled, emitted, handlerSeconds, next);
      if (offsets.length > 0) this.rt.events.emit("commit", { partition: this.partition, offsets });
      return;
    }
    if (!(await this.flush(first))) return;
    this.emitBatch(batch.topic, handled, emitted, handlerSeconds, next);
    this.tracker(batch.topic).markProcessed(next);
    // Not awaited: the next batch need not wait for the commit round trip. Commits stay
    // ordered on their chain, and `close` (revocation, stop) waits for the last one.
    void this.commit();
  }

  private emitBatch(topic: string, processed: number, emitted: number, handlerSeconds: number, nextOffset: number): void {
    this.rt.events.emit("batch", { topic, partition: this.partition, processed, emitted, handlerSeconds, nextOffset });
  }

  /** Every topic's offset that may be committed now (taken: a later call returns only newer ones). */
  private committableOffsets(): { topic: string; partition: number; offset: number }[] {
    const offsets: { topic: string; partition: number; offset: number }[] = [];
    for (const [topic, tracker] of this.trackers) {
      const offset = tracker.takeCommittable();
      if (offset !== undefined) offsets.push({ topic, partition: this.partition, offset });
    }
    return offsets;
  }

  private async processVisit(name: string, meta: unknown): Promise<void> {
    this.visiting = true;
    try {
      await this.visitKeys(name, meta);
    } finally {
      this.visiting = false;
    }
  }

  private async visitKeys(name: string, meta: unknown): Promise<void> {
    const handler = this.rt.visitors.get(name);
    if (this.rt.failed || this.closed || handler === undefined || this.table === undefined) return;
    const keys: string[] = [];
    try {
      for await (const [key] of this.table.store.entries()) keys.push(key);
    } catch (error) {
      this.failAt("storage", { topic: "", offset: -1, key: "" }, error);
      return;
    }
    for (let start = 0; start < keys.length; start += this.rt.maxBatchSize) {
      // A stopping processor (or a revocation) abandons the visit between chunks (what was visited stays flushed), as Goka cancels visits.
      if (this.rt.cancelled || this.closing) return;
      const chunk = keys.slice(start, start + this.rt.maxBatchSize);
      const where = { topic: "", offset: -1, key: chunk[0] ?? "" };
      if (!(await this.prefetch(chunk, where))) return;
      for (const key of chunk) {
        // As with messages: the keys visited before keep their effects, the failed one's are dropped.
        const ctx = new MessageContext(this, key, "", this.partition, -1, Date.now(), NO_HEADERS);
        this.current = ctx;
        let ok = this.runHandler(handler, ctx, meta, undefined);
        if (ok !== true && ok !== false) ok = await ok;
        if (!ok || this.rt.failed || this.closing) break;
      }
      if (!(await this.flush(where)) || this.rt.failed) return;
    }
  }

  /**
   * Runs one handler (of a message or a visited key) on `ctx`, then closes
   * `ctx`. If it throws (or calls `ctx.fail`, or is still running after the
   * timeout), its effects are dropped and it is retried as the error policy
   * says; then the policy applies. Returns whether processing goes on past
   * this message (false: the processor failed or is stopping), as a promise
   * only when the handler returned one or failed (no promise per message).
   *
   * @param source the message handled (`undefined` for a visited key)
   */
  private runHandler(
    handler: AnyHandler,
    ctx: MessageContext,
    arg: unknown,
    source: BrokerMessage | undefined,
    attempt = 1,
  ): boolean | Promise<boolean> {
    this.outbox.begin();
    this.cache?.mark();
    let result: unknown;
    try {
      result = handler(ctx, arg);
      if (result === undefined || typeof (result as Promise<void>).then !== "function") {
        ctx.close();
        return true;
      }
    } catch (error) {
      ctx.close();
      return this.handlerFailed(handler, ctx, arg, source, attempt, "handler", error);
    }
    return this.settle(result as PromiseLike<unknown>, handler, ctx, arg, source, attempt);
  }

  /**
   * `runHandler`'s end for a handler that returned a promise: it settles, or
   * times out, or the processor stops. One wait runs at a time per partition
   * (handlers run one at a time), so its state lives in fields and its
   * callbacks are bound once: per message this allocates only the promise
   * the loop awaits and the handler promise's reactions, and the timeout is
   * one watchdog timer per partition (`onWatchdog`), not a timer per message.
   */
  private settle(
    result: PromiseLike<unknown>,
    handler: AnyHandler,
    ctx: MessageContext,
    arg: unknown,
    source: BrokerMessage | undefined,
    attempt: number,
  ): Promise<boolean> {
    const done = new Promise<boolean | Promise<boolean>>(this.captureWaitResolve) as Promise<boolean>;
    this.waitHandler = handler;
    this.waitCtx = ctx;
    this.waitArg = arg;
    this.waitSource = source;
    this.waitAttempt = attempt;
    this.waitStartedAt = performance.now();
    this.interrupt = this.interruptWait;
    if (this.watchdog === undefined) this.watchdog = setTimeout(this.onWatchdog, this.rt.errors.timeoutMs);
    else this.watchdog.ref();
    const waiter = this.waiter;
    try {
      result.then(waiter.settled, waiter.rejected);
    } catch (error) {
      // A thenable whose `then` throws failed as a handler that threw.
      waiter.rejected(error);
    }
    return done;
  }

  /** Stores the resolve function of the wait `settle` starts (bound once, so no closure per message). */
  private readonly captureWaitResolve = (resolve: (ok: boolean | Promise<boolean>) => void): void => {
    this.waitResolve = resolve;
  };

  /** @internal The running wait's handler settled: `rejected` with `error`, or not. Called through `waiter`, so only for the running wait. */
  handlerSettled(rejected: boolean, error: unknown): void {
    // A thenable that calls back twice (a native promise cannot).
    if (this.waitResolve === undefined) return;
    const resolve = this.endWait();
    const ctx = this.waitCtx;
    ctx.close();
    if (!rejected) resolve(true);
    else resolve(this.handlerFailed(this.waitHandler, ctx, this.waitArg, this.waitSource, this.waitAttempt, "handler", error));
  }

  /** The watchdog: times out the running wait once its handler has run `timeoutMs`, else fires again when it would. */
  private readonly onWatchdog = (): void => {
    this.watchdog = undefined;
    if (this.waitResolve === undefined) return;
    const timeoutMs = this.rt.errors.timeoutMs;
    const left = this.waitStartedAt + timeoutMs - performance.now();
    // Timers count from the event loop's cached time, which can be a little before `waitStartedAt`.
    if (left >= 1) {
      this.watchdog = setTimeout(this.onWatchdog, Math.ceil(left));
      return;
    }
    const resolve = this.abandonWait();
    resolve(
      this.handlerFailed(
        this.waitHandler,
        this.waitCtx,
        this.waitArg,
        this.waitSource,
        this.waitAttempt,
        "timeout",
        new HandlerTimeoutError(timeoutMs),
      ),
    );
  };

  /** A stop does not wait for the timeout: the handler is abandoned and its message not committed. */
  private readonly interruptWait = (): void => {
    if (this.waitResolve === undefined) return;
    const resolve = this.abandonWait();
    this.abandon();
    resolve(false);
  };

  /** Ends the running wait before its handler settled: a late settle of that handler changes nothing. */
  private abandonWait(): (ok: boolean | Promise<boolean>) => void {
    this.waiter.abandoned = true;
    this.waiter = new Waiter(this);
    const resolve = this.endWait();
    this.waitCtx.close();
    return resolve;
  }

  /** Ends the running wait: returns its resolve function; the watchdog stays armed but no longer keeps the process alive. */
  private endWait(): (ok: boolean | Promise<boolean>) => void {
    const resolve = this.waitResolve!;
    this.waitResolve = undefined;
    if (this.interrupt === this.interruptWait) this.interrupt = undefined;
    this.watchdog?.unref();
    return resolve;
  }

  /** Drops a failed attempt's effects; retries it after the backoff, or applies the policy. */
  private async handlerFailed(
    handler: AnyHandler,
    ctx: MessageContext,
    arg: unknown,
    source: BrokerMessage | undefined,
    attempt: number,
    kind: FailureKind,
    error: unknown,
  ): Promise<boolean> {
    this.abandon();
    const reason = error instanceof HandlerFailure ? error.reason : error;
    const policy = this.rt.errors;
    if (attempt <= policy.retries && !this.rt.cancelled) {
      const delayMs = policy.backoffMs * 2 ** (attempt - 1);
      this.rt.events.emit("handler-retry", {
        group: this.rt.group,
        topic: ctx.topic,
        partition: this.partition,
        offset: ctx.offset,
        key: ctx.key,
        attempt: attempt + 1,
        delayMs,
        error: reason,
      });
      // Stopping: the message is neither retried nor given up on; it is not committed.
      if ((await this.wait(undefined, delayMs)) === STOPPED || this.rt.cancelled) return false;
      return this.runHandler(handler, ctx.renew(), arg, source, attempt + 1);
    }
    return this.reject(kind, ctx, source, reason, policy.handler);
  }

  /**
   * Waits for `work` (or, without it, just `ms`): resolves with its value,
   * `TIMED_OUT` after `ms`, or `STOPPED` when `interrupt` is called (the
   * processor stops). Rejects as `work` does.
   */
  private wait<T>(work: PromiseLike<T> | undefined, ms: number): Promise<T | typeof TIMED_OUT | typeof STOPPED> {
    return new Promise((resolve, reject) => {
      let ended = false;
      /** The first of timeout, interrupt and `work` settling ends the wait; `work` settling after a timeout must not disarm a later wait's interrupt. */
      const end = (): boolean => {
        if (ended) return false;
        ended = true;
        clearTimeout(timer);
        if (this.interrupt === interrupt) this.interrupt = undefined;
        return true;
      };
      const timer = setTimeout(() => {
        if (end()) resolve(TIMED_OUT);
      }, ms);
      const interrupt = () => {
        if (end()) resolve(STOPPED);
      };
      this.interrupt = interrupt;
      work?.then(
        (value) => {
          if (end()) resolve(value);
        },
        (error: unknown) => {
          if (end()) reject(error);
        },
      );
    });
  }

  /** Drops the effects of the current message (its outbox records and cached table writes). */
  private abandon(): void {
    this.outbox.rollback();
    this.cache?.undo();
  }

  /**
   * Applies `policy` to a message (or visited key) that could not be
   * processed: `fail` stops the processor at it (false); `skip` and
   * `dead-letter` let processing go on (true), with an event and a count,
   * the dead letter queued in the outbox. A visited key has no message to
   * dead-letter: it is skipped.
   */
  private reject(kind: FailureKind, where: Current, source: BrokerMessage | undefined, error: unknown, policy: FailurePolicy): boolean {
    if (policy === "fail") {
      this.failAt(kind, where, error);
      return false;
    }
    let applied: "skip" | "dead-letter" = "skip";
    const deadLetter = this.rt.errors.deadLetter;
    if (policy === "dead-letter" && source !== undefined && deadLetter !== undefined) {
      this.outbox.produce(deadLetterRecord(deadLetter, this.partition % this.rt.deadLetterPartitions, this.rt.group, source, kind, error));
      applied = "dead-letter";
    }
    this.rt.failedMessages[applied]++;
    this.rt.events.emit("message-failed", {
      group: this.rt.group,
      topic: where.topic,
      partition: this.partition,
      offset: where.offset,
      key: where.key,
      kind,
      policy: applied,
      error,
    });
    return true;
  }

  /** Loads the table values of `keys` not cached; false if the processor failed. */
  private async prefetch(keys: readonly string[], where: Current): Promise<boolean> {
    if (this.cache === undefined) return true;
    try {
      await this.cache.prefetch(keys);
      return true;
    } catch (error) {
      this.failAt("storage", where, error);
      return false;
    }
  }

  /**
   * How a failed transaction's retries wait (`commitTransaction`): they end
   * at once when the partition is revoked or the processor stops.
   */
  private retryWatch(): RetryWatch {
    return {
      stopped: () => this.closing || this.rt.cancelled,
      wait: async <T>(work: Promise<T> | undefined, ms: number) => {
        this.retryingTransaction = true;
        try {
          // Closing between two steps: no wait is running to interrupt.
          if (this.closing || this.rt.cancelled) {
            work?.catch(() => undefined);
            return "stopped" as const;
          }
          const r = await this.wait(work, ms);
          if (r === STOPPED) {
            work?.catch(() => undefined);
            return "stopped" as const;
          }
          return r === TIMED_OUT ? ("timeout" as const) : { value: r };
        } finally {
          this.retryingTransaction = false;
        }
      },
      settled: (outcome, attempts, ms, error, steps) =>
        this.rt.events.emit("transaction-retry", { group: this.rt.group, partition: this.partition, outcome, attempts, ms, error, steps }),
    };
  }

  /** Flushes the outbox (see `PendingWrites.flush`; `offsets` commit with it, exactly-once); false if that failed the processor (or, exactly-once, the partition closed meanwhile). */
  private async flush(where: Current = this.current, offsets?: { topic: string; partition: number; offset: number }[]): Promise<boolean> {
    const failure = await this.outbox.flush(offsets);
    if (failure === undefined) return true;
    if (failure === "abandoned") return false;
    if (failure === "reloaded") {
      this.cache?.clear();
      return true;
    }
    this.failAt(failure.kind, where, failure.error);
    return false;
  }

  private tracker(topic: string): CommitTracker {
    let t = this.trackers.get(topic);
    if (t === undefined) {
      t = new CommitTracker();
      this.trackers.set(topic, t);
    }
    return t;
  }

  /**
   * Commits every topic's committable offset; commits are chained so they
   * never go backwards. Exactly-once (after a `deferCommit` callback): a
   * transaction of offsets only, queued behind the partition's batches.
   */
  private commit(): Promise<void> {
    if (this.transactional !== undefined) {
      if (this.closed || this.revoked) return Promise.resolve();
      return this.enqueue(async () => {
        if (this.closed || this.revoked) return;
        const offsets = this.committableOffsets();
        if (offsets.length > 0 && (await this.flush(this.current, offsets)))
          this.rt.events.emit("commit", { partition: this.partition, offsets });
      });
    }
    const next = this.commitChain.then(async () => {
      const member = await this.rt.member?.catch(() => undefined);
      // A failed processor still commits what was handled before the failure (the trackers stop there).
      if (this.revoked || member === undefined) return;
      const offsets = this.committableOffsets();
      if (offsets.length === 0) return;
      try {
        await member.commit(offsets);
        this.rt.events.emit("commit", { partition: this.partition, offsets });
      } catch (error) {
        this.failAt("commit", this.current, error);
      }
    });
    this.commitChain = next;
    return next;
  }

  private failAt(kind: ProcessorErrorKind, where: Current | BrokerMessage, cause: unknown): void {
    this.rt.fail(
      new ProcessorError(
        kind,
        { group: this.rt.group, topic: where.topic, partition: this.partition, offset: where.offset, key: where.key },
        cause,
      ),
    );
  }

  // ---- ContextHost: what handlers call ----

  tableValue(key: string): unknown {
    if (this.cache === undefined) throw new Error(`group ${this.rt.group} has no table (persist)`);
    return this.cache.get(key);
  }

  setTableValue(key: string, value: unknown): void {
    const table = this.rt.table;
    if (table === undefined || this.cache === undefined) throw new Error(`group ${this.rt.group} has no table (persist)`);
    if (value === undefined) throw new TypeError("setValue(undefined): use delete() to remove a key");
    // Encoded here so an unencodable value fails the handler that set it.
    const encoded = table.codec.encode(value);
    this.cache.set(key, value, encoded);
    this.outbox.write(key, encoded);
  }

  deleteTableValue(key: string): void {
    if (this.cache === undefined) throw new Error(`group ${this.rt.group} has no table (persist)`);
    this.cache.delete(key);
    this.outbox.write(key, null);
  }

  emit(topic: string, key: string, value: unknown, options: EmitOptions | undefined): void {
    const output = this.rt.outputs.get(topic);
    if (output === undefined) throw new Error(`group ${this.rt.group} does not declare output ${topic}`);
    this.outbox.produce(
      record(
        topic,
        partitionForKey(key, output.partitions, output.partitioner),
        key,
        value === null ? null : output.codec.encode(value),
        options,
      ),
    );
  }

  loopback(key: string, value: unknown, options: EmitOptions | undefined): void {
    const loop = this.rt.loop;
    if (loop === undefined) throw new Error(`group ${this.rt.group} has no loop`);
    this.outbox.produce(
      record(loop.topic, partitionForKey(key, this.rt.partitions, this.rt.partitioner), key, loop.codec.encode(value), options),
    );
  }

  join(table: string, key: string): unknown {
    const t = this.joined.get(table);
    if (t === undefined) throw new Error(`group ${this.rt.group} does not join ${table}`);
    return t.get(key);
  }

  lookup(table: string, key: string): unknown {
    const view = this.rt.lookups.get(table);
    if (view === undefined) throw new Error(`group ${this.rt.group} does not look up ${table}`);
    return view.getNow(key);
  }

  deferCommit(topic: string, offset: number, key: string): (err?: unknown) => void {
    const tracker = offset >= 0 ? this.tracker(topic) : undefined;
    tracker?.defer(offset);
    let called = false;
    // Never silent: a callback still not called after the handler timeout is reported (the commit keeps waiting for it).
    const waitMs = this.rt.errors.timeoutMs;
    const overdue = setTimeout(() => {
      if (!called && !this.revoked)
        this.rt.events.emit("defer-overdue", { group: this.rt.group, topic, partition: this.partition, offset, key, waitedMs: waitMs });
    }, waitMs);
    overdue.unref();
    return (err?: unknown) => {
      if (called) return;
      called = true;
      clearTimeout(overdue);
      if (err !== undefined && err !== null) {
        this.rt.fail(new ProcessorError("deferred", { group: this.rt.group, topic, partition: this.partition, offset, key }, err));
        return;
      }
      if (tracker === undefined) return;
      tracker.resolve(offset);
      void this.commit();
    };
  }
}

function record(topic: string, partition: number, key: string, value: Uint8Array | null, options: EmitOptions | undefined): ProduceRecord {
  return options?.headers === undefined ? { topic, partition, key, value } : { topic, partition, key, value, headers: options.headers };
}

/**
 * The settle callbacks of a partition's handler waits, bound once and
 * reused from wait to wait; an abandoned wait's (timed out, stopped) are
 * disarmed, so its handler settling later changes nothing.
 */
class Waiter {
  abandoned = false;
  constructor(private readonly owner: PartitionProcessor) {}
  readonly settled = (): void => {
    if (!this.abandoned) this.owner.handlerSettled(false, undefined);
  };
  readonly rejected = (error: unknown): void => {
    if (!this.abandoned) this.owner.handlerSettled(true, error);
  };
}
