/** Memory bounded by bytes: the fetch budget's split, the table cache's and the write-behind buffer's byte limits, and their option checks. */
import { describe, expect, it } from "vitest";
import { codecs, createKafkaBroker, createMemoryBroker, createMemoryStorage, createProcessor, defineGroup } from "gokac/runtime";
import {
  consumerFetchSizes,
  MAX_READER_FETCH_BYTES,
  MIN_PARTITION_FETCH_BYTES,
  ReaderBudget,
} from "../../runtime/broker/kafka/fetch-budget.js";
import { TableCache } from "../../runtime/processor/table-cache.js";
import { withWriteBehind } from "../../runtime/storage/write-behind.js";
import { PartitionTable } from "../../runtime/table/partition-table.js";

const MiB = 1024 * 1024;
const bytes = (n: number, size = 10) => new Uint8Array(size).fill(n);

describe("fetch budget", () => {
  it("splits a member's budget evenly over its partitions, never below the minimum", () => {
    expect(consumerFetchSizes(MiB, 8)).toEqual({ maxBytes: MiB, maxBytesPerPartition: MiB / 8 });
    expect(consumerFetchSizes(MiB, 1_000)).toEqual({ maxBytes: MiB, maxBytesPerPartition: MIN_PARTITION_FETCH_BYTES });
    expect(consumerFetchSizes(MiB, 0)).toEqual({ maxBytes: MiB, maxBytesPerPartition: MiB });
  });

  it("shares the readers' budget among the open readers, between the minimum and 4 MiB each", () => {
    const budget = new ReaderBudget(32 * MiB);
    const leaves = Array.from({ length: 16 }, () => budget.join());
    expect(budget.fetchBytes()).toBe(2 * MiB);
    for (const leave of leaves.slice(1)) {
      leave();
      leave(); // idempotent
    }
    expect(budget.fetchBytes()).toBe(MAX_READER_FETCH_BYTES);
    const many = Array.from({ length: 10_000 }, () => budget.join());
    expect(budget.fetchBytes()).toBe(MIN_PARTITION_FETCH_BYTES);
    for (const leave of many) leave();
    expect(budget.fetchBytes()).toBe(MAX_READER_FETCH_BYTES);
  });

  it("refuses budgets below the minimum with INVALID_BROKER_OPTIONS", () => {
    for (const option of ["groupFetchBytes", "readerFetchBytes"] as const) {
      expect(() => createKafkaBroker({ brokers: "127.0.0.1:9", [option]: 100 })).toThrow(
        expect.objectContaining({ code: "INVALID_BROKER_OPTIONS" }),
      );
      expect(() => createKafkaBroker({ brokers: "127.0.0.1:9", [option]: 1.5 * MiB + 0.5 })).toThrow(
        expect.objectContaining({ code: "INVALID_BROKER_OPTIONS" }),
      );
    }
    expect(() => createKafkaBroker({ brokers: "127.0.0.1:9", groupFetchBytes: MiB, readerFetchBytes: 64 * MiB })).not.toThrow();
  });
});

describe("table cache bounded by bytes", () => {
  async function cacheOver(maxBytes: number) {
    const table = await PartitionTable.open(createMemoryStorage(), "t", 0, codecs.bytes);
    await table.store.write(new Map([["a", bytes(1)]]), 1);
    const reads: string[][] = [];
    const getMany = table.store.getMany.bind(table.store);
    table.store.getMany = (keys) => {
      reads.push([...keys]);
      return getMany(keys);
    };
    return { cache: new TableCache(table, maxBytes), reads };
  }

  it("keeps values between batches while under its bytes", async () => {
    const { cache, reads } = await cacheOver(MiB);
    await cache.prefetch(["a", "b"]);
    for (let i = 0; i < 100; i++) cache.set("b", bytes(i), bytes(i));
    await cache.prefetch(["a", "b"]);
    expect(reads).toEqual([["a", "b"]]);
    expect(cache.get("b")).toEqual(bytes(99));
  });

  it("starts over at the next batch once its keys and values pass the limit; values still read from the store", async () => {
    const { cache, reads } = await cacheOver(1_000);
    await cache.prefetch(["a"]);
    for (let i = 0; i < 20; i++) cache.set(`k${i}`, bytes(i, 40), bytes(i, 40));
    await cache.prefetch(["a"]);
    expect(reads).toEqual([["a"], ["a"]]);
    expect(cache.get("a")).toEqual(bytes(1));
  });

  it("counts a rewritten key once and an undone write not at all", async () => {
    const { cache, reads } = await cacheOver(1_000);
    await cache.prefetch(["a"]);
    for (let i = 0; i < 1_000; i++) cache.set("a", bytes(i, 40), bytes(i, 40));
    for (let i = 0; i < 100; i++) {
      cache.mark();
      cache.set(`new${i}`, bytes(i, 40), bytes(i, 40));
      cache.undo();
    }
    await cache.prefetch(["a"]);
    expect(reads).toEqual([["a"]]);
  });

  it("createProcessor refuses a tableCacheBytes that is not a positive integer", () => {
    const group = defineGroup<bigint>(
      { group: "g", inputs: [{ topics: ["in"], codec: codecs.int64, handler: "h" }], persist: { codec: codecs.int64 } },
      { h: () => undefined },
    );
    expect(() => createProcessor(group, { broker: createMemoryBroker(), tableCacheBytes: 0 })).toThrow(
      expect.objectContaining({ code: "INVALID_OPTIONS", option: "tableCacheBytes" }),
    );
  });
});

describe("write-behind bounded by bytes", () => {
  async function inner() {
    const store = await createMemoryStorage().open("t", 0);
    const writes: string[][] = [];
    let hold: Promise<void> = Promise.resolve();
    const write = store.write.bind(store);
    store.write = async (changes, offset) => {
      await hold;
      writes.push([...changes.keys()]);
      await write(changes, offset);
    };
    return { store, writes, holdWrites: (p: Promise<void>) => (hold = p) };
  }

  it("flushes once the buffered keys and values reach maxBytes; rewriting a key does not grow the buffer", async () => {
    const { store, writes } = await inner();
    // One key of 1 byte with a 10-byte value: 64 + 1 + 10 = 75 estimated bytes.
    const wb = withWriteBehind(store, { maxKeys: 1_000, maxBytes: 100, maxDelayMs: 60_000 });
    for (let i = 0; i < 10; i++) await wb.write(new Map([["a", bytes(i)]]), i + 1);
    expect(writes).toEqual([]);
    await wb.write(new Map([["b", bytes(1)]]), 11);
    expect(writes).toEqual([["a", "b"]]);
    expect(await store.offset()).toBe(11);
    await wb.close();
  });

  it("holds back the write that fills the buffer until the disk took it (backpressure)", async () => {
    const { store, writes, holdWrites } = await inner();
    let release!: () => void;
    void holdWrites(new Promise<void>((resolve) => (release = resolve)));
    const wb = withWriteBehind(store, { maxKeys: 1_000, maxBytes: 100, maxDelayMs: 60_000 });
    await wb.write(new Map([["a", bytes(1)]]), 1);
    let done = false;
    const filling = wb.write(new Map([["b", bytes(2)]]), 2).then(() => (done = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(done).toBe(false);
    expect(await wb.get("b")).toEqual(bytes(2));
    release();
    await filling;
    expect(writes).toEqual([["a", "b"]]);
    await wb.close();
  });
});
