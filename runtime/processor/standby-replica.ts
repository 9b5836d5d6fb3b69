/**
 * A warm standby copy of one partition of the group table (hot standby, the
 * spec's `standby: N`): the partition's local store, recovered from the
 * `<group>-table` changelog and then tailing it, exactly as the active
 * owner's store is kept (same format, same offset checkpoint). Promoting it
 * means closing it and opening the partition as active: recovery then reads
 * only the changelog records written since (docs/runtime.md, "Hot standby").
 * A standby never fails the processor: a copy whose reader fails is closed,
 * and its partition recovers as usual if it is ever assigned.
 */
import { PartitionTable } from "../table/partition-table.js";
import type { GroupRuntime } from "./group-runtime.js";

/** How long a tailing fetch waits for new records: bounds how long handing the copy over (promotion) waits for the fetch in flight. */
const TAIL_WAIT_MS = 200;

/** One standby partition, from the assignment that gives it to the next that takes it away. */
export class StandbyReplica {
  private table: PartitionTable<unknown> | undefined;
  private stopped = false;
  private readonly running: Promise<void>;

  private constructor(
    private readonly rt: GroupRuntime,
    readonly partition: number,
    reuse: PartitionTable<unknown> | undefined,
  ) {
    this.table = reuse;
    this.running = this.run().catch(() => this.closeTable());
  }

  /** Starts warming the partition's table in the background; undefined when the group has no table. */
  static start(rt: GroupRuntime, partition: number, reuse?: PartitionTable<unknown>): StandbyReplica | undefined {
    return rt.table === undefined ? undefined : new StandbyReplica(rt, partition, reuse);
  }

  /** The changelog offset the copy has reached (next to read), once its store is open. */
  get offset(): number | undefined {
    return this.table?.offset;
  }

  private async run(): Promise<void> {
    const spec = this.rt.table!;
    this.rt.events.emit("state", { state: "standby", partition: this.partition });
    const table =
      this.table ??
      (await PartitionTable.open(this.rt.storage, spec.topic, this.partition, spec.codec, {
        policy: this.rt.onStateMismatch,
        events: this.rt.events,
      }));
    this.table = table;
    if (this.stopped) return;
    // No recovery events: those tell about partitions becoming active (progress bar, ETA, readiness).
    await table.recover(this.rt.broker, undefined, () => this.stopped || this.rt.cancelled);
    if (this.stopped) return;
    await table.catchUp(this.rt.broker, () => void this.closeTable(), TAIL_WAIT_MS);
  }

  private async closeTable(): Promise<void> {
    const table = this.table;
    this.table = undefined;
    await table?.close().catch(() => undefined);
  }

  /** Stops tailing and hands the open table over (promotion, or the next assignment); `undefined` if it failed or never opened. */
  async release(): Promise<PartitionTable<unknown> | undefined> {
    this.stopped = true;
    await this.running;
    const table = this.table;
    this.table = undefined;
    await table?.stopCatchingUp();
    this.rt.events.emit("state", { state: "stopped", partition: this.partition });
    return table;
  }
}
