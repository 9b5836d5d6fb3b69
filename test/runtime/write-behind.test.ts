/** The write-behind table store: buffered writes are read back, flushed atomically with their offset, and a crash only costs re-reading the changelog. */
import { describe, expect, it, vi } from "vitest";
import {
  codecs,
  createMemoryBroker,
  createMemoryStorage,
  createProcessor,
  defineGroup,
  type BaseContext,
  type TableContext,
  type TableStore,
} from "gokac/runtime";
import { withWriteBehind } from "../../runtime/storage/write-behind.js";

const bytes = (n: number) => Uint8Array.of(n);

/** A memory store counting the writes that reach it. */
async function innerStore() {
  const storage = createMemoryStorage();
  const store = await storage.open("t", 0);
  const writes: { keys: string[]; offset: number }[] = [];
  const write = store.write.bind(store);
  store.write = async (changes, offset) => {
    writes.push({ keys: [...changes.keys()], offset });
    await write(changes, offset);
  };
  return { storage, store, writes };
}

async function all(store: TableStore): Promise<[string, number][]> {
  const out: [string, number][] = [];
  for await (const [key, value] of store.entries()) out.push([key, value[0] ?? -1]);
  return out;
}

describe("write-behind store", () => {
  it("reads buffered writes and deletes before they reach the store", async () => {
    const { store, writes } = await innerStore();
    await store.write(
      new Map([
        ["old", bytes(1)],
        ["gone", bytes(2)],
      ]),
      2,
    );
    writes.length = 0;
    const wb = withWriteBehind(store, { maxDelayMs: 60_000 });
    await wb.write(
      new Map<string, Uint8Array | null>([
        ["new", bytes(3)],
        ["gone", null],
      ]),
      5,
    );
    expect(writes).toEqual([]);
    expect(await wb.offset()).toBe(5);
    expect(await wb.get("new")).toEqual(bytes(3));
    expect(wb.getSync?.("gone")).toBeUndefined();
    expect(wb.getSync?.("old")).toEqual(bytes(1));
    expect(await wb.getMany(["old", "gone", "new", "none"])).toEqual([bytes(1), undefined, bytes(3), undefined]);
    await wb.close();
    expect(writes).toEqual([{ keys: ["new", "gone"], offset: 5 }]);
  });

  it("flushes each key's last value once maxKeys keys are buffered, with the last offset", async () => {
    const { store, writes } = await innerStore();
    const wb = withWriteBehind(store, { maxKeys: 3, maxDelayMs: 60_000 });
    await wb.write(new Map([["a", bytes(1)]]), 1);
    await wb.write(
      new Map([
        ["a", bytes(2)],
        ["b", bytes(1)],
      ]),
      3,
    );
    expect(writes).toEqual([]);
    await wb.write(new Map([["c", bytes(1)]]), 4);
    expect(writes).toEqual([{ keys: ["a", "b", "c"], offset: 4 }]);
    expect(await store.offset()).toBe(4);
    expect(await all(wb)).toEqual([
      ["a", 2],
      ["b", 1],
      ["c", 1],
    ]);
    await wb.close();
  });

  it("flushes after maxDelayMs", async () => {
    vi.useFakeTimers();
    try {
      const { store, writes } = await innerStore();
      const wb = withWriteBehind(store, { maxDelayMs: 100 });
      await wb.write(new Map([["a", bytes(1)]]), 1);
      await wb.write(new Map([["b", bytes(1)]]), 2);
      expect(writes).toEqual([]);
      await vi.advanceTimersByTimeAsync(100);
      expect(writes).toEqual([{ keys: ["a", "b"], offset: 2 }]);
      await wb.close();
      expect(writes).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });

  it("a failed flush fails every later write and close, and its values stay readable", async () => {
    const { store } = await innerStore();
    store.write = () => Promise.reject(new Error("disk full"));
    const wb = withWriteBehind(store, { maxKeys: 1 });
    await expect(wb.write(new Map([["a", bytes(1)]]), 1)).rejects.toThrow("disk full");
    expect(await wb.get("a")).toEqual(bytes(1));
    await expect(wb.write(new Map([["b", bytes(1)]]), 2)).rejects.toThrow("disk full");
    await expect(wb.close()).rejects.toThrow("disk full");
  });

  it("a crash before the flush leaves the store at an older offset, and a restart recovers the rest from the changelog", async () => {
    const broker = createMemoryBroker({ maxBatchSize: 4 });
    await broker.createTopic({ topic: "numbers", partitions: 1, compacted: false });
    const disk = createMemoryStorage();
    let crashed = false;
    // Write-behind over "disk" that never flushes by itself; after the "crash" nothing reaches the disk any more.
    const storage = {
      async open(topic: string, partition: number) {
        const store = await disk.open(topic, partition);
        const write = store.write.bind(store);
        store.write = async (changes, offset) => {
          if (!crashed) await write(changes, offset);
        };
        return withWriteBehind(store, { maxDelayMs: 60_000, maxKeys: 1_000 });
      },
    };
    const group = defineGroup<bigint>(
      { group: "sums", inputs: [{ topics: ["numbers"], codec: codecs.int64, handler: "add" }], persist: { codec: codecs.int64 } },
      { add: (ctx: BaseContext & TableContext<bigint>, msg: bigint) => ctx.setValue(((ctx.value() as bigint | undefined) ?? 0n) + msg) },
    );
    const send = async (values: bigint[]) => {
      const producer = await broker.producer();
      await producer.send(values.map((v, i) => ({ topic: "numbers", partition: 0, key: `k${i % 3}`, value: codecs.int64.encode(v) })));
    };

    const first = createProcessor(group, { broker, storage });
    await first.start();
    await send([1n, 2n, 3n, 4n, 5n, 6n]);
    await broker.idle();
    expect(await first.get("k0")).toBe(5n);
    // Crash: the disk keeps only what was flushed (nothing), while the inputs were committed after the changelog acks.
    crashed = true;
    await first.stop();
    expect(await disk.open("sums-table", 0).then(async (s) => [await s.offset(), await s.close()])).toEqual([undefined, undefined]);
    expect(await broker.committedOffset("sums", "numbers", 0)).toBe(6);

    const second = createProcessor(group, { broker, storage: disk });
    let recovered = 0;
    second.on("recovered", (e) => (recovered += e.recovered));
    await second.start();
    expect(recovered).toBe(broker.messages("sums-table").length);
    expect([await second.get("k0"), await second.get("k1"), await second.get("k2")]).toEqual([5n, 7n, 9n]);
    await second.stop();
  });
});
