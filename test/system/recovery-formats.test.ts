/**
 * Table recovery from changelogs as other producers write them, on a real
 * broker: gzip-compressed batches, transactions (commit markers are control
 * records, also at the end of the log), tombstones, and a log longer than one
 * Fetch. The reader decodes Fetch responses itself (fetch-decoder.ts), so
 * these are the formats it must walk exactly.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import kafkajs, { type Producer } from "kafkajs";
import { codecs, createLevelStorage, createProcessor, defineGroup, defineTopic } from "gokac/runtime";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Broker } from "../../runtime/broker/port.js";
import { createKafkaBroker } from "../../runtime/broker/kafka/index.js";
import { describeKafka, kafkaBrokers, unique } from "./kafka-env.js";

const { Kafka, CompressionTypes, logLevel } = kafkajs;
const PARTITIONS = 2;
const KEYS = 20_000;

describeKafka("table recovery from changelogs in other formats", () => {
  let broker: Broker;
  let stateRoot: string;
  const client = () => new Kafka({ brokers: kafkaBrokers().split(","), clientId: "gokac-recovery-formats", logLevel: logLevel.NOTHING });
  beforeAll(() => {
    broker = createKafkaBroker({ brokers: kafkaBrokers(), clientId: "gokac-recovery-formats" });
    stateRoot = mkdtempSync(join(tmpdir(), "gokac-recovery-formats-"));
  });
  afterAll(async () => {
    await broker.close();
    rmSync(stateRoot, { recursive: true, force: true });
  });

  const definitions = new Map<string, ReturnType<typeof defineGroup<bigint>>>();

  /** A group with an int64 table, its topics created once; its input stays empty: only recovery runs. */
  async function groupWithTable(name: string) {
    const known = definitions.get(name);
    if (known !== undefined) return known;
    const input = defineTopic(`${name}-in`, codecs.int64);
    await broker.createTopic({ topic: input.name, partitions: PARTITIONS, compacted: false });
    await broker.createTopic({ topic: `${name}-table`, partitions: PARTITIONS, compacted: true });
    const definition = defineGroup<bigint>(
      { group: name, inputs: [{ topics: [input.name], codec: input.codec, handler: "onInput" }], persist: { codec: codecs.int64 } },
      { onInput: () => undefined },
    );
    definitions.set(name, definition);
    return definition;
  }

  /** Starts the processor on an empty state folder, stops it once running, and returns what it stored and recovered. */
  async function recover(name: string): Promise<{ stored: Map<string, bigint>; recovered: number; fetches: number }> {
    const stateDir = join(stateRoot, name);
    const processor = createProcessor(await groupWithTable(name), { broker, stateDir });
    let recovered = 0;
    let fetches = 0;
    processor.on("recovered", (e) => void (recovered += e.recovered));
    processor.on("recovery-progress", () => void fetches++);
    await processor.start();
    await processor.stop();
    expect(await processor.done).toBeUndefined();
    const stored = new Map<string, bigint>();
    const storage = createLevelStorage(stateDir, { writeBehind: false });
    for (let p = 0; p < PARTITIONS; p++) {
      const store = await storage.open(`${name}-table`, p);
      for await (const [key, value] of store.entries()) stored.set(key, codecs.int64.decode(value));
      await store.close();
    }
    return { stored, recovered, fetches };
  }

  async function withProducer<T>(
    options: Parameters<InstanceType<typeof Kafka>["producer"]>[0],
    fn: (p: Producer) => Promise<T>,
  ): Promise<T> {
    const producer = client().producer(options);
    await producer.connect();
    try {
      return await fn(producer);
    } finally {
      await producer.disconnect();
    }
  }

  const int64 = (n: number) => Buffer.from(codecs.int64.encode(BigInt(n)));

  it("recovers gzip-compressed batches, tombstones included, across several Fetches", { timeout: 120_000 }, async () => {
    const name = unique("rec-gzip");
    await groupWithTable(name);
    // 20k records with 1 kB of random (incompressible) header each: several 4 MB Fetches per partition.
    await withProducer({}, async (producer) => {
      for (let from = 0; from < KEYS; from += 1_000) {
        const messages = Array.from({ length: 1_000 }, (_, j) => ({
          key: `k${from + j}`,
          value: int64(from + j),
          headers: { pad: randomBytes(1_000) },
        }));
        await producer.send({ topic: `${name}-table`, compression: CompressionTypes.GZIP, messages });
      }
      // Later values and tombstones win over earlier ones.
      await producer.send({
        topic: `${name}-table`,
        compression: CompressionTypes.GZIP,
        messages: [
          { key: "k1", value: int64(-1) },
          { key: "k2", value: null },
        ],
      });
      await producer.send({
        topic: `${name}-table`,
        messages: [
          { key: "k3", value: null },
          { key: "ключ", value: int64(7) },
        ],
      });
    });
    const { stored, recovered, fetches } = await recover(name);
    expect(recovered).toBe(KEYS + 4);
    expect(fetches).toBeGreaterThan(2 * PARTITIONS);
    expect(stored.size).toBe(KEYS - 2 + 1);
    expect(stored.get("k0")).toBe(0n);
    expect(stored.get("k1")).toBe(-1n);
    expect(stored.has("k2")).toBe(false);
    expect(stored.has("k3")).toBe(false);
    expect(stored.get(`k${KEYS - 1}`)).toBe(BigInt(KEYS - 1));
    expect(stored.get("ключ")).toBe(7n);
  });

  it("recovers a changelog written in transactions, ending with commit markers", { timeout: 120_000 }, async () => {
    const name = unique("rec-txn");
    await groupWithTable(name);
    await withProducer({ transactionalId: `${name}-producer`, idempotent: true, maxInFlightRequests: 1 }, async (producer) => {
      for (let t = 0; t < 3; t++) {
        const transaction = await producer.transaction();
        await transaction.send({
          topic: `${name}-table`,
          messages: Array.from({ length: 100 }, (_, j) => ({ key: `k${t * 100 + j}`, value: int64(t * 100 + j) })),
        });
        await transaction.commit();
      }
    });
    // Every partition's log now ends with a control record: recovery must reach the high watermark past it.
    const { stored, recovered } = await recover(name);
    expect(recovered).toBe(300);
    expect(stored.size).toBe(300);
    expect(stored.get("k299")).toBe(299n);
    // A second start recovers nothing more, and still gets past the markers.
    const again = await recover(name);
    expect(again.recovered).toBe(0);
    expect(again.stored.size).toBe(300);
  });
});
