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
 * 3. flush the outbox: all table writes, emits and loopbacks in one produce
 *    request, then, once acknowledged, the table changes and the changelog
 *    offset in one store batch;
 * 4. commit the inputs (without waiting for the commit).
 *
 * A failure stops the processor as Goka does: the messages handled before the
 * failed one still go through 3-4 and are committed, the failed message's own
 * effects are dropped, and the commit stops at it.
 */
import { partitionForKey } from "../broker/partitioner.js";
import type { Batch, BrokerMessage, ProduceRecord } from "../broker/port.js";
import type { EmitOptions, Headers } from "../context.js";
import { GokacError, ProcessorError, type ProcessorErrorKind } from "../errors.js";
import { PartitionTable } from "../table/partition-table.js";
import { CommitTracker } from "./commit-tracker.js";
import type { GroupRuntime } from "./group-runtime.js";
import { HandlerFailure } from "./handler-failure.js";
import { type ContextHost, MessageContext } from "./message-context.js";
import { PendingWrites } from "./pending-writes.js";
import { TableCache } from "./table-cache.js";

const NO_HEADERS: Headers = Object.freeze({});

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

  private constructor(
    private readonly rt: GroupRuntime,
    readonly partition: number,
    private readonly table: PartitionTable<unknown> | undefined,
    private readonly joined: ReadonlyMap<string, PartitionTable<unknown>>,
  ) {
    this.cache = table === undefined ? undefined : new TableCache(table);
    this.outbox = new PendingWrites(rt.producer, partition, table);
  }

  /** Opens and recovers the partition's tables (group table, then joins, which keep catching up). */
  static async start(rt: GroupRuntime, partition: number): Promise<PartitionProcessor> {
    const emitState = (state: "initializing" | "connecting" | "recovering" | "preparing" | "running") => rt.events.emit("state", { state, partition });
    emitState("initializing");
    const opened: PartitionTable<unknown>[] = [];
    try {
      const integrity = { policy: rt.onStateMismatch, events: rt.events };
      const table = rt.table === undefined ? undefined : await PartitionTable.open(rt.storage, rt.table.topic, partition, rt.table.codec, integrity);
      if (table !== undefined) opened.push(table);
      const joined = new Map<string, PartitionTable<unknown>>();
      for (const [topic, codec] of rt.joins) {
        const t = await PartitionTable.open(rt.storage, topic, partition, codec, integrity);
        opened.push(t);
        joined.set(topic, t);
      }
      emitState("connecting");
      emitState("recovering");
      await Promise.all(opened.map((t) => t.recover(rt.broker, rt.events, () => rt.cancelled)));
      if (rt.cancelled) throw new RecoveryCancelled();
      emitState("preparing");
      for (const t of joined.values()) {
        await t.catchUp(rt.broker, (error) => rt.fail(new ProcessorError("storage", { group: rt.group, topic: t.topic, partition, offset: t.offset, key: "" }, error)));
      }
      emitState("running");
      return new PartitionProcessor(rt, partition, table, joined);
    } catch (error) {
      await Promise.allSettled(opened.map((t) => t.close()));
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

  /** The number of keys in the partition's group table (a scan of the store), or `undefined` without a table. */
  async countKeys(): Promise<number | undefined> {
    if (this.table === undefined || this.closed) return undefined;
    let n = 0;
    for await (const _ of this.table.store.entries()) n++;
    return n;
  }

  /** Drains the queue, commits what may be, closes the tables. */
  async close(): Promise<void> {
    await this.queue;
    this.closed = true;
    await this.commitChain;
    // From here the partition may belong to another member: a late `deferCommit` callback commits nothing.
    this.revoked = true;
    await Promise.allSettled([this.table, ...this.joined.values()].flatMap((t) => (t === undefined ? [] : [t.close()])));
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

    // 1. Decode and prefetch. Messages before an undecodable one are still handled, as in Goka.
    let end = messages.length;
    let decodeError: unknown;
    const values: unknown[] = new Array(messages.length);
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i]!;
      try {
        if (m.invalidKey !== undefined) throw new Error(`key is not valid UTF-8 (${Buffer.from(m.invalidKey).toString("hex")})`);
        values[i] = m.value === null ? null : consumed.codec.decode(m.value);
      } catch (error) {
        end = i;
        decodeError = error;
        break;
      }
    }
    if (!(await this.prefetch(messages.slice(0, end).map((m) => m.key), first)) || this.rt.failed) return;

    // 2. Handlers, one at a time; `handled` counts those whose effects are kept.
    const started = performance.now();
    let handled = 0;
    for (; handled < end; handled++) {
      const m = messages[handled]!;
      if (m.value === null && this.rt.ignoreNil) continue;
      this.current = m;
      let ok = this.runHandler(consumed.handler, new MessageContext(this, m.key, m.topic, m.partition, m.offset, m.timestamp, m.headers), values[handled]);
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
    if (!(await this.flush(first))) return;
    const next = messages[handled]?.offset ?? messages[messages.length - 1]!.offset + 1;
    this.rt.events.emit("batch", { topic: batch.topic, partition: this.partition, processed: handled, emitted, handlerSeconds, nextOffset: next });
    this.tracker(batch.topic).markProcessed(next);
    // Not awaited: the next batch need not wait for the commit round trip. Commits stay
    // ordered on their chain, and `close` (revocation, stop) waits for the last one.
    void this.commit();
  }

  private async processVisit(name: string, meta: unknown): Promise<void> {
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
      // A stopping processor abandons the visit between chunks (what was visited stays flushed), as Goka cancels visits.
      if (this.rt.cancelled) return;
      const chunk = keys.slice(start, start + this.rt.maxBatchSize);
      const where = { topic: "", offset: -1, key: chunk[0] ?? "" };
      if (!(await this.prefetch(chunk, where))) return;
      for (const key of chunk) {
        // As with messages: the keys visited before keep their effects, the failed one's are dropped.
        const ctx = new MessageContext(this, key, "", this.partition, -1, Date.now(), NO_HEADERS);
        this.current = ctx;
        let ok = this.runHandler(handler, ctx, meta);
        if (ok !== true && ok !== false) ok = await ok;
        if (!ok || this.rt.failed) break;
      }
      if (!(await this.flush(where)) || this.rt.failed) return;
    }
  }

  /**
   * Runs one handler (of a message or a visited key) on `ctx`, then closes
   * `ctx`. If it throws (or calls `ctx.fail`), its effects are dropped and
   * the processor fails at its message. Returns whether it succeeded, as a
   * promise only when the handler returned one (no promise per message).
   */
  private runHandler(handler: AnyHandler, ctx: MessageContext, arg: unknown): boolean | Promise<boolean> {
    this.outbox.begin();
    let result: unknown;
    try {
      result = handler(ctx, arg);
      if (result === undefined || typeof (result as Promise<void>).then !== "function") {
        ctx.close();
        return true;
      }
    } catch (error) {
      this.rollback(ctx, error);
      ctx.close();
      return false;
    }
    return this.settle(result as PromiseLike<unknown>, ctx);
  }

  /** `runHandler`'s end for a handler that returned a promise. */
  private async settle(result: PromiseLike<unknown>, ctx: MessageContext): Promise<boolean> {
    try {
      await result;
    } catch (error) {
      this.rollback(ctx, error);
      return false;
    } finally {
      ctx.close();
    }
    return true;
  }

  /** Drops a failed handler's effects (and the cache they went through) and fails the processor at its message. */
  private rollback(where: Current, error: unknown): void {
    this.outbox.rollback();
    // The processor stops: reads until then fall through to the store, which holds what was flushed.
    this.cache?.clear();
    this.failAt("handler", where, error instanceof HandlerFailure ? error.reason : error);
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

  /** Flushes the outbox (see `PendingWrites.flush`); false if that failed the processor. */
  private async flush(where: Current = this.current): Promise<boolean> {
    const failure = await this.outbox.flush();
    if (failure === undefined) return true;
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

  /** Commits every topic's committable offset; commits are chained so they never go backwards. */
  private commit(): Promise<void> {
    const next = this.commitChain.then(async () => {
      const member = await this.rt.member?.catch(() => undefined);
      // A failed processor still commits what was handled before the failure (the trackers stop there).
      if (this.revoked || member === undefined) return;
      const offsets: { topic: string; partition: number; offset: number }[] = [];
      for (const [topic, tracker] of this.trackers) {
        const offset = tracker.takeCommittable();
        if (offset !== undefined) offsets.push({ topic, partition: this.partition, offset });
      }
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
    this.rt.fail(new ProcessorError(kind, { group: this.rt.group, topic: where.topic, partition: this.partition, offset: where.offset, key: where.key }, cause));
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
    this.outbox.produce(record(topic, partitionForKey(key, output.partitions, output.partitioner), key, value === null ? null : output.codec.encode(value), options));
  }

  loopback(key: string, value: unknown, options: EmitOptions | undefined): void {
    const loop = this.rt.loop;
    if (loop === undefined) throw new Error(`group ${this.rt.group} has no loop`);
    this.outbox.produce(record(loop.topic, partitionForKey(key, this.rt.partitions, this.rt.partitioner), key, loop.codec.encode(value), options));
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
    return (err?: unknown) => {
      if (called) return;
      called = true;
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
