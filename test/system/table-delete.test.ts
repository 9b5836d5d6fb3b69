/**
 * `ctx.delete()` on the group's own table, on a real broker: the changelog
 * gets a null tombstone for the key, and the key stays absent after a restart
 * (same state directory) and after a recovery from scratch (an empty one).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  codecs,
  createEmitter,
  createProcessor,
  defineGroup,
  defineTopic,
  partitionForKey,
  type BaseContext,
  type Broker,
  type Processor,
  type TableContext,
} from "gokac/runtime";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createKafkaBroker } from "../../runtime/broker/kafka/index.js";
import { describeKafka, eventually, kafkaBrokers, unique } from "./kafka-env.js";

const PARTITIONS = 2;

describeKafka("deleting from the group table on Kafka", () => {
  let broker: Broker;
  let stateRoot: string;
  beforeAll(() => {
    broker = createKafkaBroker({ brokers: kafkaBrokers(), clientId: "gokac-systemtest-delete" });
    stateRoot = mkdtempSync(join(tmpdir(), "gokac-delete-"));
  });
  afterAll(async () => {
    await broker.close();
    rmSync(stateRoot, { recursive: true, force: true });
  });

  it("writes a tombstone, and the key stays deleted after a restart and a recovery from scratch", { timeout: 120_000 }, async () => {
    const input = defineTopic(unique("delete-in"), codecs.string);
    await broker.createTopic({ topic: input.name, partitions: PARTITIONS, compacted: false });
    // "set:<n>" stores n for the key; "delete" deletes it.
    const group = defineGroup<bigint>(
      {
        group: unique("delete"),
        inputs: [{ topics: [input.name], codec: input.codec, handler: "onInput" }],
        persist: { codec: codecs.int64 },
      },
      {
        onInput(ctx: BaseContext & TableContext<bigint>, msg: string) {
          if (msg === "delete") ctx.delete();
          else ctx.setValue(BigInt(msg.slice("set:".length)));
        },
      },
    );
    const table = `${group.graph.group}-table`;
    const start = async (stateDir: string) => {
      const processor = createProcessor(group, { broker, stateDir });
      let recovered = 0;
      processor.on("recovered", (e) => (recovered += e.recovered));
      await processor.start();
      return { processor, recovered: () => recovered };
    };
    const emitter = createEmitter(broker, input);
    const dir = join(stateRoot, "first");
    let running: Processor<bigint> = (await start(dir)).processor;
    try {
      await emitter.emit("gone", "set:5");
      await emitter.emit("kept", "set:7");
      await eventually(async () => (await running.get("gone")) === 5n && (await running.get("kept")) === 7n, 30_000, "both values stored");
      await emitter.emit("gone", "delete");
      await eventually(async () => (await running.get("gone")) === undefined, 30_000, "the delete");

      // The changelog: the value, then a null tombstone for the key.
      const partition = partitionForKey("gone", PARTITIONS);
      const hwm = await broker.highWatermark(table, partition);
      const reader = await broker.reader(table, partition, 0);
      const values: (bigint | null)[] = [];
      try {
        for (let read = 0; read < hwm;) {
          const batch = await reader.next(5_000);
          expect(batch.length, "changelog messages before the high watermark").toBeGreaterThan(0);
          read = batch[batch.length - 1]!.offset + 1;
          for (const m of batch) if (m.key === "gone") values.push(m.value === null ? null : codecs.int64.decode(m.value));
        }
      } finally {
        await reader.close();
      }
      expect(values).toEqual([5n, null]);

      // A restart on the same state directory.
      await running.stop();
      running = (await start(dir)).processor;
      expect(await running.get("gone")).toBeUndefined();
      expect(await running.get("kept")).toBe(7n);

      // A recovery from scratch: an empty state directory reads the whole changelog.
      await running.stop();
      const fresh = await start(join(stateRoot, "fresh"));
      running = fresh.processor;
      const changelog = (await broker.highWatermark(table, 0)) + (await broker.highWatermark(table, 1));
      expect(fresh.recovered()).toBe(changelog);
      expect(await running.get("gone")).toBeUndefined();
      expect(await running.get("kept")).toBe(7n);
    } finally {
      await running.stop();
      await emitter.close();
    }
  });
});
