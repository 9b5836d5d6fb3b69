/**
 * The runner's own view of the broker (kafkajs admin and producer): fresh
 * topics, seeding, committed offsets. Contenders never share these clients.
 */
import kafkajs from "kafkajs";
import type { Admin, Producer } from "kafkajs";

const { Kafka, logLevel } = kafkajs;

/** One admin and one producer on the bench broker. */
export interface BenchCluster {
  readonly admin: Admin;
  /**
   * Runs `fn` with a fresh producer (acks chosen per send, no compression),
   * disconnected afterwards: kafkajs refreshes metadata of every topic a
   * producer ever sent to, and fails once one of them is deleted.
   */
  withProducer<T>(fn: (producer: Producer) => Promise<T>): Promise<T>;
  /** Deletes the topics if they exist, then creates them empty; waits for leaders. */
  freshTopics(topics: readonly { name: string; partitions: number; compacted?: boolean }[]): Promise<void>;
  /** Deletes topics that exist; ignores the rest. */
  deleteTopics(names: readonly string[]): Promise<void>;
  /** Deletes consumer groups; ignores unknown ones. */
  deleteGroups(groups: readonly string[]): Promise<void>;
  /**
   * Waits until `group` has no members (a stopped contender's member may
   * linger until its session times out); resolves with the milliseconds waited.
   */
  waitGroupEmpty(group: string, timeoutMs: number): Promise<number>;
  /** Sum of the high watermarks of a topic's partitions. */
  endOffsetTotal(topic: string): Promise<number>;
  /** Sum over partitions of a group's committed offset on a topic (0 where none). */
  committedTotal(group: string, topic: string): Promise<number>;
  close(): Promise<void>;
}

/** Connects an admin to `brokers`. */
export async function connectCluster(brokers: string): Promise<BenchCluster> {
  const kafka = new Kafka({
    clientId: "gokac-bench-runner",
    brokers: brokers.split(",").map((b) => b.trim()),
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();

  async function existing(names: readonly string[]): Promise<string[]> {
    const all = new Set(await admin.listTopics());
    return names.filter((n) => all.has(n));
  }

  async function waitForLeaders(topic: string, partitions: number): Promise<void> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
        const ps = topics[0]?.partitions ?? [];
        if (ps.length === partitions && ps.every((p) => p.leader >= 0)) return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
      }
      if (Date.now() > deadline) throw new Error(`topic ${topic}: no leaders after 60 s`);
      await sleep(200);
    }
  }

  async function deleteTopics(names: readonly string[]): Promise<void> {
    const present = await existing(names);
    if (present.length === 0) return;
    await admin.deleteTopics({ topics: present, timeout: 30_000 });
    // Deletion is asynchronous on the broker; a create with the same name fails until it is gone.
    for (let i = 0; i < 100 && (await existing(present)).length > 0; i++) await sleep(100);
  }

  return {
    admin,
    async withProducer(fn) {
      const producer = kafka.producer({ allowAutoTopicCreation: false });
      await producer.connect();
      try {
        return await fn(producer);
      } finally {
        await producer.disconnect().catch(() => undefined);
      }
    },
    async freshTopics(topics) {
      await deleteTopics(topics.map((t) => t.name));
      // kafkajs's own waitForLeaders gives up (and can reject unobserved) on a busy broker: poll instead.
      await admin.createTopics({
        waitForLeaders: false,
        timeout: 30_000,
        topics: topics.map((t) => ({
          topic: t.name,
          numPartitions: t.partitions,
          replicationFactor: 1,
          configEntries: t.compacted ? [{ name: "cleanup.policy", value: "compact" }] : [],
        })),
      });
      for (const t of topics) await waitForLeaders(t.name, t.partitions);
    },
    deleteTopics,
    async deleteGroups(groups) {
      const known = new Set((await admin.listGroups()).groups.map((g) => g.groupId));
      const present = groups.filter((g) => known.has(g));
      if (present.length > 0) await admin.deleteGroups(present).catch(() => undefined);
    },
    async waitGroupEmpty(group, timeoutMs) {
      const started = Date.now();
      while (Date.now() - started < timeoutMs) {
        const { groups } = await admin.describeGroups([group]);
        const g = groups[0];
        if (g === undefined || g.members.length === 0 || g.state === "Empty" || g.state === "Dead") break;
        await sleep(250);
      }
      return Date.now() - started;
    },
    async endOffsetTotal(topic) {
      const offsets = await admin.fetchTopicOffsets(topic);
      return offsets.reduce((sum, p) => sum + Number(p.high), 0);
    },
    async committedTotal(group, topic) {
      const [entry] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
      return (entry?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    },
    async close() {
      await admin.disconnect().catch(() => undefined);
    },
  };
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
