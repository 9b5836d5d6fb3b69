/**
 * A linear stand-in for kafkajs's grouping of a send's messages by partition.
 *
 * kafkajs's producer groups each topic's messages with
 * `messages.reduce((result, message) => ({ ...[partition]: [...current, message] }), {})`
 * (producer/groupMessagesPerPartition.js, the only `reduce` of a messages
 * array in its producer): the partition's array is copied for every message,
 * so a request of n records for one partition makes about 4n² bytes of
 * garbage. With 1,000-record requests (producer.ts) that was a quarter of all
 * the accumulator benchmark's allocation, most of it promoted to V8's old
 * generation before it died. gokac names every message's partition, so the
 * grouping is known: an array from `partitionedMessages` answers kafkajs's
 * `reduce` with the same grouping made in one pass. Any other `reduce` call
 * (not the grouping's shape, or a message without a partition) runs
 * `Array.prototype.reduce` as usual.
 */
import type { Message } from "kafkajs";

type Reducer = (result: unknown, message: Message, index: number, array: Message[]) => unknown;

function isEmptyObject(value: unknown): boolean {
  return (
    typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype && Object.keys(value).length === 0
  );
}

function reduce(this: Message[], callback: Reducer, ...initial: unknown[]): unknown {
  if (initial.length !== 1 || !isEmptyObject(initial[0]) || !this.every((m) => typeof m.partition === "number")) {
    return (Array.prototype.reduce as (this: Message[], cb: Reducer, ...init: unknown[]) => unknown).call(this, callback, ...initial);
  }
  const grouped: Record<number, Message[]> = {};
  for (const message of this) (grouped[message.partition as number] ??= []).push(message);
  return grouped;
}

/** An empty messages array for kafkajs's `send`/`sendBatch` whose messages will all name their partition (see the module comment). */
export function partitionedMessages(): Message[] {
  const messages: Message[] = [];
  Object.defineProperty(messages, "reduce", { value: reduce, enumerable: false, writable: true, configurable: true });
  return messages;
}
