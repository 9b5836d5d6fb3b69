/**
 * A processor (Goka's Processor): runs one group graph. `start` checks and
 * creates the group's topics, recovers lookup views, joins the consumer
 * group (each assigned partition recovers its tables before consuming), and
 * resolves once running. Any failure stops it without committing past the
 * failed message; `done` then resolves with the error.
 */
import { partitionForKey } from "../broker/partitioner.js";
import type { Broker, GroupMember } from "../broker/port.js";
import { ensureTopics, groupTopicRequirements } from "../broker/topics.js";
import type { Codec } from "../codecs/codec.js";
import { ProcessorSetupError, ProcessorStateError } from "../errors.js";
import { createEventHub, type EventSource } from "../events.js";
import type { GroupDefinition } from "../graph.js";
import { createLevelStorage } from "../storage/level-storage.js";
import type { Storage } from "../storage/storage.js";
import { createView, type View } from "../view/view.js";
import type { ConsumedTopic, GroupRuntime } from "./group-runtime.js";
import { PartitionRunner } from "./partition-runner.js";

/** Options of `createProcessor`. */
export interface ProcessorOptions {
  readonly broker: Broker;
  /** Table storage; default `level` under `stateDir`. */
  readonly storage?: Storage;
  /** Directory of the `level` stores (default `.state/<group>`); ignored when `storage` is given. */
  readonly stateDir?: string;
  /** Create missing table and loop topics and check copartitioning at start (default true). */
  readonly ensureTopics?: boolean;
  /** Most messages handled per visit chunk (default 500); input batches are as the broker delivers them. */
  readonly maxBatchSize?: number;
}

/** The lifecycle of a processor as a whole. */
export type ProcessorLifecycle = "idle" | "starting" | "running" | "stopping" | "stopped";

/** A running group. */
export interface Processor<V = unknown> extends EventSource {
  readonly group: string;
  readonly lifecycle: ProcessorLifecycle;
  /** Partitions this processor owns now. */
  readonly partitions: readonly number[];
  /** Resolves once running (lookup views and assigned partitions recovered); rejects if starting failed. */
  start(): Promise<void>;
  /** Stops fetching, drains, flushes, commits, closes stores and views. Idempotent. */
  stop(): Promise<void>;
  /** Resolves when the processor stopped: with `undefined` after `stop`, or with the error that stopped it. */
  readonly done: Promise<Error | undefined>;
  /** Calls visitor `name` with `meta` for every key of the group table in every owned partition; resolves when all are done. */
  visitAll(name: string, meta: unknown): Promise<void>;
  /** The group table's value of `key` from the local copy (after every batch queued before), if this processor owns its partition. */
  get(key: string): Promise<V | undefined>;
}

interface Internals {
  runnerFor(key: string): PartitionRunner | undefined;
}

const internals = new WeakMap<Processor<any>, Internals>();

/** Writes a table value through the processor's pipeline, as a handler would (the tester's `setTableValue`). Not public API. */
export async function writeTableValue(processor: Processor<any>, key: string, value: unknown): Promise<void> {
  const runner = internals.get(processor)?.runnerFor(key);
  if (runner === undefined) throw new ProcessorStateError(`group ${processor.group}: the partition of key ${JSON.stringify(key)} is not owned by this processor`);
  await runner.write(key, value);
}

/** Creates a processor for a group definition (generated `xxxGroup`). */
export function createProcessor<V>(definition: GroupDefinition<V>, options: ProcessorOptions): Processor<V> {
  const graph = definition.graph;
  const group = graph.group;
  const events = createEventHub();
  const storage = options.storage ?? createLevelStorage(options.stateDir ?? `.state/${group}`);
  const runners = new Map<number, PartitionRunner>();
  const pendingRunners = new Set<Promise<unknown>>();
  let lifecycle: ProcessorLifecycle = "idle";
  let rt: GroupRuntime | undefined;
  let member: GroupMember | undefined;
  let joining: Promise<GroupMember> | undefined;
  let failure: Error | undefined;
  let shutdown: Promise<void> | undefined;
  let resolveDone!: (error: Error | undefined) => void;
  const done = new Promise<Error | undefined>((resolve) => {
    resolveDone = resolve;
  });
  const views: View<unknown>[] = [];

  function fail(error: Error): void {
    if (failure !== undefined) return;
    failure = error;
    events.emit("error", { error });
    void stopAll();
  }

  function stopAll(): Promise<void> {
    shutdown ??= (async () => {
      lifecycle = "stopping";
      await joining?.catch(() => undefined);
      await Promise.allSettled(pendingRunners);
      // Leaving revokes every partition: the runners drain, commit and close.
      await member?.leave().catch((error: unknown) => {
        failure ??= error instanceof Error ? error : new Error(String(error));
      });
      await Promise.allSettled([...runners.values()].map((r) => r.close()));
      runners.clear();
      await Promise.allSettled(views.map((v) => v.stop()));
      await rt?.producer.close().catch(() => undefined);
      lifecycle = "stopped";
      events.emit("state", { state: "stopped" });
      resolveDone(failure);
    })();
    return shutdown;
  }

  async function setUp(): Promise<GroupRuntime> {
    const broker = options.broker;
    if (options.ensureTopics !== false) await ensureTopics(broker, groupTopicRequirements(graph));
    const handler = (name: string) => {
      const h = definition.handlers[name];
      if (typeof h !== "function") throw new ProcessorSetupError(group, `handler ${name} is missing`);
      return h;
    };
    const consumed = new Map<string, ConsumedTopic>();
    for (const input of graph.inputs) for (const topic of input.topics) consumed.set(topic, { codec: input.codec, handler: handler(input.handler) });
    const loop = graph.loop === undefined ? undefined : { topic: `${group}-loop`, codec: graph.loop.codec as Codec<unknown> };
    if (graph.loop !== undefined && loop !== undefined) consumed.set(loop.topic, { codec: loop.codec, handler: handler(graph.loop.handler) });
    const first = [...consumed.keys()][0];
    const partitions = first === undefined ? undefined : await broker.partitionCount(first);
    if (partitions === undefined) throw new ProcessorSetupError(group, `input topic ${first ?? "(none)"} does not exist`);
    const outputs = new Map<string, { codec: Codec<unknown>; partitions: number }>();
    for (const output of graph.outputs ?? []) {
      const count = await broker.partitionCount(output.topic);
      if (count === undefined) throw new ProcessorSetupError(group, `output topic ${output.topic} does not exist; create it first`);
      outputs.set(output.topic, { codec: output.codec, partitions: count });
    }
    const lookups = new Map<string, View<unknown>>();
    for (const lookup of graph.lookups ?? []) {
      const view = createView<unknown>(broker, { name: lookup.table, codec: lookup.codec }, { storage, events });
      views.push(view);
      lookups.set(lookup.table, view);
    }
    events.emit("state", { state: "recovering" });
    await Promise.all([...lookups.values()].map((v) => v.start()));
    const producer = await broker.producer();
    return {
      group,
      broker,
      storage,
      events,
      producer,
      member: undefined,
      consumed,
      table: graph.persist === undefined ? undefined : { topic: `${group}-table`, codec: graph.persist.codec },
      loop,
      joins: new Map((graph.joins ?? []).map((j) => [j.table, j.codec as Codec<unknown>])),
      lookups,
      outputs,
      visitors: new Map((graph.visitors ?? []).map((v) => [v.name, handler(v.handler)])),
      partitions,
      maxBatchSize: options.maxBatchSize ?? 500,
      fail,
      get failed() {
        return failure !== undefined;
      },
    };
  }

  const processor: Processor<V> = {
    group,
    get lifecycle() {
      return lifecycle;
    },
    get partitions() {
      return [...runners.keys()].sort((a, b) => a - b);
    },
    on: (event, listener) => events.on(event, listener),
    done,
    async start() {
      if (lifecycle !== "idle") throw new ProcessorStateError(`group ${group}: start() called when ${lifecycle}`);
      lifecycle = "starting";
      events.emit("state", { state: "initializing" });
      try {
        const runtime = await setUp();
        rt = runtime;
        events.emit("state", { state: "connecting" });
        joining = options.broker.joinGroup({
          group,
          topics: [...runtime.consumed.keys()],
          callbacks: {
            onAssigned: async (assigned) => {
              const starting = Promise.all(
                assigned.map(async (p) => {
                  const runner = await PartitionRunner.start(runtime, p);
                  if (failure !== undefined || lifecycle === "stopped") await runner.close();
                  else runners.set(p, runner);
                }),
              );
              pendingRunners.add(starting);
              try {
                await starting;
              } catch (error) {
                fail(error instanceof Error ? error : new Error(String(error)));
              } finally {
                pendingRunners.delete(starting);
              }
            },
            onRevoked: async (revoked) => {
              await Promise.all(
                revoked.map(async (p) => {
                  const runner = runners.get(p);
                  runners.delete(p);
                  await runner?.close();
                }),
              );
            },
            onBatch: async (batch) => {
              await runners.get(batch.partition)?.handleBatch(batch);
            },
            onError: (error) => fail(error),
          },
        });
        runtime.member = joining;
        member = await joining;
      } catch (error) {
        fail(error instanceof Error ? error : new Error(String(error)));
      }
      if (failure !== undefined) {
        await stopAll();
        throw failure;
      }
      lifecycle = "running";
      events.emit("state", { state: "running" });
    },
    async stop() {
      if (lifecycle === "idle") {
        lifecycle = "stopped";
        resolveDone(undefined);
        return;
      }
      await stopAll();
    },
    async visitAll(name, meta) {
      if (lifecycle !== "running") throw new ProcessorStateError(`group ${group}: visitAll when ${lifecycle}`);
      if (!(graph.visitors ?? []).some((v) => v.name === name)) throw new ProcessorStateError(`group ${group}: no visitor ${name}`);
      await Promise.all([...runners.values()].map((r) => r.visit(name, meta)));
      if (failure !== undefined) throw failure;
    },
    async get(key) {
      const runner = runnerFor(key);
      return runner === undefined ? undefined : ((await runner.read(key)) as V | undefined);
    },
  };

  function runnerFor(key: string): PartitionRunner | undefined {
    if (rt === undefined) return undefined;
    return runners.get(partitionForKey(key, rt.partitions));
  }

  internals.set(processor, { runnerFor });
  return processor;
}
