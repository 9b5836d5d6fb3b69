/**
 * State integrity on the real broker: a local store that does not belong to
 * its changelog (topic deleted, recreated and refilled past the stored
 * offset), damaged files (bit flips, truncated .ldb or MANIFEST) and a
 * foreign writer of the changelog are detected; by default the partition is
 * rebuilt from the changelog (`state-rebuilt` with the reason), under
 * `onStateMismatch: "fail"` the start (or the processor) fails with a
 * `StateMismatchError` naming table, partition and path. Never wrong data.
 */
import { cp, mkdtemp, readdir, readFile, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import kafkajs from "kafkajs";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  codecs,
  createEmitter,
  createKafkaBroker,
  createProcessor,
  createView,
  defineGroup,
  defineTopic,
  type BaseContext,
  type Broker,
  type TableContext,
} from "gokac/runtime";
import { describeKafka, eventually, kafkaBrokers, unique } from "./kafka-env.js";

const KEYS = Array.from({ length: 60 }, (_, i) => `k${i}`);

describeKafka("state integrity", () => {
  let broker: Broker;
  let dir = "";
  beforeAll(async () => {
    broker = createKafkaBroker({ brokers: kafkaBrokers(), group: { sessionTimeoutMs: 6_000, heartbeatIntervalMs: 500, maxWaitMs: 200 } });
    dir = await mkdtemp(join(tmpdir(), "gokac-integrity-"));
  });
  afterAll(async () => {
    await broker?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** A one-partition table topic filled with `KEYS` → `base + i`. */
  async function filledTable(base: number, name = unique("integrity-table")) {
    const table = defineTopic(name, codecs.int64);
    await broker.createTopic({ topic: table.name, partitions: 1, compacted: true });
    const emitter = createEmitter(broker, table);
    for (const [i, key] of KEYS.entries()) await emitter.emit(key, BigInt(base + i));
    await emitter.close();
    return table;
  }

  /** Starts a view on `stateDir`; resolves with its values of `KEYS` and the reasons of every rebuild. */
  async function readThrough(table: ReturnType<typeof defineTopic<bigint>>, stateDir: string, onStateMismatch?: "fail") {
    const view = createView(broker, table, { stateDir, ...(onStateMismatch === undefined ? {} : { onStateMismatch }) });
    const rebuilt: string[] = [];
    view.on("state-rebuilt", (e) => rebuilt.push(e.reason));
    try {
      await view.start();
      return { values: await Promise.all(KEYS.map((k) => view.get(k))), rebuilt };
    } finally {
      await view.stop();
    }
  }

  const expected = (base: number) => KEYS.map((_, i) => BigInt(base + i));

  it("rebuilds a store whose changelog was deleted, recreated and refilled past its offset", { timeout: 90_000 }, async () => {
    const table = await filledTable(0);
    const stateDir = join(dir, "recreated");
    expect((await readThrough(table, stateDir)).values).toEqual(expected(0));

    const admin = new kafkajs.Kafka({ brokers: kafkaBrokers().split(","), logLevel: kafkajs.logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [table.name] });
    // Deletion completes asynchronously: retry until the topic can be created again.
    await eventually(
      async () => {
        try {
          return await admin.createTopics({
            waitForLeaders: true,
            topics: [{ topic: table.name, numPartitions: 1, configEntries: [{ name: "cleanup.policy", value: "compact" }] }],
          });
        } catch {
          return false;
        }
      },
      30_000,
      "the topic recreated",
    );
    await admin.disconnect();
    // A client that never saw the old topic (kafkajs caches metadata).
    await broker.close();
    broker = createKafkaBroker({ brokers: kafkaBrokers(), group: { sessionTimeoutMs: 6_000, heartbeatIntervalMs: 500, maxWaitMs: 200 } });
    // Refilled past the stored offset (60) by someone else, with other values.
    const emitter = createEmitter(broker, table);
    for (const i of KEYS.keys()) await emitter.emit(`x${i}`, BigInt(i));
    for (const [i, key] of KEYS.entries()) await emitter.emit(key, BigInt(1000 + i));
    await emitter.close();

    const strict = await readThrough(table, stateDir, "fail").catch((e: unknown) => e);
    expect(strict).toMatchObject({ name: "StateMismatchError", reason: "different-log", topic: table.name, partition: 0 });
    const after = await readThrough(table, stateDir);
    expect(after.rebuilt).toEqual(["different-log"]);
    expect(after.values).toEqual(expected(1000));
  });

  /** A store of a filled table on disk with its .ldb files written (LevelDB writes them when a store reopens). */
  async function storeOnDisk(name: string) {
    const table = await filledTable(0);
    const stateDir = join(dir, name);
    await readThrough(table, stateDir);
    await readThrough(table, stateDir);
    const path = join(stateDir, `${table.name}.0`);
    const files = await readdir(path);
    const ldb = files.find((f) => f.endsWith(".ldb"));
    const manifest = files.find((f) => f.startsWith("MANIFEST-"));
    if (ldb === undefined || manifest === undefined) throw new Error(`no .ldb or MANIFEST in ${path}: ${files.join(", ")}`);
    const pristine = `${stateDir}.pristine`;
    await cp(stateDir, pristine, { recursive: true });
    const restore = async () => {
      await rm(stateDir, { recursive: true, force: true });
      await cp(pristine, stateDir, { recursive: true });
    };
    return { table, stateDir, path, ldb: join(path, ldb), manifest: join(path, manifest), restore };
  }

  it("never serves values from an .ldb file with flipped bits: each damage is rebuilt (or harmless)", { timeout: 180_000 }, async () => {
    const store = await storeOnDisk("flips");
    const size = (await readFile(store.ldb)).length;
    let detected = 0;
    const flips = 12;
    for (let n = 0; n < flips; n++) {
      await store.restore();
      const bytes = await readFile(store.ldb);
      const at = Math.floor(((n + 0.5) / flips) * size);
      bytes[at] = bytes[at]! ^ (1 << (n % 8));
      await writeFile(store.ldb, bytes);
      const result = await readThrough(store.table, store.stateDir);
      expect(result.values).toEqual(expected(0));
      if (result.rebuilt.includes("corrupt")) detected++;
    }
    console.log(
      `bit flips in a ${size}-byte .ldb: ${detected} of ${flips} detected and rebuilt, the others harmless; no wrong value served`,
    );
    expect(detected).toBeGreaterThan(0);
  });

  it("rebuilds a store with a truncated .ldb or MANIFEST; under fail the error names the path", { timeout: 120_000 }, async () => {
    const store = await storeOnDisk("truncated");
    for (const file of [store.ldb, store.manifest]) {
      await store.restore();
      await truncate(file, Math.floor((await readFile(file)).length / 2));
      const strict = await readThrough(store.table, store.stateDir, "fail").catch((e: unknown) => e);
      expect(strict).toMatchObject({
        name: "StateMismatchError",
        reason: "corrupt",
        topic: store.table.name,
        partition: 0,
        path: store.path,
      });
      const result = await readThrough(store.table, store.stateDir);
      expect(result.rebuilt).toEqual(["corrupt"]);
      expect(result.values).toEqual(expected(0));
    }
  });

  it("detects a second writer of the changelog: rebuilds from it by default, stops under fail", { timeout: 120_000 }, async () => {
    type Ctx = BaseContext & TableContext<bigint>;
    for (const policy of ["rebuild", "fail"] as const) {
      const name = unique(`integrity-writers-${policy}`);
      const input = defineTopic(`${name}-in`, codecs.string);
      await broker.createTopic({ topic: input.name, partitions: 1, compacted: false });
      const group = defineGroup<bigint>(
        { group: name, inputs: [{ topics: [input.name], codec: input.codec, handler: "count" }], persist: { codec: codecs.int64 } },
        {
          count(ctx: Ctx) {
            ctx.setValue(((ctx.value() as bigint | undefined) ?? 0n) + 1n);
          },
        },
      );
      const processor = createProcessor(group, { broker, stateDir: join(dir, name), onStateMismatch: policy });
      const rebuilt: string[] = [];
      processor.on("state-rebuilt", (e) => rebuilt.push(e.reason));
      await processor.start();
      const emitter = createEmitter(broker, input);
      await emitter.emit("a", "x");
      await eventually(async () => (await processor.get("a")) === 1n, 30_000, "a counted");
      // An evicted instance, still running, writes the table's changelog.
      const zombie = createEmitter(broker, defineTopic(`${name}-table`, codecs.int64));
      await zombie.emit("b", 41n);
      await zombie.close();
      await emitter.emit("b", "x");
      if (policy === "rebuild") {
        await eventually(() => rebuilt.includes("foreign-writer"), 30_000, "foreign writer detected");
        // The store is the changelog: the zombie's 41 and then this processor's own write of b.
        await eventually(async () => (await processor.get("b")) === 1n, 30_000, "b counted");
        expect(processor.lifecycle).toBe("running");
        await processor.stop();
      } else {
        const error = await processor.done;
        expect(error).toMatchObject({ name: "ProcessorError", kind: "storage" });
        expect((error as Error).cause).toMatchObject({
          name: "StateMismatchError",
          reason: "foreign-writer",
          topic: `${name}-table`,
          partition: 0,
        });
      }
      await emitter.close();
    }
  });
});
