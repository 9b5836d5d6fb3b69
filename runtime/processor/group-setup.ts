/**
 * Setting up a processor's shared state before it joins its group: checks
 * and creates the group's topics, resolves handlers and codecs by topic,
 * learns partition counts, recovers the lookup views, opens a producer.
 */
import type { Partitioner } from "../broker/partitioner.js";
import { ensureTopics, groupTopicRequirements } from "../broker/topics.js";
import type { Codec } from "../codecs/codec.js";
import { ProcessorError, ProcessorSetupError } from "../errors.js";
import type { EventHub, RuntimeEvents } from "../events.js";
import type { GroupDefinition } from "../graph.js";
import type { Storage } from "../storage/storage.js";
import { loopTopic, tableTopic } from "../topics/requirements.js";
import { createView, type View } from "../view/view.js";
import { resolveErrorPolicy } from "./error-policy.js";
import type { ConsumedTopic, GroupRuntime } from "./group-runtime.js";
import type { ProcessorOptions } from "./processor.js";
import { DEFAULT_TABLE_CACHE_BYTES } from "./table-cache.js";

/** What the processor lends the set-up. */
export interface SetUpHooks {
  readonly storage: Storage;
  readonly events: EventHub;
  fail(error: Error): void;
  failed(): boolean;
  cancelled(): boolean;
  /** Each lookup view, as soon as it exists (so a stop can close it). */
  onView(view: View<unknown>): void;
}

/**
 * The event hub a lookup view reports to: the processor's, except that a
 * view failing to catch up stops the processor (issue 11, D2) instead of
 * leaving it serving a frozen table.
 */
function lookupEvents(events: EventHub, group: string, table: string, fail: (error: Error) => void): EventHub {
  return {
    on: (event, listener) => events.on(event, listener),
    emit(event, payload) {
      if (event === "error")
        fail(
          new ProcessorError(
            "lookup",
            { group, topic: table, partition: -1, offset: -1, key: "" },
            (payload as RuntimeEvents["error"]).error,
          ),
        );
      else events.emit(event, payload);
    },
  };
}

/** Builds the `GroupRuntime` of a processor; rejects with what prevents it from running. */
export async function setUpGroup(
  definition: GroupDefinition<unknown>,
  options: ProcessorOptions,
  hooks: SetUpHooks,
): Promise<GroupRuntime> {
  const { graph } = definition;
  const { group } = graph;
  const { storage, events } = hooks;
  const broker = options.broker;
  if (options.ensureTopics !== false) await ensureTopics(broker, groupTopicRequirements(graph));
  const handler = (name: string) => {
    const h = definition.handlers[name];
    if (typeof h !== "function") throw new ProcessorSetupError(group, `handler ${name} is missing`);
    return h;
  };
  const consumed = new Map<string, ConsumedTopic>();
  for (const input of graph.inputs)
    for (const topic of input.topics) consumed.set(topic, { codec: input.codec, handler: handler(input.handler) });
  const loop = graph.loop === undefined ? undefined : { topic: loopTopic(group), codec: graph.loop.codec as Codec<unknown> };
  if (graph.loop !== undefined && loop !== undefined) consumed.set(loop.topic, { codec: loop.codec, handler: handler(graph.loop.handler) });
  const first = [...consumed.keys()][0];
  const partitions = first === undefined ? undefined : await broker.partitionCount(first);
  if (partitions === undefined) throw new ProcessorSetupError(group, `input topic ${first ?? "(none)"} does not exist`);
  const outputs = new Map<string, { codec: Codec<unknown>; partitions: number; partitioner: Partitioner }>();
  for (const output of graph.outputs ?? []) {
    const count = await broker.partitionCount(output.topic);
    if (count === undefined) throw new ProcessorSetupError(group, `output topic ${output.topic} does not exist; create it first`);
    outputs.set(output.topic, { codec: output.codec, partitions: count, partitioner: output.partitioner ?? "kafka" });
  }
  const errors = resolveErrorPolicy(graph);
  let deadLetterPartitions = 0;
  if (errors.deadLetter !== undefined) {
    // Created with the group's partition count, so a dead letter keeps its input partition.
    if ((await broker.partitionCount(errors.deadLetter)) === undefined && options.ensureTopics !== false) {
      await broker.createTopic({ topic: errors.deadLetter, partitions, compacted: false });
    }
    const count = await broker.partitionCount(errors.deadLetter);
    if (count === undefined) throw new ProcessorSetupError(group, `dead-letter topic ${errors.deadLetter} does not exist; create it first`);
    deadLetterPartitions = count;
  }
  const lookups = new Map<string, View<unknown>>();
  for (const lookup of graph.lookups ?? []) {
    const view = createView<unknown>(
      broker,
      { name: lookup.table, codec: lookup.codec, partitioner: lookup.partitioner ?? "kafka" },
      {
        storage,
        events: lookupEvents(events, group, lookup.table, hooks.fail),
        cancelled: hooks.cancelled,
        onStateMismatch: options.onStateMismatch ?? "rebuild",
      },
    );
    hooks.onView(view);
    lookups.set(lookup.table, view);
  }
  events.emit("state", { state: "recovering" });
  await Promise.all([...lookups.values()].map((v) => v.start()));
  const producerOptions = graph.compression === undefined ? {} : { compression: graph.compression };
  const producer = await broker.producer(producerOptions);
  return {
    group,
    broker,
    storage,
    events,
    producer,
    // Brokers without transactions (the in-memory broker, the tester) run exactly-once groups at-least-once.
    transactions:
      graph.guarantee === "exactly-once" && typeof broker.transactionalProducer === "function"
        ? { idPrefix: transactionalIdPrefix(group), options: producerOptions }
        : undefined,
    member: undefined,
    consumed,
    table: graph.persist === undefined ? undefined : { topic: tableTopic(group), codec: graph.persist.codec },
    loop,
    joins: new Map((graph.joins ?? []).map((j) => [j.table, j.codec as Codec<unknown>])),
    lookups,
    outputs,
    visitors: new Map((graph.visitors ?? []).map((v) => [v.name, handler(v.handler)])),
    partitions,
    partitioner: graph.partitioner ?? "kafka",
    maxBatchSize: options.maxBatchSize ?? 500,
    tableCacheBytes: options.tableCacheBytes ?? DEFAULT_TABLE_CACHE_BYTES,
    ignoreNil: options.nilHandling !== "process",
    errors,
    deadLetterPartitions,
    keyRequired: graph.persist !== undefined || graph.loop !== undefined || (graph.joins ?? []).length > 0,
    failedMessages: { skip: 0, "dead-letter": 0 },
    onStateMismatch: options.onStateMismatch ?? "rebuild",
    fail: hooks.fail,
    get failed() {
      return hooks.failed();
    },
    get cancelled() {
      return hooks.cancelled();
    },
  };
}

/**
 * The transactional ids of a group's partitions are `gokac.<group>.<partition>`:
 * one per partition, not per instance, so whoever owns a partition next
 * fences the previous owner (docs/runtime.md, "Exactly-once").
 */
export function transactionalIdPrefix(group: string): string {
  return `gokac.${group}.`;
}
