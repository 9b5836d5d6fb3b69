/**
 * The port's TransactionalProducer over a kafkajs transactional producer
 * (`guarantee: exactly-once`): each `commit` is one Kafka transaction holding
 * the records and the group's input offsets (`sendOffsets`, i.e.
 * AddOffsetsToTxn + TxnOffsetCommit), committed or aborted as a whole.
 */
import type { Kafka } from "kafkajs";
import type { Compression, ProducedOffset, ProduceRecord, TransactionalProducer, TransactionOffsets } from "../port.js";
import { sendInChunks } from "./producer.js";

/** How long the broker lets a transaction stay open before aborting it (a crashed instance's open transaction ends then at the latest). */
const TRANSACTION_TIMEOUT_MS = 60_000;

/**
 * Connects a transactional producer with `transactionalId` and initialises
 * it at once (InitProducerId): the broker aborts the open transaction of an
 * earlier producer with the same id and fences it, so its later sends and
 * commits fail. Records are chunked and compressed as `createKafkaProducer`
 * does; a transaction's batches are sent one after the other.
 */
export async function createKafkaTransactionalProducer(
  kafka: Kafka,
  transactionalId: string,
  compression: Readonly<Record<string, Compression>> = {},
): Promise<TransactionalProducer> {
  const producer = kafka.producer({
    transactionalId,
    idempotent: true,
    maxInFlightRequests: 1,
    transactionTimeout: TRANSACTION_TIMEOUT_MS,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  try {
    // kafkajs initialises the transactional id on the first transaction: fence the previous owner now, not at the first batch.
    await (await producer.transaction()).abort();
  } catch (error) {
    await producer.disconnect().catch(() => undefined);
    throw error;
  }
  let closed = false;
  let chain: Promise<unknown> = Promise.resolve();

  async function transact(records: readonly ProduceRecord[], offsets: TransactionOffsets | undefined): Promise<ProducedOffset[]> {
    if (closed) throw new Error("gokac: commit on a closed transactional producer");
    const committing = offsets?.offsets ?? [];
    if (records.length === 0 && committing.length === 0) return [];
    const transaction = await producer.transaction();
    try {
      const produced = await sendInChunks(records, compression, async (batches) => {
        const sent = [];
        for (const b of batches) sent.push(await transaction.sendBatch({ ...b, acks: -1 }));
        return sent;
      });
      if (offsets !== undefined && committing.length > 0) {
        const byTopic = new Map<string, { partition: number; offset: string }[]>();
        for (const o of committing)
          byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), { partition: o.partition, offset: String(o.offset) }]);
        await transaction.sendOffsets({
          consumerGroupId: offsets.group,
          topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
        });
      }
      await transaction.commit();
      return produced;
    } catch (error) {
      if (transaction.isActive()) await transaction.abort().catch(() => undefined);
      throw error;
    }
  }

  return {
    commit(records, offsets) {
      const result = chain.then(() => transact(records, offsets));
      chain = result.catch(() => undefined);
      return result;
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      await chain;
      await producer.disconnect();
    },
  };
}
