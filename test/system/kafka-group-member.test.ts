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
    const records = Array.from({ length: 200 }, (_, i) => ({
      topic: i % 2 ? input : loop,
      partition: i % 4,
      key: `k${i}`,
      value: bytes(String(i)),
    }));
    await producer.send(records);
    const a = recorder(broker, group, [input, loop]);
    await a.join();
    await eventually(() => a.received.size === 200, 30_000, "all messages");
    expect(a.events[0]).toBe("assigned 0,1,2,3");
    expect(a.violations).toEqual([]);
    expect([...a.received.values()].every((l) => l.length === 1)).toBe(true);
    await eventually(async () => (await broker.committedOffset(group, input, 1)) === 50, 10_000, "commit");
    // Each partition's commit goes its own way: wait for the loop's too, not only the input's.
    await eventually(async () => (await broker.committedOffset(group, loop, 0)) === 50, 10_000, "the loop's commit");
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
    const sent = Array.from({ length: 400 }, (_, i) => ({
      topic: topics[i % 2] ?? "",
      partition: i % 8,
      key: `k${i}`,
      value: bytes(String(i)),
    }));
    await producer.send(sent);
    await eventually(() => a.received.size + b.received.size === 400, 30_000, "400 messages");
    // Each member saw exactly the partitions it owns, of both topics.
    for (const [r, other] of [
      [a, b],
      [b, a],
    ] as const) {
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

  it("loses and repeats nothing while members stop, start and rebalance under load", { timeout: 120_000 }, async () => {
    const group = unique("member-cycles");
    const topic = unique("member-load");
    await broker.createTopic({ topic, partitions: 4, compacted: false });
    const members: ReturnType<typeof recorder>[] = [];
    const start = async () => {
      const m = recorder(broker, group, [topic]);
      members.push(m);
      await m.join();
      return m;
    };
    const producer = await broker.producer();
    let sent = 0;
    let producing = true;
    const load = (async () => {
      while (producing) {
        const batch = Array.from({ length: 50 }, (_, i) => ({ topic, partition: (sent + i) % 4, key: `m${sent + i}`, value: bytes("x") }));
        await producer.send(batch);
        sent += batch.length;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const steady = await start();
    // Three cycles: a second member joins (rebalance 2/2), then leaves (rebalance back to 4).
    for (let cycle = 0; cycle < 3; cycle++) {
      const extra = await start();
      await eventually(() => extra.owned().length === 2 && steady.owned().length === 2, 60_000, "2/2");
      await new Promise((resolve) => setTimeout(resolve, 500));
      await extra.leave();
      await eventually(() => steady.owned().length === 4, 60_000, "4 again");
    }
    // And the steady member itself restarts.
    await steady.leave();
    const last = await start();
    producing = false;
    await load;
    await producer.close();
    const count = (key: string) => members.reduce((n, m) => n + (m.received.get(key)?.length ?? 0), 0);
    await eventually(() => Array.from({ length: sent }, (_, i) => `m${i}`).every((k) => count(k) >= 1), 60_000, "every message");
    const repeated = Array.from({ length: sent }, (_, i) => `m${i}`).filter((k) => count(k) > 1);
    expect(repeated).toEqual([]);
    expect(members.flatMap((m) => m.violations)).toEqual([]);
    expect(members.flatMap((m) => m.errors)).toEqual([]);
    expect(sent).toBeGreaterThan(500);
    await last.leave();
  });

  it("keeps its membership while a batch takes longer than the session timeout (heartbeats go on)", { timeout: 60_000 }, async () => {
    const slowBroker = createKafkaBroker({ brokers: kafkaBrokers(), group: { sessionTimeoutMs: 6_000, heartbeatIntervalMs: 1_000 } });
    const group = unique("member-slow");
    const topic = unique("member-slow-in");
    await slowBroker.createTopic({ topic, partitions: 1, compacted: false });
    const events: string[] = [];
    const errors: Error[] = [];
    let done = 0;
    const member = await slowBroker.joinGroup({
      group,
      topics: [topic],
      callbacks: {
        async onAssigned(p) {
          events.push(`assigned ${p.join(",")}`);
        },
        async onRevoked(p) {
          events.push(`revoked ${p.join(",")}`);
        },
        async onBatch(batch) {
          await new Promise((resolve) => setTimeout(resolve, 10_000));
          const last = batch.messages[batch.messages.length - 1];
          if (last !== undefined) await member.commit([{ topic, partition: 0, offset: last.offset + 1 }]);
          // Counted once committed: the test reads the committed offset next.
          done += batch.messages.length;
        },
        onError(error) {
          errors.push(error);
        },
      },
    });
    const producer = await slowBroker.producer();
    await producer.send([{ topic, partition: 0, key: "slow", value: bytes("1") }]);
    await producer.close();
    await eventually(() => done === 1, 30_000, "the slow batch");
    expect(events).toEqual(["assigned 0"]);
    expect(await slowBroker.committedOffset(group, topic, 0)).toBe(1);
    await member.leave();
    await slowBroker.close();
    expect(errors).toEqual([]);
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
