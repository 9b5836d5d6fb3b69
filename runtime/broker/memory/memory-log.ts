/**
 * The in-memory broker's topics: each partition an append-only array whose
 * index is the offset (no compaction; tombstones are kept as `null` values),
 * with waiters woken on every append.
 */
import type { BrokerMessage } from "../port.js";

/** One partition's log. `messages.length` is the high watermark. */
export class PartitionLog {
  readonly messages: BrokerMessage[] = [];
  private waiters: (() => void)[] = [];

  get highWatermark(): number {
    return this.messages.length;
  }

  append(message: BrokerMessage): void {
    this.messages.push(message);
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves on the next append, or after `ms` (whichever first); `signal` wakes it early too. */
  waitForAppend(ms: number, signal?: { wake?: () => void }): Promise<void> {
    return new Promise((resolve) => {
      let done = false;
      const finish = (): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve();
      };
      const timer = Number.isFinite(ms) ? setTimeout(finish, ms) : undefined;
      this.waiters.push(finish);
      if (signal !== undefined) signal.wake = finish;
    });
  }
}

/** A topic: its partitions and whether it is compacted. */
export interface TopicLog {
  readonly name: string;
  readonly compacted: boolean;
  readonly partitions: readonly PartitionLog[];
}

/** Creates an empty topic. */
export function createTopicLog(name: string, partitions: number, compacted: boolean): TopicLog {
  return { name, compacted, partitions: Array.from({ length: partitions }, () => new PartitionLog()) };
}
