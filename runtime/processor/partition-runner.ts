/**
 * One assigned partition of a processor (Goka's partition processor): its
 * group table and joined table partitions, a queue that runs the partition's
 * batches (every input, the loop) and visits one at a time, and the batch
 * pipeline:
 *
 * 1. decode the batch; read every key it touches from the store at once;
 * 2. run the handlers in order against a write-through cache, without a
 *    promise per message unless a handler returns one;
 * 3. send all table writes, emits and loopbacks in one produce request;
 * 4. once acknowledged, write the table changes and the changelog offset in
 *    one store batch, then commit the inputs (without waiting for the commit).
 *
 * A failure stops the processor as Goka does: the messages handled before the
 * failed one still go through 3-4 and are committed, the failed message's own
 * effects are dropped, and the commit stops at it.
 */
import { partitionForKey } from "../broker/partitioner.js";
import type { Batch, BrokerMessage, ProduceRecord } from "../broker/port.js";
import type { EmitOptions, Headers } from "../context.js";
import { ProcessorError, type ProcessorErrorKind } from "../errors.js";
import { PartitionTable } from "../table/partition-table.js";
import { CommitTracker } from "./commit-tracker.js";
import type { GroupRuntime } from "./group-runtime.js";
import { HandlerFailure } from "./handler-failure.js";
import { type ContextHost, MessageContext } from "./message-context.js";

const NO_HEADERS: Headers = Object.freeze({});
/** Table values kept between batches; only this runner writes its table partition, so they stay valid. */
const CACHE_LIMIT = 50_000;

/**
 * A cached table value kept as its encoding. Objects are cached this way and
 * decoded afresh on every read, so a handler mutating what `value()` gave it
 * (without `setValue`) cannot change the table behind the store's back, as in
 * Goka, where every `Value()` decodes. Primitives are immutable and cached
 * decoded.
 */
class Encoded {
  constructor(readonly bytes: Uint8Array) {}
}

function cacheable(value: unknown, bytes: Uint8Array): unknown {
  return typeof value === "object" && value !== null ? new Encoded(bytes) : value;
}

/** Thrown by `PartitionRunner.start` when the processor stopped during recovery. */
export class RecoveryCancelled extends Error {
  override readonly name = "RecoveryCancelled";
}

/** Where the handler currently running is. */
interface Current {
  readonly topic: string;
  readonly offset: number;
  readonly key: string;
}

/** A partition of a processor, from assignment to revocation. */
export class PartitionRunner implements ContextHost {
  private queue: Promise<unknown> = Promise.resolve();
  /** Table values by key: decoded primitives, `Encoded` objects, or `undefined` for an absent key. */
  private readonly cache = new Map<string, unknown>();
  private readonly trackers = new Map<string, CommitTracker>();
  private commitChain: Promise<void> = Promise.resolve();
  private records: ProduceRecord[] = [];
  /**
   * Table writes in order, as parallel key/value logs (`null` deletes): a
   * failed message's writes are dropped by truncating to where it began.
   */
  private changedKeys: string[] = [];
  private changedValues: (Uint8Array | null)[] = [];
  private current: Current = { topic: "", offset: -1, key: "" };
  private closed = false;
  private revoked = false;

  private constructor(
    private readonly rt: GroupRuntime,
    readonly partition: number,
    private readonly table: PartitionTable<unknown> | undefined,
    private readonly joined: ReadonlyMap<string, PartitionTable<unknown>>,
  ) {}

  /** Opens and recovers the partition's tables (group table, then joins, which keep catching up). */
  static async start(rt: GroupRuntime, partition: number): Promise<PartitionRunner> {
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
      return new PartitionRunner(rt, partition, table, joined);
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
    return this.enqueue(async () => {
      if (this.table === undefined) return undefined;
      if (this.cache.has(key)) return this.cached(key);
      return this.table.get(key);
    });
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

  /** Drains the queue, commits what may be, closes the tables. */
  async close(): Promise<void> {
    await this.queue;
    this.closed = true;
    await this.commitChain;
    // From here the partition may belong to another member: a late `deferCommit` callback commits nothing.
    this.revoked = true;
    await Promise.allSettled([this.table, ...this.joined.values()].map((t) => t?.close()));
  }

  // ---- the batch pipeline ----

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
        values[i] = m.value === null ? null : consumed.codec.decode(m.value);
      } catch (error) {
        end = i;
        decodeError = error;
        break;
      }
    }
    if (!(await this.prefetch(messages.slice(0, end).map((m) => m.key), first)) || this.rt.failed) return;

    // 2. Handlers, one at a time; `handled` counts those whose effects are kept.
    let handled = 0;
    for (; handled < end; handled++) {
      const m = messages[handled]!;
      if (m.value === null && this.rt.ignoreNil) continue;
      this.current = m;
      const records = this.records.length;
      const changes = this.changedKeys.length;
      const ctx = new MessageContext(this, m.key, m.topic, m.partition, m.offset, m.timestamp, m.headers);
      try {
        const result = consumed.handler(ctx, values[handled]);
        if (result !== undefined && typeof (result as Promise<void>).then === "function") await result;
      } catch (error) {
        this.dropSince(records, changes);
        this.failAt("handler", m, error instanceof HandlerFailure ? error.reason : error);
        break;
      } finally {
        ctx.close();
      }
      // Failed elsewhere (another partition, a deferred commit): this message completed, keep it.
      if (this.rt.failed) {
        handled++;
        break;
      }
    }
    if (handled === end && decodeError !== undefined) this.failAt("decode", messages[end]!, decodeError);

    // 3-4. Produce, store, commit what was handled.
    if (!(await this.flush(first))) return;
    const next = messages[handled]?.offset ?? messages[messages.length - 1]!.offset + 1;
    this.tracker(batch.topic).markProcessed(next);
    // Not awaited: the next batch need not wait for the commit round trip. Commits stay
    // ordered on their chain, and `close` (revocation, stop) waits for the last one.
    void this.commit();
  }

  /** Drops the records and table writes made since the marks (a failed handler's), and the cache they went through. */
  private dropSince(records: number, changes: number): void {
    this.records.length = records;
    this.changedKeys.length = changes;
    this.changedValues.length = changes;
    // The processor stops: reads until then fall through to the store, which holds what was flushed.
    this.cache.clear();
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
        this.current = { topic: "", offset: -1, key };
        const records = this.records.length;
        const changes = this.changedKeys.length;
        const ctx = new MessageContext(this, key, "", this.partition, -1, Date.now(), NO_HEADERS);
        try {
          const result = handler(ctx, meta);
          if (result !== undefined && typeof (result as Promise<void>).then === "function") await result;
        } catch (error) {
          // As with messages: the keys visited before keep their effects, the failed one's are dropped.
          this.dropSince(records, changes);
          this.failAt("handler", this.current, error instanceof HandlerFailure ? error.reason : error);
          break;
        } finally {
          ctx.close();
        }
        if (this.rt.failed) break;
      }
      if (!(await this.flush(where)) || this.rt.failed) return;
    }
  }

  /** Loads the table values of `keys` not cached; false if the processor failed. */
  private async prefetch(keys: readonly string[], where: Current): Promise<boolean> {
    if (this.table === undefined) return true;
    if (this.cache.size > CACHE_LIMIT) this.cache.clear();
    const missing = [...new Set(keys)].filter((k) => !this.cache.has(k));
    if (missing.length === 0) return true;
    try {
      const raws = await this.table.store.getMany(missing);
      for (let i = 0; i < missing.length; i++) {
        const key = missing[i]!;
        const raw = raws[i];
        // Decoded on first read (see `cached`), so object values are not decoded twice.
        this.cache.set(key, raw === undefined ? undefined : new Encoded(raw));
      }
      return true;
    } catch (error) {
      this.failAt("storage", where, error);
      return false;
    }
  }

  /**
   * Sends what the handlers produced, then stores the table changes with the
   * changelog offset. The changelog gets each key's last value of the batch
   * only: compaction would drop the others anyway, and readers of the table
   * (joins, views, recovery) need only the latest value.
   */
  private async flush(where: Current = this.current): Promise<boolean> {
    const records = this.records;
    const keys = this.changedKeys;
    const values = this.changedValues;
    if (records.length === 0 && keys.length === 0) return true;
    this.records = [];
    this.changedKeys = [];
    this.changedValues = [];
    const changes = new Map<string, Uint8Array | null>();
    for (let i = 0; i < keys.length; i++) changes.set(keys[i]!, values[i]!);
    const tableTopic = this.rt.table?.topic;
    if (tableTopic !== undefined) for (const [key, value] of changes) records.push({ topic: tableTopic, partition: this.partition, key, value });
    let produced;
    try {
      produced = await this.rt.producer.send(records);
    } catch (error) {
      this.failAt("produce", where, error);
      return false;
    }
    if (this.table === undefined || changes.size === 0) return true;
    let tableOffset = -1;
    let tableFirst = Infinity;
    for (const p of produced) {
      if (p.topic !== this.table.topic) continue;
      if (p.offset > tableOffset) tableOffset = p.offset;
      if (p.offset < tableFirst) tableFirst = p.offset;
    }
    try {
      // `true`: another writer's records were read into the store; cached values may be stale.
      if (await this.table.write(changes, tableOffset + 1, tableFirst)) this.cache.clear();
    } catch (error) {
      this.failAt("storage", where, error);
      return false;
    }
    return true;
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

  /** The cached value of `key` (which must be cached), decoded if kept encoded. */
  private cached(key: string): unknown {
    const entry = this.cache.get(key);
    if (!(entry instanceof Encoded)) return entry;
    const value = this.table?.decode(key, entry.bytes);
    // Primitives are immutable: keep them decoded.
    if (typeof value !== "object" || value === null) this.cache.set(key, value);
    return value;
  }

  tableValue(key: string): unknown {
    if (this.table === undefined) throw new Error(`group ${this.rt.group} has no table (persist)`);
    if (this.cache.has(key)) return this.cached(key);
    // Keys outside the prefetch (not the message's key) are read on demand.
    return this.table.get(key);
  }

  setTableValue(key: string, value: unknown): void {
    const table = this.rt.table;
    if (table === undefined) throw new Error(`group ${this.rt.group} has no table (persist)`);
    if (value === undefined) throw new TypeError("setValue(undefined): use delete() to remove a key");
    // Encoded here so an unencodable value fails the handler that set it.
    const encoded = table.codec.encode(value);
    this.cache.set(key, cacheable(value, encoded));
    this.changedKeys.push(key);
    this.changedValues.push(encoded);
  }

  deleteTableValue(key: string): void {
    const table = this.rt.table;
    if (table === undefined) throw new Error(`group ${this.rt.group} has no table (persist)`);
    this.cache.set(key, undefined);
    this.changedKeys.push(key);
    this.changedValues.push(null);
  }

  emit(topic: string, key: string, value: unknown, options: EmitOptions | undefined): void {
    const output = this.rt.outputs.get(topic);
    if (output === undefined) throw new Error(`group ${this.rt.group} does not declare output ${topic}`);
    this.records.push(record(topic, partitionForKey(key, output.partitions), key, value === null ? null : output.codec.encode(value), options));
  }

  loopback(key: string, value: unknown, options: EmitOptions | undefined): void {
    const loop = this.rt.loop;
    if (loop === undefined) throw new Error(`group ${this.rt.group} has no loop`);
    this.records.push(record(loop.topic, partitionForKey(key, this.rt.partitions), key, loop.codec.encode(value), options));
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
