/**
 * The lean decoding of group members' fetches (runtime/broker/kafka/group-fetch.ts)
 * on the real broker: a kafkajs consumer with the hook gets its batches as
 * stand-ins carrying port messages, and a group member of the broker port
 * receives the same messages with the lean decoder as with kafkajs's
 * (`group: { leanFetch: false }`): null and non-UTF-8 keys, headers, gzip
 * batches, an aborted transaction skipped, offsets in order.
 */
import kafkajs from "kafkajs";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Batch, BrokerMessage, GroupMember } from "../../runtime/broker/port.js";
import { createKafkaBroker, type KafkaBroker } from "../../runtime/broker/kafka/index.js";
import { decodedMessagesOf, leanGroupFetches } from "../../runtime/broker/kafka/group-fetch.js";
import { describeKafka, eventually, kafkaBrokers, unique } from "./kafka-env.js";

const { CompressionTypes, Kafka, logLevel } = kafkajs;

/** What the test compares of a port message (values and headers as text, the rest as is). */
function shown(m: BrokerMessage): unknown {
  return {
    partition: m.partition,
    offset: m.offset,
    key: m.key,
    nullKey: m.nullKey,
    invalidKey: m.invalidKey === undefined ? undefined : Buffer.from(m.invalidKey).toString("hex"),
    value: m.value === null ? null : Buffer.from(m.value).toString("utf8"),
    headers: Object.fromEntries(Object.entries(m.headers).map(([k, v]) => [k, Buffer.from(v).toString("utf8")])),
  };
}

describeKafka("kafka group fetches decoded leanly", () => {
  let lean: KafkaBroker;
  let full: KafkaBroker;
  const topic = unique("group-fetch-in");
  let expected = 0;
  beforeAll(async () => {
    lean = createKafkaBroker({ brokers: kafkaBrokers(), clientId: "gokac-system-test" });
    full = createKafkaBroker({ brokers: kafkaBrokers(), clientId: "gokac-system-test", group: { leanFetch: false } });
    await lean.createTopic({ topic, partitions: 2, compacted: false });
    const kafka = new Kafka({ brokers: kafkaBrokers().split(","), logLevel: logLevel.NOTHING });
    const producer = kafka.producer();
    await producer.connect();
    const plain = Array.from({ length: 50 }, (_, i) => ({ key: `k${i}`, value: `v${i}`, partition: i % 2 }));
    await producer.send({ topic, messages: plain });
    await producer.send({
      topic,
      compression: CompressionTypes.GZIP,
      messages: [
        { key: null, value: "no key", partition: 0 },
        { key: Buffer.from([0xff, 0xfe]), value: "bad key", partition: 0 },
        { key: "h", value: "with headers", headers: { trace: "t1", empty: "" }, partition: 1 },
        { key: "tomb", value: null, partition: 1 },
      ],
    });
    const txn = kafka.producer({ transactionalId: unique("group-fetch-txn"), maxInFlightRequests: 1, idempotent: true });
    await txn.connect();
    const aborting = await txn.transaction();
    await aborting.send({ topic, messages: [{ key: "aborted", value: "x", partition: 0 }] });
    await aborting.abort();
    await producer.send({ topic, messages: [{ key: "last", value: "after the abort", partition: 0 }] });
    await txn.disconnect();
    await producer.disconnect();
    expected = 50 + 4 + 1;
  });
  afterAll(async () => {
    await lean.deleteTopics([topic]).catch(() => undefined);
    await lean.close();
    await full.close();
  });

  /** Every message of `topic` as a new group of `broker` receives it, by partition in arrival order. */
  async function receive(broker: KafkaBroker): Promise<unknown[]> {
    const got: BrokerMessage[] = [];
    const errors: Error[] = [];
    const member: GroupMember = await broker.joinGroup({
      group: unique("group-fetch"),
      topics: [topic],
      callbacks: {
        onAssigned: async () => undefined,
        onRevoked: async () => undefined,
        async onBatch(batch: Batch) {
          got.push(...batch.messages);
        },
        onError: (error) => errors.push(error),
      },
    });
    await eventually(() => got.length >= expected, 30_000, "every message");
    await member.leave();
    expect(errors).toEqual([]);
    return got.map(shown).sort((a, b) => {
      const x = a as { partition: number; offset: number };
      const y = b as { partition: number; offset: number };
      return x.partition - y.partition || x.offset - y.offset;
    });
  }

  it("a group member receives the same messages with the lean decoder as with kafkajs's", async () => {
    const viaLean = await receive(lean);
    const viaKafkajs = await receive(full);
    expect(viaLean).toHaveLength(expected);
    expect(viaLean).toEqual(viaKafkajs);
    const keys = viaLean.map((m) => (m as { key: string }).key);
    expect(keys).not.toContain("aborted");
    expect(viaLean).toContainEqual(expect.objectContaining({ nullKey: true, value: "no key" }));
    expect(viaLean).toContainEqual(expect.objectContaining({ invalidKey: "fffe", value: "bad key" }));
    expect(viaLean).toContainEqual(expect.objectContaining({ key: "h", headers: { trace: "t1", empty: "" } }));
    expect(viaLean).toContainEqual(expect.objectContaining({ key: "tomb", value: null }));
  });

  it("a kafkajs consumer with the hook gets its batches as stand-ins carrying the port messages", async () => {
    const kafka = new Kafka({ brokers: kafkaBrokers().split(","), logLevel: logLevel.NOTHING });
    leanGroupFetches(kafka);
    const consumer = kafka.consumer({ groupId: unique("group-fetch-raw"), readUncommitted: false });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    let decoded = 0;
    let undecoded = 0;
    await consumer.run({
      eachBatch: async ({ batch }) => {
        const messages = decodedMessagesOf(batch.messages);
        if (messages === undefined) undecoded += batch.messages.length;
        else decoded += messages.length;
      },
    });
    await eventually(() => decoded + undecoded >= expected, 30_000, "every message");
    await consumer.disconnect();
    expect({ decoded, undecoded }).toEqual({ decoded: expected, undecoded: 0 });
  });
});
