/**
 * What a processor writes is compressed per topic (`GroupGraph.compression`,
 * from the specs' `compression:`), on a real broker: one flush sends the
 * table and an output in different codecs, each record keeps its offset, and
 * both read back (table recovery, a view).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import kafkajs from "kafkajs";
import { codecs, defineGroup, defineTopic } from "gokac/runtime";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createKafkaBroker } from "../../runtime/broker/kafka/index.js";
import { parseFetchResponse } from "../../runtime/broker/kafka/fetch-decoder.js";
import { createInternalCluster, fetchRaw } from "../../runtime/broker/kafka/kafkajs-internals.js";
import type { Broker } from "../../runtime/broker/port.js";
import { describeKafka, eventually, kafkaBrokers, unique } from "./kafka-env.js";
import { emitterOf, openView, startProcessor } from "./runtime-adapter.js";

describeKafka("compressed writes of a processor", () => {
  let broker: Broker;
  let stateRoot: string;
  beforeAll(() => {
    broker = createKafkaBroker({ brokers: kafkaBrokers(), clientId: "gokac-compression" });
    stateRoot = mkdtempSync(join(tmpdir(), "gokac-compression-"));
  });
  afterAll(async () => {
    await broker.close();
    rmSync(stateRoot, { recursive: true, force: true });
  });

  /** The codec ids of the record batches in partition 0 of `topic`. */
  async function codecsOf(topic: string): Promise<Set<number>> {
    const cluster = createInternalCluster(new kafkajs.Kafka({ brokers: kafkaBrokers().split(","), logLevel: kafkajs.logLevel.NOTHING }));
    await cluster.connect();
    try {
      await cluster.addTargetTopic(topic);
      const leader = cluster.findTopicPartitionMetadata(topic).find((p) => p.partitionId === 0)?.leader ?? -1;
      const payload = await fetchRaw(await cluster.findBroker({ nodeId: leader }), {
        topic,
        partition: 0,
        offset: 0,
        maxWaitMs: 100,
        maxBytes: 1_000_000,
      });
      const records = parseFetchResponse(payload, topic, 0)?.records ?? null;
      const found = new Set<number>();
      for (let at = 0; records !== null && at + 61 <= records.length; at += 12 + records.readInt32BE(at + 8))
        found.add(records.readInt16BE(at + 21) & 0x07);
      return found;
    } finally {
      await cluster.disconnect();
    }
  }

  it("compresses the table with zstd and an output with lz4 in one flush; both read back", { timeout: 300_000 }, async () => {
    const name = unique("compressed");
    const input = defineTopic(`${name}-in`, codecs.string);
    const output = defineTopic(`${name}-out`, codecs.string);
    await broker.createTopic({ topic: input.name, partitions: 1, compacted: false });
    await broker.createTopic({ topic: output.name, partitions: 1, compacted: false });
    const group = defineGroup<string>(
      {
        group: name,
        inputs: [{ topics: [input.name], codec: input.codec, handler: "onInput" }],
        persist: { codec: codecs.string },
        outputs: [{ topic: output.name, codec: output.codec }],
        compression: { [`${name}-table`]: "zstd", [output.name]: "lz4" },
      },
      {
        onInput: (ctx: { key: string; setValue(v: string): void; emit(t: string, k: string, v: string): void }, msg: string) => {
          ctx.setValue(msg.repeat(20));
          ctx.emit(output.name, ctx.key, msg.toUpperCase());
        },
      },
    );
    const emitter = emitterOf(broker, input);
    for (let i = 0; i < 50; i++) await emitter.emit(`k${i}`, `value-${i}`);
    await emitter.close();
    const processor = await startProcessor(group, broker, join(stateRoot, "first"));
    await eventually(async () => (await broker.highWatermark(output.name, 0)) === 50, 120_000, "50 outputs");
    await processor.stop();
    expect(await processor.done).toBeUndefined();

    expect(await codecsOf(`${name}-table`)).toEqual(new Set([4]));
    expect(await codecsOf(output.name)).toEqual(new Set([3]));
    // Recovered into a fresh state folder, and seen by a view.
    const again = await startProcessor(group, broker, join(stateRoot, "second"));
    const view = await openView(broker, defineTopic(output.name, codecs.string));
    try {
      expect(await again.get("k7")).toBe("value-7".repeat(20));
      expect(await view.get("k49")).toBe("VALUE-49");
    } finally {
      await view.stop();
      await again.stop();
    }
  });
});
