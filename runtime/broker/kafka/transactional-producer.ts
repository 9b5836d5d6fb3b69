/**
 * The port's TransactionalProducer over a kafkajs transactional producer
 * (`guarantee: exactly-once`): each `commit` is one Kafka transaction holding
 * the records and the group's input offsets (`sendOffsets`, i.e.
 * AddOffsetsToTxn + TxnOffsetCommit), committed or aborted as a whole. A
 * failed commit rejects with a `TransactionFailedError`; its `recovery`
 * re-initialises the transactional id and looks up what committed, so the
 * processor can ride the failure out (runtime/processor/transaction-retry.ts).
 */
import type { Kafka, Producer as KafkaProducer } from "kafkajs";
import type { Compression, ProducedOffset, ProduceRecord, TransactionalProducer, TransactionOffsets } from "../port.js";
import { TransactionFailedError, type TransactionFailureReason, type TransactionOutcome } from "../transaction-failure.js";
import { isOutageError, type OutageGuard } from "./outage.js";
import { sendInChunks } from "./producer.js";

/** How long the broker lets a transaction stay open before aborting it (a crashed instance's open transaction ends then at the latest). */
const TRANSACTION_TIMEOUT_MS = 60_000;

/**
 * kafkajs's own retries of a send, bounded (about 1.7 s of backoff, each wait
 * at most 500 ms as the at-least-once producer's: a moved leader or
 * coordinator is found again soon after the cluster fenced the dead broker)
 * so that a failure comes back to the processor, whose retry loop owns the
 * outage allowance (`maxOutageMs`).
 */
const SEND_RETRY = { retries: 5, initialRetryTime: 100, maxRetryTime: 500 };

/** Kafka error codes of a fenced producer: INVALID_PRODUCER_EPOCH (47), PRODUCER_FENCED (90, unknown to kafkajs 2.2.4). */
const FENCED_CODES = new Set([47, 90]);
/** A new producer epoch can send the transaction again: OUT_OF_ORDER_SEQUENCE_NUMBER, INVALID_TXN_STATE, UNKNOWN_PRODUCER_ID. */
const ABORTABLE_CODES = new Set([45, 48, 59]);

function field(error: unknown, name: string): unknown {
  return typeof error === "object" && error !== null && name in error ? (error as Record<string, unknown>)[name] : undefined;
}

/** Why a kafkajs transaction call failed (follows `cause` chains). */
export function failureReason(error: unknown): TransactionFailureReason {
  let abortable = false;
  for (let e: unknown = error, depth = 0; e !== undefined && e !== null && depth < 10; e = field(e, "cause"), depth++) {
    const code = field(e, "code");
    if (typeof code === "number" && FENCED_CODES.has(code)) return "fenced";
    if (typeof code === "number" && ABORTABLE_CODES.has(code)) abortable = true;
  }
  if (isOutageError(error)) return "outage";
  return abortable ? "abortable" : "other";
}

function failed(error: unknown, outcome: TransactionOutcome): TransactionFailedError {
  return error instanceof TransactionFailedError ? error : new TransactionFailedError(failureReason(error), outcome, error);
}

/** What `createKafkaTransactionalProducer` needs besides the client. */
export interface TransactionalProducerContext {
  /** Topic compression, as `createKafkaProducer` takes it. */
  readonly compression?: Readonly<Record<string, Compression>>;
  /** The broker's outage allowance: opening rides out an outage within it, and `recovery.exceeded` answers from it. */
  readonly outage?: OutageGuard;
  /** One look-up of a group's committed offsets of a topic (by partition). */
  readonly committedOffsets?: (group: string, topic: string) => Promise<ReadonlyMap<number, number>>;
  /** One look-up of a topic-partition's end (last stable offset). */
  readonly endOffset?: (topic: string, partition: number) => Promise<number>;
}

/**
 * Connects a transactional producer with `transactionalId` and initialises
 * it at once (InitProducerId): the broker aborts the open transaction of an
 * earlier producer with the same id and fences it, so its later sends and
 * commits fail. Records are chunked and compressed as `createKafkaProducer`
 * does; a transaction's batches are sent one after the other. With
 * `context.outage`, opening retries an outage within the allowance.
 */
export async function createKafkaTransactionalProducer(
  kafka: Kafka,
  transactionalId: string,
  context: TransactionalProducerContext = {},
): Promise<TransactionalProducer> {
  const compression = context.compression ?? {};
  let closed = false;

  /** A connected, initialised kafkajs producer for the id (one attempt). */
  async function open(): Promise<KafkaProducer> {
    const p = kafka.producer({
      transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: TRANSACTION_TIMEOUT_MS,
      allowAutoTopicCreation: false,
      retry: SEND_RETRY,
    });
    try {
      await p.connect();
      // kafkajs initialises the transactional id on the first transaction: fence the previous owner now, not at the first batch.
      await (await p.transaction()).abort();
    } catch (error) {
      await p.disconnect().catch(() => undefined);
      throw error;
    }
    return p;
  }

  const outage = context.outage;
  let producer = outage === undefined ? await open() : await outage.retry(`transactional producer ${transactionalId}`, open);
  let chain: Promise<unknown> = Promise.resolve();

  async function transact(records: readonly ProduceRecord[], offsets: TransactionOffsets | undefined): Promise<ProducedOffset[]> {
    if (closed) throw new Error("gokac: commit on a closed transactional producer");
    const committing = offsets?.offsets ?? [];
    if (records.length === 0 && committing.length === 0) return [];
    const current = producer;
    let outcome: TransactionOutcome = "aborted";
    let transaction: Awaited<ReturnType<KafkaProducer["transaction"]>> | undefined;
    try {
      transaction = await current.transaction();
      const t = transaction;
      const produced = await sendInChunks(records, compression, async (batches) => {
        const sent = [];
        for (const b of batches) sent.push(await t.sendBatch({ ...b, acks: -1 }));
        return sent;
      });
      if (offsets !== undefined && committing.length > 0) {
        const byTopic = new Map<string, { partition: number; offset: string }[]>();
        for (const o of committing)
          byTopic.set(o.topic, [...(byTopic.get(o.topic) ?? []), { partition: o.partition, offset: String(o.offset) }]);
        await t.sendOffsets({
          consumerGroupId: offsets.group,
          topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
        });
      }
      // From here the coordinator may have been asked to commit: an error leaves the outcome unknown.
      outcome = "unknown";
      await t.commit();
      return produced;
    } catch (error) {
      const failure = failed(error, outcome);
      // kafkajs keeps the transaction active until it asked to commit: abort it (acknowledged: certainly not committed).
      // Not in an outage: the abort would wait out the same outage with its own retries (seconds when the coordinator's
      // broker died), and the processor's retry loop re-initialises the id next, whose InitProducerId aborts the
      // transaction anyway (as the next owner's does if the partition moves); this producer is not used again.
      if (transaction?.isActive() === true && failure.reason !== "outage") await transaction.abort().catch(() => undefined);
      throw failure;
    }
  }

  return {
    commit(records, offsets) {
      const result = chain.then(() => transact(records, offsets));
      chain = result.catch(() => undefined);
      return result;
    },
    recovery: {
      async reinitialize(): Promise<void> {
        if (closed) throw new Error("gokac: reinitialize on a closed transactional producer");
        const old = producer;
        await old.disconnect().catch(() => undefined);
        let fresh: KafkaProducer;
        try {
          fresh = await open();
        } catch (error) {
          throw failed(error, "unknown");
        }
        // Closed meanwhile (the partition was revoked while this ran): nobody uses it.
        if (closed) {
          await fresh.disconnect().catch(() => undefined);
          throw new Error("gokac: transactional producer closed while reinitialising");
        }
        producer = fresh;
      },
      async committed(offsets: TransactionOffsets): Promise<(number | undefined)[]> {
        const lookUp = context.committedOffsets;
        if (lookUp === undefined) throw new Error("gokac: no committed-offsets look-up for the transactional producer");
        const byTopic = new Map<string, ReadonlyMap<number, number>>();
        try {
          for (const topic of new Set(offsets.offsets.map((o) => o.topic))) byTopic.set(topic, await lookUp(offsets.group, topic));
        } catch (error) {
          throw failed(error, "unknown");
        }
        return offsets.offsets.map((o) => byTopic.get(o.topic)?.get(o.partition));
      },
      async end(topic: string, partition: number): Promise<number> {
        if (context.endOffset === undefined) throw new Error("gokac: no end-offset look-up for the transactional producer");
        try {
          return await context.endOffset(topic, partition);
        } catch (error) {
          throw failed(error, "unknown");
        }
      },
      exceeded(since: number, cause: unknown): Error | undefined {
        if (outage === undefined) return cause instanceof Error ? cause : new Error(String(cause));
        return outage.exceeded(`transactional producer ${transactionalId}`, since, cause);
      },
      get maxOutageMs() {
        return outage?.maxOutageMs ?? 0;
      },
    },
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      // Not waiting for the chain: a commit abandoned by a revocation may still be retrying; disconnecting ends it.
      await producer.disconnect();
    },
  };
}
