/**
 * Write-behind while a flush is in flight: the flushed keys have left the
 * buffer but the store has not applied them yet, so reads must still come
 * from memory (`get`, `getSync`, `getMany`), never from the store's older value.
 */
import { describe, expect, it } from "vitest";
import { createMemoryStorage, type TableChanges } from "gokac/runtime";
import { withWriteBehind } from "../../runtime/storage/write-behind.js";

const bytes = (n: number) => Uint8Array.of(n);

/** A memory store whose writes wait until `release` is called; `started` resolves when the first write arrives. */
async function gatedStore() {
  const store = await createMemoryStorage().open("t", 0);
  await store.write(
    new Map([
      ["k", bytes(1)],
      ["gone", bytes(9)],
      ["other", bytes(7)],
    ]),
    3,
  );
  const write = store.write.bind(store);
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let started!: () => void;
  const writeStarted = new Promise<void>((resolve) => (started = resolve));
  store.write = async (changes: TableChanges, offset: number) => {
    started();
    await gate;
    await write(changes, offset);
  };
  return { store, release, writeStarted };
}

describe("write-behind with a flush in flight", () => {
  it("reads the flushing values and deletes, not the store's older ones", async () => {
    const { store, release, writeStarted } = await gatedStore();
    const wb = withWriteBehind(store, { maxKeys: 2, maxDelayMs: 60_000 });
    // Two keys reach maxKeys: the flush starts and hangs in the store.
    const flushed = wb.write(
      new Map<string, Uint8Array | null>([
        ["k", bytes(2)],
        ["gone", null],
      ]),
      5,
    );
    await writeStarted;
    expect(await store.get("k")).toEqual(bytes(1));

    expect(await wb.get("k")).toEqual(bytes(2));
    expect(await wb.get("gone")).toBeUndefined();
    expect(wb.getSync?.("k")).toEqual(bytes(2));
    expect(wb.getSync?.("gone")).toBeUndefined();
    expect(await wb.getMany(["other", "k", "gone"])).toEqual([bytes(7), bytes(2), undefined]);

    release();
    await flushed;
    expect(await wb.offset()).toBe(5);
    expect(await store.get("k")).toEqual(bytes(2));
    expect(await wb.get("k")).toEqual(bytes(2));
    await wb.close();
  });

  it("a write buffered during the flush wins over the flushing value", async () => {
    const { store, release, writeStarted } = await gatedStore();
    const wb = withWriteBehind(store, { maxKeys: 2, maxDelayMs: 60_000 });
    const flushed = wb.write(
      new Map([
        ["k", bytes(2)],
        ["other", bytes(8)],
      ]),
      5,
    );
    await writeStarted;
    await wb.write(new Map([["k", bytes(3)]]), 6);
    expect(await wb.get("k")).toEqual(bytes(3));
    expect(await wb.get("other")).toEqual(bytes(8));
    expect(await wb.getMany(["k", "other"])).toEqual([bytes(3), bytes(8)]);
    release();
    await flushed;
    await wb.close();
    expect(await store.get("k")).toEqual(bytes(3));
    expect(await store.offset()).toBe(6);
  });
});
