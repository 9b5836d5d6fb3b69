/**
 * Reads a topic from the beginning to the end it has when called (read
 * committed, through a throw-away consumer group): the bench's table checks
 * and the chaos suite's fold check read their oracles this way.
 */
import kafkajs from "kafkajs";

const { Kafka, logLevel } = kafkajs;

/** Reads `topic` from the beginning to the end it has now; calls `each` with every record's key and value. */
export async function readToEnd(brokers: string, topic: string, each: (key: string, value: Buffer | null) => void): Promise<void> {
  const kafka = new Kafka({ clientId: "gokac-read-to-end", brokers: brokers.split(","), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `gokac-read-to-end-${process.pid}-${Date.now()}`;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 200 });
  try {
    const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
    const pending = new Set([...ends].filter(([, high]) => high > 0).map(([p]) => p));
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      if (pending.size === 0) resolve();
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            for (const m of batch.messages) each(m.key?.toString("utf8") ?? "", m.value);
            // Transaction markers take offsets too: the batch's last offset, not its last message's, says how far it got.
            if (Number(batch.lastOffset()) + 1 >= (ends.get(batch.partition) ?? 0)) pending.delete(batch.partition);
            if (pending.size === 0) resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin.disconnect().catch(() => undefined);
  }
}
