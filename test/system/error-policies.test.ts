/**
 * Error policies on a real broker (issue 11): poison messages (an invalid
 * int64, a null key in a group with a table, a throwing handler) among valid
 * ones. Under skip and dead-letter every valid message of every partition is
 * processed and committed; dead letters keep the original bytes and carry the
 * error headers. Under fail the group stops at the first, as before.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Kafka, logLevel, type Producer as KafkaProducer } from "kafkajs";
import { codecs, createProcessor, defineGroup, defineTopic, type ErrorPolicyGraph, type Processor } from "gokac/runtime";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Broker, BrokerMessage } from "../../runtime/broker/port.js";
import { createKafkaBroker } from "../../runtime/broker/kafka/index.js";
import { partitionForKey } from "../../runtime/broker/partitioner.js";
import { describeKafka, eventually, kafkaBrokers, unique } from "./kafka-env.js";

const PARTITIONS = 4;
const KEYS = ["a", "b", "c", "d", "e", "f", "g", "h"];

describeKafka("error policies on Kafka", () => {
  let broker: Broker;
  let kafka: Kafka;
  let producer: KafkaProducer;
  let stateRoot: string;
  beforeAll(async () => {
    broker = createKafkaBroker({ brokers: kafkaBrokers(), clientId: "gokac-systemtest" });
    kafka = new Kafka({ brokers: kafkaBrokers().split(","), clientId: "gokac-systemtest-raw", logLevel: logLevel.NOTHING });
    producer = kafka.producer();
    await producer.connect();
    stateRoot = mkdtempSync(join(tmpdir(), "gokac-state-"));
  });
  afterAll(async () => {
    await producer.disconnect();
    await broker.close();
    rmSync(stateRoot, { recursive: true, force: true });
  });

  /** Writes, per key: 1, a poison, 2 (the poisons: an invalid int64 on "c", a null key, a 13 that the handler rejects on "f"). */
  async function setUp(errors: ErrorPolicyGraph | undefined) {
    const input = defineTopic(unique("policy-in"), codecs.int64);
    await broker.createTopic({ topic: input.name, partitions: PARTITIONS, compacted: false });
    const group = defineGroup<bigint>(
      {
        group: unique("policy"),
        inputs: [{ topics: [input.name], codec: input.codec, handler: "add" }],
        persist: { codec: codecs.int64 },
        ...(errors === undefined ? {} : { errors }),
      },
      {
        add: (ctx: { value(): unknown; setValue(v: bigint): void }, msg: bigint) => {
          if (msg === 13n) throw new Error("unlucky 13");
          ctx.setValue(((ctx.value() as bigint | undefined) ?? 0n) + msg);
        },
      },
    );
    const send = (key: string | null, value: Buffer, headers?: Record<string, string>) =>
      producer.send({
        topic: input.name,
        messages: [
          { key, value, partition: key === null ? 0 : partitionForKey(key, PARTITIONS), ...(headers === undefined ? {} : { headers }) },
        ],
      });
    const int64 = (n: bigint) => Buffer.from(codecs.int64.encode(n));
    for (const k of KEYS) await send(k, int64(1n));
    await send("c", Buffer.from([1, 2, 3]), { origin: "chaos" });
    await send(null, int64(5n));
    await send("f", int64(13n));
    for (const k of KEYS) await send(k, int64(2n));
    const processor = createProcessor(group, { broker, stateDir: join(stateRoot, group.graph.group) });
    // Under `fail` the group may fail before start() resolves; `done` tells.
    await processor.start().catch(() => undefined);
    return { input, group, processor };
  }

  async function committedAll(group: string, topic: string): Promise<boolean> {
    for (let p = 0; p < PARTITIONS; p++) {
      if ((await broker.committedOffset(group, topic, p)) !== (await broker.highWatermark(topic, p))) return false;
    }
    return true;
  }

  async function sums(processor: Processor<bigint>): Promise<(bigint | undefined)[]> {
    return Promise.all(KEYS.map((k) => processor.get(k)));
  }

  async function readAll(topic: string): Promise<BrokerMessage[]> {
    const out: BrokerMessage[] = [];
    for (let p = 0; p < PARTITIONS; p++) {
      const reader = await broker.reader(topic, p, 0);
      const hwm = await broker.highWatermark(topic, p);
      while ((out.filter((m) => m.partition === p).at(-1)?.offset ?? -1) + 1 < hwm) out.push(...(await reader.next(1_000)));
      await reader.close();
    }
    return out;
  }

  it(
    "skip: the poison messages are skipped in their partitions; every valid message of every partition is processed and committed",
    { timeout: 90_000 },
    async () => {
      const { input, group, processor } = await setUp({ decode: "skip", handler: "skip" });
      await eventually(() => committedAll(group.graph.group, input.name), 30_000, "every partition committed to its end");
      expect(await sums(processor)).toEqual(KEYS.map(() => 3n));
      expect(processor.failedMessages).toEqual({ skip: 3, "dead-letter": 0 });
      expect(processor.lifecycle).toBe("running");
      await processor.stop();
      expect(await processor.done).toBeUndefined();
    },
  );

  it("dead-letter: the dead letters keep key, value bytes and headers and say what failed where", { timeout: 90_000 }, async () => {
    const { input, group, processor } = await setUp({ decode: "dead-letter", handler: "dead-letter" });
    await eventually(() => committedAll(group.graph.group, input.name), 30_000, "every partition committed to its end");
    expect(await sums(processor)).toEqual(KEYS.map(() => 3n));
    await processor.stop();
    const dlq = `${group.graph.group}-dlq`;
    expect(await broker.partitionCount(dlq)).toBe(PARTITIONS);
    const letters = await readAll(dlq);
    const text = (m: BrokerMessage, h: string) => new TextDecoder().decode(m.headers[h]);
    const summary = letters.map((m) => ({
      key: m.key,
      kind: text(m, "gokac.error.kind"),
      topic: text(m, "gokac.error.topic"),
      group: text(m, "gokac.error.group"),
    }));
    expect(summary.sort((x, y) => (x.key < y.key ? -1 : 1))).toEqual([
      { key: "", kind: "decode", topic: input.name, group: group.graph.group },
      { key: "c", kind: "decode", topic: input.name, group: group.graph.group },
      { key: "f", kind: "handler", topic: input.name, group: group.graph.group },
    ]);
    const poison = letters.find((m) => m.key === "c")!;
    expect(poison.value).toEqual(Uint8Array.of(1, 2, 3));
    expect(text(poison, "origin")).toBe("chaos");
    expect(Number(text(poison, "gokac.error.partition"))).toBe(partitionForKey("c", PARTITIONS));
    // The dead letter stays in its input's partition, and its offset header points at the original.
    expect(poison.partition).toBe(partitionForKey("c", PARTITIONS));
    const reader = await broker.reader(input.name, poison.partition, Number(text(poison, "gokac.error.offset")));
    const [original] = await reader.next(1_000);
    await reader.close();
    expect(original?.value).toEqual(Uint8Array.of(1, 2, 3));
  });

  it("fail (the default): the group stops at the first poison message, as before", { timeout: 90_000 }, async () => {
    const { processor } = await setUp(undefined);
    const error = await processor.done;
    expect(error).toMatchObject({ name: "ProcessorError", code: "PROCESSOR_FAILED", kind: expect.stringMatching(/^(decode|handler)$/) });
  });
});
