/**
 * The raw-kafkajs contender: a stateless consume → produce pipeline, the
 * client's ceiling for what gokac does per batch. Each fetched batch of one
 * partition is produced to the same partition of `--output` (acks=-1, as the
 * gokac runtime produces), then its offset is committed. Consumer settings
 * are those of gokac's Kafka group member, so both fetch the same batches.
 *
 * Usage: node --import tsx bench/contenders/kafkajs-pipe.ts --brokers B --group G --input T --output O
 * Prints `READY <epoch-ms>` once the consumer runs; stops on SIGTERM/SIGINT.
 */
import { parseArgs } from "node:util";
import kafkajs from "kafkajs";

const { Kafka, logLevel } = kafkajs;

const { values } = parseArgs({
  options: {
    brokers: { type: "string", default: "127.0.0.1:9092" },
    group: { type: "string", default: "bench-kafkajs" },
    input: { type: "string", default: "bench-input" },
    output: { type: "string", default: "bench-kafkajs-out" },
  },
});

const kafka = new Kafka({ clientId: "bench-kafkajs", brokers: values.brokers.split(","), logLevel: logLevel.NOTHING });
const producer = kafka.producer({ allowAutoTopicCreation: false });
// The consumer settings of gokac's Kafka group member (runtime/broker/kafka/group-member.ts).
const consumer = kafka.consumer({
  groupId: values.group,
  maxWaitTimeInMs: 250,
  heartbeatInterval: 1_000,
  sessionTimeout: 30_000,
  allowAutoTopicCreation: false,
});
await Promise.all([producer.connect(), consumer.connect()]);
await consumer.subscribe({ topic: values.input, fromBeginning: true });

/** Records per produce request (see eachBatch). */
const chunk = 1_000;

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await consumer.disconnect().catch(() => undefined);
  await producer.disconnect().catch(() => undefined);
}
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());

consumer.on(consumer.events.GROUP_JOIN, () => process.stdout.write(`READY ${Date.now()}\n`));

await consumer.run({
  autoCommit: false,
  partitionsConsumedConcurrently: 64,
  eachBatch: async ({ batch, heartbeat }) => {
    const last = batch.messages[batch.messages.length - 1];
    if (last === undefined) return;
    // kafkajs groups a send's records by partition with an array copy per
    // record (quadratic); sub-requests of `chunk` records, sent pipelined, avoid it.
    const sends: Promise<unknown>[] = [];
    for (let from = 0; from < batch.messages.length; from += chunk) {
      const messages = batch.messages.slice(from, from + chunk).map((m) => ({ key: m.key, value: m.value, partition: batch.partition }));
      sends.push(producer.send({ topic: values.output, acks: -1, messages }));
    }
    await Promise.all(sends);
    await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: String(Number(last.offset) + 1) }]);
    await heartbeat();
  },
});
