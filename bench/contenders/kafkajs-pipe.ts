/**
 * The raw-kafkajs contender: a stateless consume → produce pipeline, the
 * client's ceiling for what gokac does per batch. Each fetched batch of one
 * partition is produced to the same partition of `--output` (acks=-1, as the
 * gokac runtime produces), then its offset is committed.
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
    partitions: { type: "string", default: "8" },
  },
});

const kafka = new Kafka({ clientId: "bench-kafkajs", brokers: values.brokers.split(","), logLevel: logLevel.NOTHING });
const producer = kafka.producer({ allowAutoTopicCreation: false });
const consumer = kafka.consumer({ groupId: values.group });
await Promise.all([producer.connect(), consumer.connect()]);
await consumer.subscribe({ topic: values.input, fromBeginning: true });

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
  partitionsConsumedConcurrently: Number(values.partitions),
  eachBatch: async ({ batch, heartbeat }) => {
    const last = batch.messages[batch.messages.length - 1];
    if (last === undefined) return;
    await producer.send({
      topic: values.output,
      acks: -1,
      messages: batch.messages.map((m) => ({ key: m.key, value: m.value, partition: batch.partition })),
    });
    await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: String(Number(last.offset) + 1) }]);
    await heartbeat();
  },
});
