/**
 * The chaos checks' oracle: a counting group's table must equal the fold of
 * its input (each key's count of input messages). Both topics are read from
 * the beginning to their current end, read-committed.
 */
import kafkajs from "kafkajs";

const { Kafka, logLevel } = kafkajs;

/** What a count table holds against its input: messages `lost` (counted less) and `doubled` (counted more), summed over keys. */
export interface FoldCheck {
  /** Input messages read. */
  readonly inputs: number;
  /** Keys in the input. */
  readonly keys: number;
  readonly lost: number;
  readonly doubled: number;
  /** Keys whose count is below, and above, their input count. */
  readonly keysShort: number;
  readonly keysOver: number;
}

/** Reads `topic` from the beginning to the end it has now; calls `each` with every record's key and value. */
export async function readToEnd(brokers: string, topic: string, each: (key: string, value: Buffer | null) => void): Promise<void> {
  const kafka = new Kafka({ clientId: "gokac-fold-check", brokers: brokers.split(","), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `gokac-fold-check-${process.pid}-${Date.now()}`;
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

/** Compares the int64 count table in `table` (last value per key) with the per-key message counts of `input`. */
export async function checkCountFold(brokers: string, input: string, table: string): Promise<FoldCheck> {
  const expected = new Map<string, number>();
  let inputs = 0;
  await readToEnd(brokers, input, (key) => {
    expected.set(key, (expected.get(key) ?? 0) + 1);
    inputs++;
  });
  const counted = new Map<string, number>();
  await readToEnd(brokers, table, (key, value) => {
    if (value === null) counted.delete(key);
    else counted.set(key, Number(value.readBigInt64BE()));
  });
  let lost = 0;
  let doubled = 0;
  let keysShort = 0;
  let keysOver = 0;
  for (const key of new Set([...expected.keys(), ...counted.keys()])) {
    const diff = (counted.get(key) ?? 0) - (expected.get(key) ?? 0);
    if (diff < 0) {
      lost -= diff;
      keysShort++;
    } else if (diff > 0) {
      doubled += diff;
      keysOver++;
    }
  }
  return { inputs, keys: expected.size, lost, doubled, keysShort, keysOver };
}
