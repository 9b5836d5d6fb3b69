/**
 * Replaying dead letters (`gokac replay`): each message of a dead-letter
 * topic goes back to the topic and partition it failed on (its
 * `gokac.error.topic` / `.partition` headers) with its original key, value
 * bytes and headers (the `gokac.error.*` ones dropped). Progress is kept as
 * the committed offsets of the consumer group `gokac-replay.<topic>`, so a
 * second replay sends only dead letters that arrived since: a dead letter
 * is replayed once. Replays what the topic held when it started (up to each
 * partition's high watermark then), or the first `max` of it.
 */
import type { Batch, Broker, BrokerMessage, GroupMember, ProduceRecord } from "../broker/port.js";
import { asError } from "../errors.js";
import { DEAD_LETTER_HEADERS } from "../processor/error-policy.js";

/** Options of `replayDeadLetters`. */
export interface ReplayOptions {
  /** Replay at most this many dead letters. */
  readonly max?: number;
  /** A message that is not a dead letter (no `gokac.error.topic`/`.partition`) or whose topic is gone: skipped, and told here. */
  readonly onSkipped?: (message: BrokerMessage, reason: string) => void;
}

/** What a replay did. */
export interface ReplayResult {
  /** Dead letters sent back, by original topic. */
  readonly replayed: Readonly<Record<string, number>>;
  /** Messages passed over (not dead letters, or their topic or partition no longer exists). */
  readonly skipped: number;
}

const ERROR_PREFIX = "gokac.error.";
const text = new TextDecoder();

/** The consumer group that keeps a replay's progress on `topic`. */
export function replayGroup(topic: string): string {
  return `gokac-replay.${topic}`;
}

/** Sends the dead letters of `topic` back to their original topics; see the module comment. */
export async function replayDeadLetters(broker: Broker, topic: string, options: ReplayOptions = {}): Promise<ReplayResult> {
  const partitions = await broker.partitionCount(topic);
  if (partitions === undefined) throw new Error(`topic ${topic} does not exist`);
  const group = replayGroup(topic);
  const ends: number[] = [];
  const positions: number[] = [];
  for (let p = 0; p < partitions; p++) {
    ends.push(await broker.highWatermark(topic, p));
    positions.push((await broker.committedOffset(group, topic, p)) ?? 0);
  }
  const replayed: Record<string, number> = {};
  let skipped = 0;
  let total = 0;
  const max = options.max ?? Number.POSITIVE_INFINITY;
  const finished = () => total >= max || positions.every((pos, p) => pos >= ends[p]!);
  if (finished()) return { replayed, skipped };

  const counts = new Map<string, number | undefined>();
  const partitionCount = async (name: string) => {
    if (!counts.has(name)) counts.set(name, await broker.partitionCount(name));
    return counts.get(name);
  };
  const producer = await broker.producer();
  let member: Promise<GroupMember> | undefined;
  let serial: Promise<void> = Promise.resolve();
  let settle!: (error?: Error) => void;
  const done = new Promise<Error | undefined>((resolve) => (settle = resolve));
  try {
    member = broker.joinGroup({
      group,
      topics: [topic],
      callbacks: {
        onAssigned: async () => {
          if (finished()) settle();
        },
        onRevoked: async () => undefined,
        // One batch at a time (partitions may deliver side by side), so `max` is exact.
        onBatch: (batch) => (serial = serial.then(() => replayBatch(batch))),
        onError: (error) => settle(error),
      },
    });
    await member;
    const error = await done;
    if (error !== undefined) throw error;
  } catch (error) {
    throw asError(error);
  } finally {
    await member?.then((m) => m.leave()).catch(() => undefined);
    await producer.close();
  }
  return { replayed, skipped };

  async function replayBatch(batch: Batch): Promise<void> {
    if (finished()) return;
    const records: ProduceRecord[] = [];
    let next = positions[batch.partition]!;
    for (const m of batch.messages) {
      if (m.offset >= ends[batch.partition]! || total >= max) break;
      next = m.offset + 1;
      const target = text.decode(m.headers[DEAD_LETTER_HEADERS.topic] ?? new Uint8Array());
      const partition = Number(text.decode(m.headers[DEAD_LETTER_HEADERS.partition] ?? new Uint8Array()));
      const count = target === "" ? undefined : await partitionCount(target);
      if (count === undefined || !Number.isInteger(partition) || partition < 0 || partition >= count) {
        skipped++;
        options.onSkipped?.(
          m,
          target === "" ? "not a dead letter (no gokac.error.topic header)" : `topic ${target} partition ${partition} does not exist`,
        );
        continue;
      }
      const headers: Record<string, Uint8Array> = {};
      for (const [name, value] of Object.entries(m.headers)) if (!name.startsWith(ERROR_PREFIX)) headers[name] = value;
      records.push({ topic: target, partition, key: m.key, value: m.value, ...(Object.keys(headers).length === 0 ? {} : { headers }) });
      replayed[target] = (replayed[target] ?? 0) + 1;
      total++;
    }
    if (records.length > 0) await producer.send(records);
    if (next > positions[batch.partition]! && member !== undefined) {
      await (await member).commit([{ topic, partition: batch.partition, offset: next }]);
      positions[batch.partition] = next;
    }
    if (finished()) settle();
  }
}
