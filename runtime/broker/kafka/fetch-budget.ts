/**
 * How many bytes of records a Kafka broker's clients fetch at once: the
 * lever on a processor's memory. A group member decodes a whole Fetch
 * response into port messages (group-fetch.ts; about 6 times the bytes of
 * small records, kafkajs's own decoding made about 20) and holds them until
 * every partition's batch of it is handled; V8 then keeps that much garbage
 * again before collecting. With kafkajs's
 * defaults (10 MiB a fetch, 1 MiB a partition) the accumulator benchmark's
 * heap reached about 600 MB; the budget below bounds it by bytes
 * (docs/runtime.md, "Memory").
 */
/** Default bytes of records one fetch of a group member may bring, over all its partitions. */
export const DEFAULT_GROUP_FETCH_BYTES = 2 * 1024 * 1024;
/** Default bytes all partition readers of one broker (recovery, joins, views) fetch at once, split among the open readers. */
export const DEFAULT_READER_FETCH_BYTES = 32 * 1024 * 1024;
/** The least a partition is asked for: smaller fetches cost a round trip for little data. */
export const MIN_PARTITION_FETCH_BYTES = 16 * 1024;
/** The most one reader asks for per fetch (the size of a recovery's LevelDB batch follows it). */
export const MAX_READER_FETCH_BYTES = 4 * 1024 * 1024;

/** kafkajs consumer fetch sizes. */
export interface ConsumerFetchSizes {
  /** Bytes one Fetch response may hold (kafkajs `maxBytes`). */
  readonly maxBytes: number;
  /** Bytes one partition of it may hold (kafkajs `maxBytesPerPartition`); a larger record batch still comes whole. */
  readonly maxBytesPerPartition: number;
}

/**
 * A group member's fetch sizes: `budget` for the whole response, split
 * evenly over the `partitions` of its topics (so no partition starves behind
 * the ones the broker fills first), at least `MIN_PARTITION_FETCH_BYTES` each.
 */
export function consumerFetchSizes(budget: number, partitions: number): ConsumerFetchSizes {
  const perPartition = Math.max(MIN_PARTITION_FETCH_BYTES, Math.floor(budget / Math.max(1, partitions)));
  return { maxBytes: Math.max(budget, perPartition), maxBytesPerPartition: perPartition };
}

/**
 * Shares one byte budget among a broker's open partition readers: each
 * fetch asks for `budget / open readers`, between `MIN_PARTITION_FETCH_BYTES`
 * and `MAX_READER_FETCH_BYTES`. A reader keeps at most two responses (one
 * being written, one on its way), so readers hold at most about twice the
 * budget however many tables and partitions recover at once.
 */
export class ReaderBudget {
  private open = 0;

  constructor(private readonly budget: number) {}

  /** Counts a reader in; the returned function counts it out (idempotent). */
  join(): () => void {
    this.open++;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.open--;
    };
  }

  /** What one reader's next fetch may ask for now. */
  fetchBytes(): number {
    const share = Math.floor(this.budget / Math.max(1, this.open));
    return Math.min(MAX_READER_FETCH_BYTES, Math.max(MIN_PARTITION_FETCH_BYTES, share));
  }
}
