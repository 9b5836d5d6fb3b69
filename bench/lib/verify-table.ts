/**
 * Checks a contender's result: reads a table's changelog to its end and
 * compares every key's last value with the sum the seeded input implies, so
 * a fast but wrong accumulator cannot pass as a result.
 */
import kafkajs from "kafkajs";
import { benchKey } from "./keys.js";
import { expectedSum } from "./seed.js";

const { Kafka, logLevel } = kafkajs;

/** What the check found: `wrong` keys hold another value, `missing` keys none. */
export interface TableCheck {
  readonly records: number;
  readonly wrong: number;
  readonly missing: number;
}

/** Reads `changelog` from the beginning to its high watermarks; last value per key. */
async function readTable(brokers: string, changelog: string): Promise<{ values: Map<string, Buffer | null>; records: number }> {
  const kafka = new Kafka({ clientId: "bench-verify", brokers: brokers.split(","), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  const groupId = `bench-verify-${process.pid}-${Date.now()}`;
  const ends = new Map((await admin.fetchTopicOffsets(changelog)).map((p) => [p.partition, Number(p.high)]));
  const pending = new Set([...ends].filter(([, high]) => high > 0).map(([p]) => p));
  const values = new Map<string, Buffer | null>();
  let records = 0;
  const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100 });
  try {
    await consumer.connect();
    await consumer.subscribe({ topic: changelog, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      if (pending.size === 0) resolve();
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            for (const m of batch.messages) {
              values.set(m.key?.toString("utf8") ?? "", m.value);
              records++;
            }
            // lastOffset() counts a trailing transaction marker (exactly-once contenders), which `messages` leaves out.
            if (batch.messages.length > 0 && Number(batch.lastOffset()) + 1 >= (ends.get(batch.partition) ?? 0))
              pending.delete(batch.partition);
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
  return { values, records };
}

/** Compares the table in `changelog` with the sums of `messages` seeded messages over `keys` keys. */
export async function verifyAccumulator(brokers: string, changelog: string, messages: number, keys: number): Promise<TableCheck> {
  const { values, records } = await readTable(brokers, changelog);
  let wrong = 0;
  let missing = 0;
  for (let k = 0; k < keys; k++) {
    const value = values.get(benchKey(k));
    if (value === undefined || value === null) missing++;
    else if (value.length !== 8 || value.readBigInt64BE() !== expectedSum(k, messages, keys)) wrong++;
  }
  return { records, wrong, missing };
}
