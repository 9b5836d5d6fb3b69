/**
 * Consumer groups of the in-memory broker: members, the copartitioned
 * assignment (member i of n owns partition p of every topic when
 * p % n == i), rebalances on join and leave (revoke everything, then
 * assign), committed offsets, and one fetch loop per owned topic-partition
 * delivering batches one at a time in offset order.
 */
import { asError } from "../../errors.js";
import type { GroupCallbacks, GroupMember, GroupOptions, TopicPartition } from "../port.js";
import type { TopicLog } from "./memory-log.js";

/** What a group needs of the broker. */
export interface GroupEnvironment {
  topic(name: string): TopicLog | undefined;
  readonly maxBatchSize: number;
}

class Fetcher {
  stopped = false;
  busy = false;
  private readonly wakeSignal: { wake?: () => void } = {};
  private loop: Promise<void> | undefined;

  constructor(
    readonly topic: TopicLog,
    readonly partition: number,
    private position: number,
    private readonly env: GroupEnvironment,
    private readonly callbacks: GroupCallbacks,
    private readonly onFailure: (error: Error) => void,
  ) {}

  /** Caught up and not handling a batch. */
  get idle(): boolean {
    return this.stopped || (!this.busy && this.position >= (this.topic.partitions[this.partition]?.highWatermark ?? 0));
  }

  start(): void {
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeSignal.wake?.();
    await this.loop;
  }

  private async run(): Promise<void> {
    const log = this.topic.partitions[this.partition];
    if (log === undefined) return;
    while (!this.stopped) {
      if (this.position >= log.highWatermark) {
        await log.waitForAppend(Number.POSITIVE_INFINITY, this.wakeSignal);
        continue;
      }
      const messages = log.messages.slice(this.position, this.position + this.env.maxBatchSize);
      this.busy = true;
      try {
        await this.callbacks.onBatch({ topic: this.topic.name, partition: this.partition, messages });
      } catch (error) {
        this.stopped = true;
        this.onFailure(asError(error));
        return;
      } finally {
        this.busy = false;
      }
      this.position += messages.length;
    }
  }
}

class Member implements GroupMember {
  partitions: number[] = [];
  fetchers: Fetcher[] = [];
  left = false;

  constructor(
    readonly options: GroupOptions,
    private readonly group: MemoryGroup,
  ) {}

  commit(offsets: readonly (TopicPartition & { readonly offset: number })[]): Promise<void> {
    if (this.left) return Promise.reject(new Error(`group ${this.group.name}: commit after leaving`));
    for (const o of offsets) this.group.committed.set(`${o.topic}/${o.partition}`, o.offset);
    return new Promise((resolve) => setImmediate(resolve));
  }

  leave(): Promise<void> {
    return this.group.leave(this);
  }

  async stopFetching(): Promise<void> {
    const fetchers = this.fetchers;
    this.fetchers = [];
    await Promise.all(fetchers.map((f) => f.stop()));
  }
}

/** One consumer group. */
export class MemoryGroup {
  readonly committed = new Map<string, number>();
  private readonly members: Member[] = [];
  private queue: Promise<void> = Promise.resolve();
  private rebalancing = 0;

  constructor(
    readonly name: string,
    private readonly env: GroupEnvironment,
  ) {}

  /** No rebalance running and every fetcher caught up and waiting. */
  get idle(): boolean {
    return this.rebalancing === 0 && this.members.every((m) => m.fetchers.every((f) => f.idle));
  }

  /** Ends every membership for good, as a lost cluster would: fetching stops, each member's `onError` gets `error`. */
  async fail(error: Error): Promise<void> {
    const members = this.members.splice(0);
    await Promise.all(
      members.map(async (m) => {
        m.left = true;
        await m.stopFetching();
        m.options.callbacks.onError(error);
      }),
    );
  }

  committedOffset(topic: string, partition: number): number | undefined {
    return this.committed.get(`${topic}/${partition}`);
  }

  join(options: GroupOptions): Promise<GroupMember> {
    const member = new Member(options, this);
    this.announceRebalance();
    return this.serialized(async () => {
      await this.revokeAll();
      this.members.push(member);
      await this.assignAll();
      return member;
    });
  }

  leave(member: Member): Promise<void> {
    if (!member.left) this.announceRebalance();
    return this.serialized(async () => {
      if (member.left) return;
      await this.revokeAll();
      member.left = true;
      this.members.splice(this.members.indexOf(member), 1);
      await this.assignAll();
    });
  }

  /** Tells every member a rebalance is coming, before it waits for the running one (as Kafka's REBALANCING event). */
  private announceRebalance(): void {
    for (const m of this.members) m.options.callbacks.onRebalanceStarted?.();
  }

  private serialized<T>(step: () => Promise<T>): Promise<T> {
    this.rebalancing++;
    const result = this.queue.then(step);
    this.queue = result.then(
      () => undefined,
      () => undefined,
    );
    return result.finally(() => {
      this.rebalancing--;
    });
  }

  private async revokeAll(): Promise<void> {
    await Promise.all(
      this.members.map(async (m) => {
        await m.stopFetching();
        const partitions = m.partitions;
        m.partitions = [];
        if (partitions.length === 0) return;
        try {
          await m.options.callbacks.onRevoked(partitions);
        } catch (error) {
          m.options.callbacks.onError(asError(error));
        }
      }),
    );
  }

  private async assignAll(): Promise<void> {
    const n = this.members.length;
    await Promise.all(
      this.members.map(async (m, i) => {
        const count = Math.max(0, ...m.options.topics.map((t) => this.env.topic(t)?.partitions.length ?? 0));
        m.partitions = Array.from({ length: count }, (_, p) => p).filter((p) => p % n === i);
        try {
          await m.options.callbacks.onAssigned(m.partitions);
        } catch (error) {
          // Like a Kafka member whose assignment callback failed: it stays in the group but fetches nothing.
          m.options.callbacks.onError(asError(error));
          return;
        }
        if (m.left) return;
        for (const topicName of m.options.topics) {
          const topic = this.env.topic(topicName);
          if (topic === undefined) continue;
          for (const p of m.partitions) {
            if (p >= topic.partitions.length) continue;
            const fetcher = new Fetcher(topic, p, this.committedOffset(topicName, p) ?? 0, this.env, m.options.callbacks, (error) =>
              m.options.callbacks.onError(error),
            );
            m.fetchers.push(fetcher);
            fetcher.start();
          }
        }
      }),
    );
  }
}
