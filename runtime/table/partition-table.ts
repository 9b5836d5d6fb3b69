/**
 * One partition of a table (Goka's partition table): a local store fed from
 * the table's changelog topic. `recover` reads from the stored offset to the
 * high watermark; `catchUp` keeps reading afterwards (joined tables, views).
 * The group's own table is written by its processor instead (`write`).
 */
import { logOfMessages, type Broker, type LogChunk, type PartitionReader } from "../broker/port.js";
import type { Codec } from "../codecs/codec.js";
import { asError, reasonOf, RecoveryError } from "../errors.js";
import type { EventHub } from "../events.js";
import { recordHash, StateMismatchError, type StateMismatchPolicy } from "../storage/state-errors.js";
import type { Storage, TableChanges, TableStore } from "../storage/storage.js";

const RECOVERY_WAIT_MS = 500;
const CATCH_UP_WAIT_MS = 1_000;
/** How long the identity check waits for the record at the store's offset. */
const IDENTITY_WAIT_MS = 500;

/** What a table does when its store cannot be trusted (see `StateMismatchError`), and where it says so. */
export interface IntegrityOptions {
  /** `rebuild` (default): delete the store and recover it from the changelog, with a `state-rebuilt` event; `fail`: throw. */
  readonly policy?: StateMismatchPolicy;
  readonly events?: EventHub | undefined;
}

/** A table partition backed by a local store. */
export class PartitionTable<V> {
  /** The changelog offset the store reflects (next to read). */
  private position = 0;
  private catchingUp: { reader: PartitionReader; loop: Promise<void>; stopped: boolean } | undefined;
  /** The broker the table recovered from (for re-reading the changelog after a foreign write). */
  private broker: Broker | undefined;
  /**
   * Set once a recovery checked the store against the changelog on `broker`: the store has stayed open
   * since, and what it applied after that is this log's (records read from it, or the processor's own
   * writes, checked as they land), so recovering it again (a partition given back after a rebalance)
   * skips the identity check's look-ups and reads only the tail.
   */
  private identityChecked: Broker | undefined;

  private constructor(
    readonly topic: string,
    readonly partition: number,
    readonly codec: Codec<V>,
    /** The store; replaced when it is rebuilt. */
    public store: TableStore,
    private readonly storage: Storage,
    private readonly integrity: IntegrityOptions,
  ) {}

  /**
   * Opens the partition's store. A damaged store (`StateMismatchError`) is
   * deleted and opened empty under the `rebuild` policy, thrown under `fail`.
   */
  static async open<V>(
    storage: Storage,
    topic: string,
    partition: number,
    codec: Codec<V>,
    integrity: IntegrityOptions = {},
  ): Promise<PartitionTable<V>> {
    let store: TableStore;
    try {
      store = await storage.open(topic, partition);
    } catch (error) {
      if (!(error instanceof StateMismatchError) || !canRebuild(storage, integrity)) throw error;
      store = await rebuilt(storage, error, integrity);
    }
    const table = new PartitionTable(topic, partition, codec, store, storage, integrity);
    try {
      table.position = (await store.offset()) ?? 0;
    } catch (error) {
      if (!(error instanceof StateMismatchError) || !canRebuild(storage, integrity)) throw error;
      await store.close().catch(() => undefined);
      table.store = await rebuilt(storage, error, integrity);
    }
    return table;
  }

  /** The next changelog offset this store has not seen. */
  get offset(): number {
    return this.position;
  }

  /**
   * Reads the changelog from the stored offset up to the high watermark as it
   * was when called, applying each batch atomically with its offset.
   * Resolves with the number of messages read; stops early (without the
   * `recovered` event) once `cancelled()` is true.
   */
  async recover(broker: Broker, events?: EventHub, cancelled: () => boolean = () => false): Promise<number> {
    this.broker = broker;
    const checked = this.identityChecked === broker;
    // Both bounds in one request (the broker shares one in flight per topic); a checked store needs only the high one.
    const [hwm, low] = await Promise.all([
      broker.highWatermark(this.topic, this.partition),
      checked || this.position === 0 ? undefined : broker.lowWatermark?.(this.topic, this.partition),
    ]);
    let recovered = 0;
    const mismatch = await this.checkIdentity(broker, hwm, low, checked);
    if (mismatch !== undefined) {
      if (!canRebuild(this.storage, this.integrity)) throw mismatch;
      await this.store.close();
      this.store = await rebuilt(this.storage, mismatch, this.integrity);
      this.position = 0;
    }
    this.identityChecked = broker;
    if (this.position >= hwm) {
      events?.emit("recovered", { topic: this.topic, partition: this.partition, offset: this.position, recovered });
      return 0;
    }
    const reader = await broker.reader(this.topic, this.partition, this.position);
    // One fetch of look-ahead: the next batch is on its way while this one is written.
    let ahead: Promise<ReadLog> | undefined;
    try {
      ahead = readLog(reader, RECOVERY_WAIT_MS);
      while (this.position < hwm) {
        if (cancelled()) return recovered;
        const chunk = await (ahead ?? readLog(reader, RECOVERY_WAIT_MS));
        ahead = undefined;
        const next = Math.max(this.position, chunk.next);
        if (next < hwm) ahead = readLog(reader, RECOVERY_WAIT_MS);
        await this.applyLog(chunk, next);
        if (chunk.length === 0) continue;
        recovered += chunk.length;
        events?.emit("recovery-progress", { topic: this.topic, partition: this.partition, offset: this.position, hwm, recovered });
      }
    } catch (error) {
      throw error instanceof RecoveryError ? error : new RecoveryError(this.topic, this.partition, this.position, error, true);
    } finally {
      // A fetch still in flight fails once the reader closes; nobody wants its result.
      ahead?.catch(() => undefined);
      await reader.close();
    }
    events?.emit("recovered", { topic: this.topic, partition: this.partition, offset: this.position, recovered });
    return recovered;
  }

  /**
   * Keeps applying new changelog messages until `close` (or `stopCatchingUp`);
   * `onError` gets a failure of the loop. `maxWaitMs` bounds each fetch's
   * wait for new messages, and so how long stopping takes.
   */
  async catchUp(broker: Broker, onError: (error: Error) => void, maxWaitMs = CATCH_UP_WAIT_MS): Promise<void> {
    const reader = await broker.reader(this.topic, this.partition, this.position);
    const state = { reader, stopped: false, loop: Promise.resolve() };
    state.loop = (async () => {
      try {
        while (!state.stopped) {
          const chunk = await readLog(reader, maxWaitMs);
          if (!state.stopped) await this.applyLog(chunk, Math.max(this.position, chunk.next));
        }
      } catch (error) {
        if (!state.stopped) onError(asError(error));
      }
    })();
    this.catchingUp = state;
  }

  /** The decoded value of `key`, read synchronously when the store can. */
  get(key: string): V | undefined | Promise<V | undefined> {
    if (this.store.getSync !== undefined) return this.decode(key, this.store.getSync(key));
    return this.store.get(key).then((raw) => this.decode(key, raw));
  }

  /** Decoded values of `keys`, in order. */
  async getMany(keys: readonly string[]): Promise<(V | undefined)[]> {
    const raws = await this.store.getMany(keys);
    return raws.map((raw, i) => this.decode(keys[i] ?? "", raw));
  }

  /**
   * Writes encoded changes the processor already produced to the changelog,
   * up to `offset` (exclusive). With `first`, the offset the first of them
   * got, checks they landed right after what the store holds: otherwise
   * another writer appended to the changelog meanwhile (an evicted instance
   * still running). Then, under `rebuild`, the store re-reads the changelog
   * up to `offset` instead, and `write` resolves with `true` (values read
   * from the store before may be stale); under `fail` it throws a
   * `StateMismatchError` and writes nothing (a restart recovers from the
   * changelog).
   */
  async write(changes: TableChanges, offset: number, first?: number): Promise<boolean> {
    if (first !== undefined && (first !== this.position || offset - first !== changes.size)) {
      const error = new StateMismatchError(
        "foreign-writer",
        this.topic,
        this.partition,
        undefined,
        `this processor's ${changes.size} changelog records landed at offsets ${first}..${offset - 1}, but the store is at ${this.position}: another instance writes this partition's changelog`,
      );
      if (this.broker === undefined || (this.integrity.policy ?? "rebuild") !== "rebuild") throw error;
      this.integrity.events?.emit("state-rebuilt", { topic: this.topic, partition: this.partition, reason: error.reason, error });
      await this.readUpTo(this.broker, offset);
      return true;
    }
    await this.store.write(changes, offset);
    this.position = Math.max(this.position, offset);
    return false;
  }

  /** Applies the changelog from the store's position up to `offset` (exclusive). */
  private async readUpTo(broker: Broker, offset: number): Promise<void> {
    const reader = await broker.reader(this.topic, this.partition, this.position);
    try {
      while (this.position < offset) {
        const chunk = await readLog(reader, RECOVERY_WAIT_MS);
        await this.applyLog(chunk, Math.max(this.position, chunk.next));
      }
    } finally {
      await reader.close();
    }
  }

  /**
   * Whether the store belongs to this changelog: it must not be ahead of the
   * log, the log must still hold the records after it, and the record just
   * before its offset, if the log has one there, must be the one the store
   * applied last (its `anchor`). A record compacted away since cannot be
   * compared: the check then passes (see docs/runtime.md). A store `checked`
   * before (`identityChecked`) is only checked for being ahead of the log.
   */
  private async checkIdentity(
    broker: Broker,
    hwm: number,
    low: number | undefined,
    checked: boolean,
  ): Promise<StateMismatchError | undefined> {
    const at = this.position;
    if (at === 0) return undefined;
    const mismatch = (reason: "ahead" | "truncated" | "different-log", detail: string) =>
      new StateMismatchError(reason, this.topic, this.partition, undefined, detail);
    if (at > hwm)
      return mismatch(
        "ahead",
        `the store is at offset ${at} but the changelog ends at ${hwm} (topic deleted and recreated, or another cluster)`,
      );
    if (checked) return undefined;
    if (low !== undefined && low > at)
      return mismatch("truncated", `the store is at offset ${at} but the changelog now starts at ${low}: records in between are gone`);
    const anchor = await this.store.anchor?.();
    if (anchor === undefined || (low !== undefined && low > at - 1)) return undefined;
    const reader = await broker.reader(this.topic, this.partition, at - 1);
    try {
      const first = (await reader.next(IDENTITY_WAIT_MS))[0];
      if (first === undefined || first.offset !== at - 1) return undefined;
      if (recordHash(first.key, first.value) === anchor) return undefined;
      return mismatch(
        "different-log",
        `the changelog record at offset ${at - 1} is not the one the store applied there (topic recreated and refilled, or another cluster)`,
      );
    } finally {
      await reader.close();
    }
  }

  /** Stops catching up (the store stays open: a standby copy promoted to active). */
  async stopCatchingUp(): Promise<void> {
    const c = this.catchingUp;
    this.catchingUp = undefined;
    if (c !== undefined) {
      c.stopped = true;
      await c.reader.close();
      await c.loop;
    }
  }

  /** Stops catching up and closes the store. */
  async close(): Promise<void> {
    await this.stopCatchingUp();
    await this.store.close();
  }

  /** Decodes a stored value; a value that no longer decodes is a recovery error (the store is corrupt or the codec changed). */
  decode(key: string, raw: Uint8Array | undefined): V | undefined {
    if (raw === undefined) return undefined;
    try {
      return this.codec.decode(raw);
    } catch (error) {
      throw new RecoveryError(
        this.topic,
        this.partition,
        this.position,
        new Error(`stored value of key ${JSON.stringify(key)} does not decode: ${reasonOf(error)}`),
      );
    }
  }

  /**
   * Writes a stretch of changelog in log order to the store with `offset`
   * (the reader's position after it). An empty stretch only moves the
   * position in memory: it skipped control records or compacted offsets, and
   * the next write stores a later offset anyway.
   */
  private async applyLog(log: LogChunk, offset: number): Promise<void> {
    if (log.length > 0) {
      if (this.store.writeLog !== undefined) {
        await this.store.writeLog(log, offset);
      } else {
        const changes = new Map<string, Uint8Array | null>();
        for (let i = 0; i < log.length; i++) changes.set(log.key(i), log.value(i));
        await this.store.write(changes, offset);
      }
    }
    this.position = Math.max(this.position, offset);
  }
}

type ReadLog = LogChunk & { readonly next: number };

function canRebuild(storage: Storage, integrity: IntegrityOptions): boolean {
  return (integrity.policy ?? "rebuild") === "rebuild" && storage.remove !== undefined;
}

/** Deletes the store `error` is about, tells why, and opens it empty. */
async function rebuilt(storage: Storage, error: StateMismatchError, integrity: IntegrityOptions): Promise<TableStore> {
  integrity.events?.emit("state-rebuilt", { topic: error.topic, partition: error.partition, reason: error.reason, error });
  await storage.remove!(error.topic, error.partition);
  return storage.open(error.topic, error.partition);
}

/** The reader's next stretch of log: its lean `nextLog`, or `next` reshaped (`next: -1` when nothing came). */
function readLog(reader: PartitionReader, maxWaitMs: number): Promise<ReadLog> {
  if (reader.nextLog !== undefined) return reader.nextLog(maxWaitMs);
  return reader.next(maxWaitMs).then((batch) => ({
    ...logOfMessages(batch),
    next: batch.length === 0 ? -1 : batch[batch.length - 1]!.offset + 1,
  }));
}
