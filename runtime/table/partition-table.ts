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
import type { Storage, TableChanges, TableStore } from "../storage/storage.js";

const RECOVERY_WAIT_MS = 500;
const CATCH_UP_WAIT_MS = 1_000;

/** A table partition backed by a local store. */
export class PartitionTable<V> {
  /** The changelog offset the store reflects (next to read). */
  private position = 0;
  private catchingUp: { reader: PartitionReader; loop: Promise<void>; stopped: boolean } | undefined;

  private constructor(
    readonly topic: string,
    readonly partition: number,
    readonly codec: Codec<V>,
    readonly store: TableStore,
  ) {}

  /** Opens the partition's store. */
  static async open<V>(storage: Storage, topic: string, partition: number, codec: Codec<V>): Promise<PartitionTable<V>> {
    const store = await storage.open(topic, partition);
    const table = new PartitionTable(topic, partition, codec, store);
    table.position = (await store.offset()) ?? 0;
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
    const hwm = await broker.highWatermark(this.topic, this.partition);
    let recovered = 0;
    if (this.position > hwm) {
      // As Goka: a store ahead of its changelog belongs to a topic that was deleted and recreated; its values cannot be trusted.
      throw new RecoveryError(
        this.topic,
        this.partition,
        this.position,
        new Error(`the local store is at offset ${this.position} but the changelog ends at ${hwm} (topic recreated?); delete the state directory to recover from the changelog`),
      );
    }
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

  /** Keeps applying new changelog messages until `stop`; `onError` gets a failure of the loop. */
  async catchUp(broker: Broker, onError: (error: Error) => void): Promise<void> {
    const reader = await broker.reader(this.topic, this.partition, this.position);
    const state = { reader, stopped: false, loop: Promise.resolve() };
    state.loop = (async () => {
      try {
        while (!state.stopped) {
          const chunk = await readLog(reader, CATCH_UP_WAIT_MS);
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

  /** Writes encoded changes the processor already produced to the changelog, up to `offset` (exclusive). */
  async write(changes: TableChanges, offset: number): Promise<void> {
    await this.store.write(changes, offset);
    this.position = Math.max(this.position, offset);
  }

  /** Stops catching up and closes the store. */
  async close(): Promise<void> {
    const c = this.catchingUp;
    this.catchingUp = undefined;
    if (c !== undefined) {
      c.stopped = true;
      await c.reader.close();
      await c.loop;
    }
    await this.store.close();
  }

  /** Decodes a stored value; a value that no longer decodes is a recovery error (the store is corrupt or the codec changed). */
  decode(key: string, raw: Uint8Array | undefined): V | undefined {
    if (raw === undefined) return undefined;
    try {
      return this.codec.decode(raw);
    } catch (error) {
      throw new RecoveryError(this.topic, this.partition, this.position, new Error(`stored value of key ${JSON.stringify(key)} does not decode: ${reasonOf(error)}`));
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

/** The reader's next stretch of log: its lean `nextLog`, or `next` reshaped (`next: -1` when nothing came). */
function readLog(reader: PartitionReader, maxWaitMs: number): Promise<ReadLog> {
  if (reader.nextLog !== undefined) return reader.nextLog(maxWaitMs);
  return reader.next(maxWaitMs).then((batch) => ({
    ...logOfMessages(batch),
    next: batch.length === 0 ? -1 : batch[batch.length - 1]!.offset + 1,
  }));
}
