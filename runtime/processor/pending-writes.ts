/**
 * The outbox of one partition processor: what its handlers caused since the
 * last flush (emits, loopbacks, dead letters, group-table writes), sent once
 * the batch is handled: outputs first, then the changelog (see `flush`).
 * Once every record is acknowledged, the table changes are written to the
 * store with the changelog offset, in one batch. A failed handler's effects are dropped by rolling back to where its
 * message began. Exactly-once, a flush is one Kafka transaction (see `flush`).
 */
import type { ProducedOffset, ProduceRecord, Producer, TopicPartition, TransactionalProducer } from "../broker/port.js";
import type { PartitionTable } from "../table/partition-table.js";
import { commitTransaction, type RetryWatch } from "./transaction-retry.js";

/** Why a flush failed: the produce was not acknowledged, or the store write failed. */
export interface FlushFailure {
  readonly kind: "produce" | "storage";
  readonly error: unknown;
}

/** What the handlers of one partition produced and wrote, until flushed. */
export class PendingWrites {
  private records: ProduceRecord[] = [];

  /** Records produced (outputs, loopbacks) and not yet flushed. */
  get producedCount(): number {
    return this.records.length;
  }
  /**
   * Table writes in order, as parallel key/value logs (`null` deletes): a
   * failed message's writes are dropped by truncating to where it began.
   */
  private changedKeys: string[] = [];
  private changedValues: (Uint8Array | null)[] = [];
  /** Where the current message's effects begin (see `begin`, `rollback`). */
  private recordsMark = 0;
  private changesMark = 0;

  /**
   * @param table the group-table partition the changes go to (and whose topic is the changelog), if the group persists
   * @param transactional exactly-once: the partition's transactional producer, the group whose offsets it commits, and
   *   how a failed transaction's retries wait (without `watch`, a failed transaction fails the flush at once)
   */
  constructor(
    private readonly producer: Producer,
    private readonly partition: number,
    private readonly table: PartitionTable<unknown> | undefined,
    private readonly transactional?: { readonly producer: TransactionalProducer; readonly group: string; readonly watch?: RetryWatch },
  ) {}

  /** Marks where the next message's effects begin. */
  begin(): void {
    this.recordsMark = this.records.length;
    this.changesMark = this.changedKeys.length;
  }

  /** Drops the records and table writes made since `begin` (a failed handler's). */
  rollback(): void {
    this.records.length = this.recordsMark;
    this.changedKeys.length = this.changesMark;
    this.changedValues.length = this.changesMark;
  }

  /** Queues a record (an emit or a loopback). */
  produce(record: ProduceRecord): void {
    this.records.push(record);
  }

  /** Queues a group-table write of `encoded` to `key` (`null` deletes). */
  write(key: string, encoded: Uint8Array | null): void {
    this.changedKeys.push(key);
    this.changedValues.push(encoded);
  }

  /**
   * Sends what the handlers produced (emits, loopbacks, dead letters); once
   * acknowledged, the table changes to the changelog; once those are
   * acknowledged, stores them with the changelog offset. Resolves with what
   * failed, if anything. The order matters for at-least-once (issue 11, D4):
   * a crash or failed send between the two leaves the outputs sent and the
   * table unchanged, so reprocessing the batch duplicates outputs rather
   * than applying table changes twice and losing emits. The changelog
   * gets each key's last value of the batch only: compaction would drop the
   * others anyway, and readers of the table (joins, views, recovery) need
   * only the latest value. `"reloaded"`: the store found another writer's
   * records on the changelog and re-read them (the caller drops its cache).
   *
   * Exactly-once (a transactional producer): outputs, changelog and the
   * input `offsets` go in one transaction instead, and the store is written
   * only once it committed; an aborted transaction writes nothing. (`offsets`
   * is ignored at-least-once: the caller commits through the group member.)
   * A failed transaction is retried through outages (`commitTransaction`):
   * `"abandoned"` when the partition was revoked or the processor stopped
   * meanwhile (nothing of the batch stored, its outcome left to the
   * partition's next owner).
   */
  async flush(
    offsets: readonly (TopicPartition & { readonly offset: number })[] = [],
  ): Promise<FlushFailure | "reloaded" | "abandoned" | undefined> {
    const records = this.records;
    const keys = this.changedKeys;
    const values = this.changedValues;
    const transactional = this.transactional;
    if (records.length === 0 && keys.length === 0 && (transactional === undefined || offsets.length === 0)) return undefined;
    this.records = [];
    this.changedKeys = [];
    this.changedValues = [];
    this.recordsMark = 0;
    this.changesMark = 0;
    const changes = new Map<string, Uint8Array | null>();
    for (let i = 0; i < keys.length; i++) changes.set(keys[i]!, values[i]!);
    const table = this.table;
    const changelog: ProduceRecord[] = [];
    if (table !== undefined)
      for (const [key, value] of changes) changelog.push({ topic: table.topic, partition: this.partition, key, value });
    let produced: readonly ProducedOffset[] = [];
    /** The changelog's end, when a retried transaction turned out committed without its answer (the records' offsets unknown). */
    let changelogEnd: number | undefined;
    try {
      if (transactional !== undefined) {
        const committing = offsets.length === 0 ? undefined : { group: transactional.group, offsets };
        const result = await commitTransaction(
          transactional.producer,
          changelog.length === 0 ? records : [...records, ...changelog],
          committing,
          transactional.watch,
          table === undefined || changelog.length === 0 ? undefined : { topic: table.topic, partition: this.partition },
        );
        if (result.kind === "abandoned") return "abandoned";
        if (result.kind === "failed") return { kind: "produce", error: result.error };
        if (result.kind === "sent") produced = result.produced;
        else changelogEnd = result.changelogEnd;
      } else {
        // One round trip when only one of the two has records.
        if (records.length > 0) await this.producer.send(records);
        if (changelog.length > 0) produced = await this.producer.send(changelog);
      }
    } catch (error) {
      return { kind: "produce", error };
    }
    if (table === undefined || changes.size === 0) return undefined;
    let tableOffset = -1;
    let tableFirst = Infinity;
    for (const p of produced) {
      if (p.topic !== table.topic) continue;
      if (p.offset > tableOffset) tableOffset = p.offset;
      if (p.offset < tableFirst) tableFirst = p.offset;
    }
    // Exactly-once: the previous transaction's commit marker may sit at the store's offset, just before these records.
    let first: number | undefined = transactional !== undefined && tableFirst === table.offset + 1 ? undefined : tableFirst;
    if (changelogEnd !== undefined) {
      // Committed, answer lost: this partition's producer is the changelog's only writer, so its end follows these records' commit marker.
      tableOffset = changelogEnd - 1;
      first = undefined;
    }
    try {
      // `true`: another writer's records were read into the store (state integrity); cached values may be stale.
      return (await table.write(changes, tableOffset + 1, first)) ? "reloaded" : undefined;
    } catch (error) {
      return { kind: "storage", error };
    }
  }
}
