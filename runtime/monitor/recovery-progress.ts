/**
 * A processor's table recovery as one figure per group, for a progress bar
 * (`gokac run` on a terminal): changelog records recovered of the total to
 * read over every table partition recovering, the combined rate (the sum of
 * each partition's `RecoveryEta` rate: partitions recover concurrently) and
 * the time left at that rate.
 */
import type { Processor } from "../processor/processor.js";
import { RecoveryEta } from "./eta.js";

/** One group's recovery at a moment. */
export interface GroupRecoveryProgress {
  readonly group: string;
  /** Changelog records read so far (offsets, strictly) over every table partition of this recovery. */
  readonly recovered: number;
  /** Records to read in all, as far as the partitions reported so far tell. */
  readonly total: number;
  /** Table partitions in this recovery, and how many are done. */
  readonly partitions: number;
  readonly partitionsDone: number;
  /** Records per second, once known. */
  readonly ratePerSecond: number | undefined;
  /** Seconds left at that rate, once known. */
  readonly etaSeconds: number | undefined;
  /** Seconds since the recovery started. */
  readonly elapsedSeconds: number;
  /** Every partition of this recovery reached its high watermark. */
  readonly done: boolean;
}

/** Options of `trackRecovery`. */
export interface TrackRecoveryOptions {
  readonly now?: () => number;
}

interface Entry {
  readonly eta: RecoveryEta;
  readonly start: number;
  offset: number;
  hwm: number;
  done: boolean;
}

/**
 * Calls `onChange` with the group's recovery whenever it advances, and once
 * with `done: true` when every table partition recovering has finished
 * (the next recovery, after a rebalance, starts from zero). Returns a
 * function that stops tracking.
 */
export function trackRecovery(
  processor: Processor<any>,
  onChange: (progress: GroupRecoveryProgress) => void,
  options: TrackRecoveryOptions = {},
): () => void {
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  let startedAt = now();
  /** When each partition entered `recovering`: the rate's time base (the first progress report comes a fetch later). */
  const recoveringSince = new Map<number, number>();

  function entry(topic: string, partition: number, start: number): Entry {
    const id = `${topic}/${partition}`;
    let e = entries.get(id);
    if (e === undefined) {
      const since = recoveringSince.get(partition) ?? now();
      if (entries.size === 0) startedAt = since;
      const eta = new RecoveryEta({ now });
      eta.begin(start, since);
      e = { eta, start, offset: start, hwm: start, done: false };
      entries.set(id, e);
    }
    return e;
  }

  function report(): void {
    let recovered = 0;
    let total = 0;
    let rate: number | undefined;
    let done = 0;
    for (const e of entries.values()) {
      recovered += e.offset - e.start;
      total += Math.max(e.hwm, e.offset) - e.start;
      if (e.done) done++;
      else if (e.eta.rate !== undefined) rate = (rate ?? 0) + e.eta.rate;
    }
    const remaining = Math.max(0, total - recovered);
    const finished = entries.size > 0 && done === entries.size;
    onChange({
      group: processor.group,
      recovered,
      total,
      partitions: entries.size,
      partitionsDone: done,
      ratePerSecond: rate,
      etaSeconds: finished ? 0 : rate === undefined || rate <= 0 ? undefined : remaining / rate,
      elapsedSeconds: Math.max(0, (now() - startedAt) / 1000),
      done: finished,
    });
    if (finished) entries.clear();
  }

  const offs = [
    processor.on("state", ({ state, partition }) => {
      if (partition !== undefined && state === "recovering") recoveringSince.set(partition, now());
    }),
    processor.on("recovery-progress", ({ topic, partition, offset, hwm, recovered }) => {
      const e = entry(topic, partition, offset - recovered);
      e.eta.update(offset, hwm);
      e.offset = offset;
      e.hwm = hwm;
      report();
    }),
    processor.on("recovered", ({ topic, partition, offset, recovered }) => {
      // A partition with nothing to read never reported progress: it takes no part in the bar.
      if (recovered === 0 && !entries.has(`${topic}/${partition}`)) return;
      const e = entry(topic, partition, offset - recovered);
      e.offset = offset;
      e.hwm = offset;
      e.done = true;
      report();
    }),
  ];
  return () => {
    for (const off of offs) off();
  };
}
