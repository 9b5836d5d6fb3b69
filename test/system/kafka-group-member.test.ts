/** Group membership of the kafkajs broker port: copartitioned assignment, lifecycle order, commits, rebalances. */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Batch, Broker, GroupMember } from "../../runtime/broker/port.js";
import { createKafkaBroker } from "../../runtime/broker/kafka/index.js";
import { describeKafka, eventually, kafkaBrokers, unique } from "./kafka-env.js";

const bytes = (s: string) => new TextEncoder().encode(s);

/** A member that records what the port tells it and commits after every batch. */
function recorder(broker: Broker, group: string, topics: string[]) {
  const events: string[] = [];
  let owned: number[] = [];
  const received = new Map<string, string[]>();
  const violations: string[] = [];
  const lastOffset = new Map<string, number>();
  let member: GroupMember | undefined;
  const errors: Error[] = [];
  return {
    events,
    received,
    violations,
    errors,
    owned: () => owned,
    async join() {
      member = await broker.joinGroup({
        group,
        topics,
        callbacks: {
          async onAssigned(partitions) {
            events.push(`assigned ${partitions.join(",")}`);
            owned = [...partitions];
          },
          async onRevoked(partitions) {
            events.push(`revoked ${partitions.join(",")}`);
            owned = owned.filter((p) => !partitions.includes(p));
          },
          async onBatch(batch: Batch) {
            if (!owned.includes(batch.partition)) violations.push(`batch of unowned ${batch.topic}/${batch.partition}`);
            for (const m of batch.messages) {
              const tp = `${batch.topic}/${batch.partition}`;
              if ((lastOffset.get(tp) ?? -1) >= m.offset) violations.push(`${tp}@${m.offset} out of order`);
              lastOffset.set(tp, m.offset);
              const list = received.get(m.key) ?? [];
              list.push(`${batch.topic}/${batch.partition}@${m.offset}`);
              received.set(m.key, list);
            }
            const last = batch.messages[batch.messages.length - 1];
            if (last !== undefined) await member?.commit([{ topic: batch.topic, partition: batch.partition, offset: last.offset + 1 }]);
          },
          onError(error) {
            errors.push(error);
          },
        },
      });
    },
    leave: () => member?.leave() ?? Promise.resolve(),
  };
}

describeKafka("kafka group membership", () => {
  let broker: Broker;
  beforeAll(() => {
    broker = createKafkaBroker({ brokers: kafkaBrokers(), clientId: "gokac-system-test" });
  });
  afterAll(async () => {
    await broker.close();
  });

  it("gives one member every partition of every topic, in order, and commits", async () => {
    const group = unique("member-one");
    const input = unique("member-in");
    const loop = `${group}-loop`;
    await broker.createTopic({ topic: input, partitions: 4, compacted: false });
    await broker.createTopic({ topic: loop, partitions: 4, compacted: false });
    const producer = await broker.producer();
    const records = Array.from({ length: 200 }, (_, i) => ({ topic: i % 2 ? input : loop, partition: i % 4, key: `k${i}`, value: bytes(String(i)) }));
    await producer.send(records);
    const a = recorder(broker, group, [input, loop]);
    await a.join();
    await eventually(() => a.received.size === 200, 30_000, "all messages");
    expect(a.events[0]).toBe("assigned 0,1,2,3");
    expect(a.violations).toEqual([]);
    expect([...a.received.values()].every((l) => l.length === 1)).toBe(true);
    await eventually(async () => (await broker.committedOffset(group, input, 1)) === 50, 10_000, "commit");
    expect(await broker.committedOffset(group, loop, 0)).toBe(50);
    await a.leave();
    expect(a.events).toEqual(["assigned 0,1,2,3", "revoked 0,1,2,3"]);

    // A new member of the same group continues after the committed offsets.
    await producer.send([{ topic: input, partition: 3, key: "after", value: bytes("x") }]);
    await producer.close();
    const b = recorder(broker, group, [input, loop]);
    await b.join();
    await eventually(() => b.received.has("after"), 30_000, "the new message");
    expect(b.received.size).toBe(1);
    await b.leave();
    expect(a.errors.concat(b.errors)).toEqual([]);
  });

  it("splits 8 copartitioned partitions 4/4 between two members and gives all 8 to the survivor", async () => {
    const group = unique("member-two");
    const topics = [unique("member-a"), unique("member-b")];
    for (const topic of topics) await broker.createTopic({ topic, partitions: 8, compacted: false });
    const a = recorder(broker, group, topics);
    const b = recorder(broker, group, topics);
    await a.join();
    await eventually(() => a.owned().length === 8, 30_000, "a owns 8");
    await b.join();
    await eventually(() => a.owned().length === 4 && b.owned().length === 4, 60_000, "4/4");
    expect(new Set([...a.owned(), ...b.owned()]).size).toBe(8);

    const producer = await broker.producer();
    const sent = Array.from({ length: 400 }, (_, i) => ({ topic: topics[i % 2] ?? "", partition: i % 8, key: `k${i}`, value: bytes(String(i)) }));
    await producer.send(sent);
    await eventually(() => a.received.size + b.received.size === 400, 30_000, "400 messages");
    // Each member saw exactly the partitions it owns, of both topics.
    for (const [r, other] of [[a, b], [b, a]] as const) {
      for (const where of [...r.received.values()].flat()) {
        expect(r.owned()).toContain(Number(where.split("/")[1]?.split("@")[0]));
      }
      expect([...r.received.keys()].some((k) => other.received.has(k))).toBe(false);
    }

    await b.leave();
    await eventually(() => a.owned().length === 8, 60_000, "a owns 8 again");
    await producer.send(sent.map((r) => ({ ...r, key: `again-${r.key}` })));
    await producer.close();
    await eventually(() => [...a.received.keys()].filter((k) => k.startsWith("again-")).length === 400, 30_000, "second round");
    expect([...b.received.keys()].some((k) => k.startsWith("again-"))).toBe(false);
    expect(a.violations.concat(b.violations)).toEqual([]);
    // No message was delivered twice (commits happened before each revocation).
    expect([...a.received.values(), ...b.received.values()].every((l) => l.length === 1)).toBe(true);
    await a.leave();
    expect(a.errors.concat(b.errors)).toEqual([]);
  });

  it("fails a member whose topics have different partition counts", async () => {
    const group = unique("member-mismatch");
    const four = unique("member-four");
    const eight = unique("member-eight");
    await broker.createTopic({ topic: four, partitions: 4, compacted: false });
    await broker.createTopic({ topic: eight, partitions: 8, compacted: false });
    const a = recorder(broker, group, [four, eight]);
    await a.join();
    await eventually(() => a.errors.length > 0, 30_000, "an error");
    expect(a.events).toEqual([]);
    expect((a.errors[0] as Error & { code?: string }).code).toBe("GK501");
    await a.leave();
  });
});
