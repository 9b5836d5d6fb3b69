/**
 * The linear grouping of a send's messages by partition
 * (runtime/broker/kafka/partitioned-messages.ts), against kafkajs 2.2.4's own
 * `groupMessagesPerPartition`, which the producer runs on every send.
 */
import { createRequire } from "node:module";
import type { Message } from "kafkajs";
import { describe, expect, it } from "vitest";
import { partitionedMessages } from "../../runtime/broker/kafka/partitioned-messages.js";

const require = createRequire(import.meta.url);
const groupMessagesPerPartition = require("kafkajs/src/producer/groupMessagesPerPartition.js") as (args: {
  topic: string;
  partitionMetadata: unknown[];
  messages: Message[];
  partitioner: (args: { message: Message }) => number;
}) => Record<number, Message[]>;

const metadata = [0, 1, 2].map((partitionId) => ({ partitionId, leader: 1 }));

function messagesOf(partitions: readonly (number | undefined)[]): Message[] {
  const messages = partitionedMessages();
  partitions.forEach((partition, i) => messages.push({ key: `k${i}`, value: `v${i}`, ...(partition === undefined ? {} : { partition }) }));
  return messages;
}

describe("partitionedMessages", () => {
  it("gives kafkajs's grouping the same result as a plain array, in order, without running its reducer", () => {
    const partitions = [2, 0, 2, 1, 0, 2, 2];
    const ours = messagesOf(partitions);
    let calls = 0;
    const partitioner = ({ message }: { message: Message }) => {
      calls++;
      return message.partition ?? 0;
    };
    const grouped = groupMessagesPerPartition({ topic: "t", partitionMetadata: metadata, messages: ours, partitioner });
    expect(calls).toBe(0);
    const plain = groupMessagesPerPartition({ topic: "t", partitionMetadata: metadata, messages: [...ours], partitioner });
    expect(calls).toBe(partitions.length);
    expect(grouped).toEqual(plain);
    expect(grouped[2]?.map((m) => m.key)).toEqual(["k0", "k2", "k5", "k6"]);
  });

  it("falls back to Array.prototype.reduce for other reductions and for messages without a partition", () => {
    const ours = messagesOf([1, 0, 1]);
    expect(ours.reduce((n, m) => n + (m.partition ?? 0), 0)).toBe(2);
    expect(ours.reduce((keys: string[], m) => [...keys, String(m.key)], [])).toEqual(["k0", "k1", "k2"]);
    const unnamed = messagesOf([1, undefined]);
    const grouped = groupMessagesPerPartition({ topic: "t", partitionMetadata: metadata, messages: unnamed, partitioner: () => 2 });
    expect(Object.keys(grouped)).toEqual(["2"]);
    expect(Object.keys(ours)).toEqual(["0", "1", "2"]);
  });
});
