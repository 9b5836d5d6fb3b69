/**
 * `sendInChunks` (the Kafka producers' core) when kafkajs's answer leaves a
 * partition out: kafkajs 2.2.4 skips, across its own retries, brokers that
 * already answered, so a partition whose leader moved to one of them is never
 * sent although the send resolves (tulios/kafkajs#1303). Those records are
 * sent again; the others are not.
 */
import { describe, expect, it } from "vitest";
import type { RecordMetadata } from "kafkajs";
import { MAX_RESENDS, sendInChunks, type CodecBatch } from "../../runtime/broker/kafka/producer.js";
import type { ProduceRecord } from "../../runtime/broker/port.js";

const text = (s: string) => new TextEncoder().encode(s);
const records: ProduceRecord[] = [
  { topic: "out", partition: 0, key: "a", value: text("1") },
  { topic: "out", partition: 1, key: "b", value: text("2") },
  { topic: "out", partition: 0, key: "c", value: text("3") },
  { topic: "g-table", partition: 1, key: "b", value: text("4") },
];

/** The topic-partitions a request carried, with each one's message count. */
function carried(batches: CodecBatch[]): string[] {
  return batches.flatMap((b) =>
    b.topicMessages.flatMap((t) => {
      const perPartition = new Map<number, number>();
      for (const m of t.messages) perPartition.set(m.partition!, (perPartition.get(m.partition!) ?? 0) + 1);
      return [...perPartition].map(([p, n]) => `${t.topic}/${p}×${n}`);
    }),
  );
}

/** An answer for the topic-partitions of `batches`, except `leftOut`; base offset 100 × (partition + 1). */
function answer(batches: CodecBatch[], leftOut: readonly string[]): RecordMetadata[][] {
  return batches.map((b) =>
    b.topicMessages.flatMap((t) =>
      [...new Set(t.messages.map((m) => m.partition!))]
        .filter((p) => !leftOut.includes(`${t.topic}/${p}`))
        .map((p) => ({ topicName: t.topic, partition: p, errorCode: 0, baseOffset: String(100 * (p + 1)) })),
    ),
  );
}

describe("sendInChunks", () => {
  it("sends again only the records of partitions kafkajs's answer left out, and maps every record's offset", async () => {
    const requests: string[][] = [];
    const offsets = await sendInChunks(records, {}, async (batches) => {
      requests.push(carried(batches));
      return answer(batches, requests.length === 1 ? ["out/0"] : []);
    });
    expect(requests).toEqual([["out/0×2", "out/1×1", "g-table/1×1"], ["out/0×2"]]);
    expect(offsets).toEqual([
      { topic: "out", partition: 0, offset: 100 },
      { topic: "out", partition: 1, offset: 200 },
      { topic: "out", partition: 0, offset: 101 },
      { topic: "g-table", partition: 1, offset: 200 },
    ]);
  });

  it("fails once a partition stayed unanswered through every resend", async () => {
    let calls = 0;
    const sending = sendInChunks(records, {}, async (batches) => {
      calls++;
      return answer(batches, ["g-table/1"]);
    });
    await expect(sending).rejects.toThrow(Error);
    expect(calls).toBe(MAX_RESENDS + 1);
  });
});
