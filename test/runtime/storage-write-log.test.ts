/** `TableStore.writeLog`: recovery batches applied in log order with their offset, behind any buffered writes. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createLevelStorage, createMemoryStorage, logOf, type LogChunk, type Storage, type TableStore } from "gokac/runtime";
import { withWriteBehind } from "../../runtime/storage/write-behind.js";

const bytes = (n: number) => Uint8Array.of(n);
const dirs: string[] = [];

afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function levelStorage(writeBehind: false | undefined): Promise<Storage> {
  const dir = await mkdtemp(join(tmpdir(), "gokac-write-log-"));
  dirs.push(dir);
  return createLevelStorage(dir, writeBehind === false ? { writeBehind: false } : {});
}

async function contents(store: TableStore): Promise<[string, number][]> {
  const out: [string, number][] = [];
  for await (const [key, value] of store.entries()) out.push([key, value[0] ?? -1]);
  return out;
}

/** A log chunk from [key, value] pairs. */
const chunk = (entries: readonly [string, Uint8Array | null][]): LogChunk =>
  logOf(
    entries.map(([k]) => k),
    entries.map(([, v]) => v),
  );

const log = chunk([
  ["a", bytes(1)],
  ["b", bytes(2)],
  ["a", bytes(3)],
  ["b", null],
  ["c", null],
  ["d", null],
  ["d", bytes(4)],
]);

describe.each([
  ["memory", async () => createMemoryStorage()],
  ["level", async () => levelStorage(false)],
  ["level + write-behind", async () => levelStorage(undefined)],
])("writeLog on %s", (_name, make) => {
  it("applies entries in order (later wins, null deletes) with the offset, surviving a reopen", async () => {
    const storage = await make();
    const store = await storage.open("t", 0);
    expect(store.writeLog).toBeDefined();
    await store.writeLog?.(log, 7);
    expect(await store.offset()).toBe(7);
    expect(await contents(store)).toEqual([
      ["a", 3],
      ["d", 4],
    ]);
    await store.close();
    const again = await storage.open("t", 0);
    expect(await again.offset()).toBe(7);
    expect(await again.get("b")).toBeUndefined();
    await again.close();
  });
});

describe("writeLog behind a write-behind buffer", () => {
  it("writes buffered changes first, so the log's later values win and the offset is the log's", async () => {
    const inner = await createMemoryStorage().open("t", 0);
    const order: string[] = [];
    const write = inner.write.bind(inner);
    const writeLog = async (log: LogChunk, offset: number) => {
      const changes = new Map<string, Uint8Array | null>();
      for (let i = 0; i < log.length; i++) changes.set(log.key(i), log.value(i));
      await write(changes, offset);
    };
    inner.write = async (changes, offset) => {
      order.push(`write@${offset}`);
      await write(changes, offset);
    };
    inner.writeLog = async (entries, offset) => {
      order.push(`log@${offset}`);
      await writeLog(entries, offset);
    };
    const wb = withWriteBehind(inner, { maxDelayMs: 60_000 });
    await wb.write(
      new Map<string, Uint8Array | null>([
        ["a", bytes(9)],
        ["x", bytes(8)],
      ]),
      3,
    );
    await wb.writeLog?.(
      chunk([
        ["a", bytes(1)],
        ["x", null],
      ]),
      5,
    );
    expect(order).toEqual(["write@3", "log@5"]);
    expect(await wb.offset()).toBe(5);
    expect(wb.getSync?.("a")).toEqual(bytes(1));
    expect(await wb.get("x")).toBeUndefined();
    await wb.close();
  });

  it("a failed log write fails later writes", async () => {
    const inner = await createMemoryStorage().open("t", 0);
    inner.writeLog = async () => {
      throw new Error("disk full");
    };
    const wb = withWriteBehind(inner);
    await expect(wb.writeLog?.(chunk([["a", bytes(1)]]), 1)).rejects.toThrow();
    await expect(wb.write(new Map([["b", bytes(2)]]), 2)).rejects.toThrow();
  });
});
