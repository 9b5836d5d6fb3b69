/**
 * A processor (Goka's Processor): runs one group graph. `start` checks and
 * creates the group's topics, recovers lookup views, joins the consumer
 * group (each assigned partition recovers its tables before consuming), and
 * resolves once running. Any failure stops it without committing past the
 * failed message; `done` then resolves with the error.
 */
import { partitionForKey } from "../broker/partitioner.js";
import type { Broker, GroupMember } from "../broker/port.js";
import { asError, checkPositiveInteger, ProcessorStateError, RuntimeOptionsError } from "../errors.js";
import { createEventHub, type EventSource } from "../events.js";
import type { GroupDefinition, GroupGraph } from "../graph.js";
import { createLevelStorage } from "../storage/level-storage.js";
import { openMemberIdStore } from "../storage/member-id-store.js";
import { isStateMismatchPolicy, type StateMismatchPolicy } from "../storage/state-errors.js";
import type { Storage } from "../storage/storage.js";
import type { View } from "../view/view.js";
import type { GroupRuntime } from "./group-runtime.js";
import { setUpGroup } from "./group-setup.js";
import { PartitionProcessor, RecoveryCancelled } from "./partition-processor.js";
import { StandbyReplica } from "./standby-replica.js";
import type { PartitionTable } from "../table/partition-table.js";

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
  /**
   * Estimated bytes of group-table keys and values each partition keeps
   * cached between batches (default 32 MiB); past it the cache starts over
   * at the next batch. Larger: fewer store reads for a big working set;
   * smaller: less memory per owned partition.
   */
  readonly tableCacheBytes?: number;
  /**
   * Input messages with a `null` value (tombstones): `"ignore"` (default, Goka's
   * `NilIgnore`) commits them without calling the handler; `"process"` calls the
   * handler with `null` (outside the handler's declared type).
   */
  readonly nilHandling?: "ignore" | "process";
  /**
   * A table partition whose local state cannot be trusted (damaged files,
   * a store from another incarnation of the changelog, a foreign writer; see
   * `StateMismatchError`): `"rebuild"` (default) deletes it and recovers it
   * from the changelog, emitting `state-rebuilt`; `"fail"` stops the
   * processor with the error.
   */
  readonly onStateMismatch?: StateMismatchPolicy;
}

/** The lifecycle of a processor as a whole. */
export type ProcessorLifecycle = "idle" | "starting" | "running" | "stopping" | "stopped";

/** A running group. */
export interface Processor<V = unknown> extends EventSource {
  readonly group: string;
  /** The group graph it runs. */
  readonly graph: GroupGraph;
  readonly lifecycle: ProcessorLifecycle;
  /** Partitions this processor owns now. */
  readonly partitions: readonly number[];
  /** Resolves once running (lookup views and assigned partitions recovered); rejects if starting failed. */
  start(): Promise<void>;
  /** Stops fetching, drains, flushes, commits, closes stores and views. Idempotent. */
  stop(): Promise<void>;
  /** Resolves when the processor stopped: with `undefined` after `stop`, or with the error that stopped it. */
  readonly done: Promise<Error | undefined>;
  /** Calls visitor `name` with `meta` for every key of the group table in every owned partition; resolves when all are done, rejects if the processor stopped or failed meanwhile. */
  visitAll(name: string, meta: unknown): Promise<void>;
  /** Messages (and visited keys) the error policies skipped or dead-lettered since start, by policy. */
  readonly failedMessages: { readonly skip: number; readonly "dead-letter": number };
  /** The group table's value of `key` from the local copy (after every batch queued before), if this processor owns its partition. */
  get(key: string): Promise<V | undefined>;
}

interface Internals {
  runnerFor(key: string): PartitionProcessor | undefined;
  runners(): ReadonlyMap<number, PartitionProcessor>;
  warmOffsets(): Map<number, number>;
  standbys(): readonly number[];
}

const internals = new WeakMap<Processor<any>, Internals>();

/** Writes a table value through the processor's pipeline, as a handler would (the tester's `setTableValue`). Not public API. */
export async function writeTableValue(processor: Processor<any>, key: string, value: unknown): Promise<void> {
  const runner = internals.get(processor)?.runnerFor(key);
  if (runner === undefined)
    throw new ProcessorStateError(`group ${processor.group}: the partition of key ${JSON.stringify(key)} is not owned by this processor`);
  await runner.write(key, value);
}

/** Counts the keys of the group table in each owned partition (a scan of the local stores; for the monitor). Not public API. */
export async function countTableKeys(processor: Processor<any>): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  for (const [partition, runner] of internals.get(processor)?.runners() ?? []) {
    const n = await runner.countKeys().catch(() => undefined);
    if (n !== undefined) counts.set(partition, n);
  }
  return counts;
}

/** The standby partitions of a processor (hot standby) with the changelog offset each copy reached (`-1` while it opens). Not public API. */
export function standbyOffsets(processor: Processor<any>): Map<number, number> {
  const i = internals.get(processor);
  if (i === undefined) return new Map();
  const warm = i.warmOffsets();
  return new Map(i.standbys().map((p) => [p, warm.get(p) ?? -1]));
}

/** Reads `key` from the group table if this processor owns its partition (`owned: false` otherwise; for the monitor). Not public API. */
export async function readOwnedTableValue(processor: Processor<any>, key: string): Promise<{ owned: boolean; value: unknown }> {
  const runner = internals.get(processor)?.runnerFor(key);
  return runner === undefined ? { owned: false, value: undefined } : { owned: true, value: await runner.read(key) };
}

/** Creates a processor for a group definition (generated `xxxGroup`). */
export function createProcessor<V>(definition: GroupDefinition<V>, options: ProcessorOptions): Processor<V> {
  if (definition?.graph === undefined || typeof definition.handlers !== "object") {
    throw new RuntimeOptionsError("definition", "pass a group definition, e.g. the generated `xxxGroup` from generated/<group>/graph.ts");
  }
  if (typeof options?.broker?.joinGroup !== "function") {
    throw new RuntimeOptionsError("broker", "pass a broker: createKafkaBroker({ brokers }) or createMemoryBroker()");
  }
  checkPositiveInteger("maxBatchSize", options.maxBatchSize);
  checkPositiveInteger("tableCacheBytes", options.tableCacheBytes);
  if (options.nilHandling !== undefined && options.nilHandling !== "ignore" && options.nilHandling !== "process") {
    throw new RuntimeOptionsError("nilHandling", `expected "ignore" or "process", got ${JSON.stringify(options.nilHandling)}`);
  }
  if (!isStateMismatchPolicy(options.onStateMismatch)) {
    throw new RuntimeOptionsError("onStateMismatch", `expected "rebuild" or "fail", got ${JSON.stringify(options.onStateMismatch)}`);
  }
  const graph = definition.graph;
  const group = graph.group;
  const events = createEventHub();
  const stateDir = options.stateDir ?? `.state/${group}`;
  const storage = options.storage ?? createLevelStorage(stateDir);
  // With a state directory of its own, a restarted processor rejoins under its previous member id (fast restart).
  const memberIds = options.storage === undefined ? openMemberIdStore(stateDir, group) : undefined;
  const runners = new Map<number, PartitionProcessor>();
  /** Hot standby: warm copies of other members' table partitions, and the offsets of copies closed (still on disk). */
  const standbys = new Map<number, StandbyReplica>();
  const keptOffsets = new Map<number, number>();
  /** Group-table partitions left open between a revocation (or a standby's end) and the assignment after it, which reuses them. */
  const idle = new Map<number, PartitionTable<unknown>>();

  function takeIdle(p: number): PartitionTable<unknown> | undefined {
    const table = idle.get(p);
    idle.delete(p);
    return table;
  }

  /** Closes the open tables no assignment took (their stores stay on disk; their offsets are reported as warm). */
  async function closeIdle(): Promise<void> {
    const tables = [...idle];
    idle.clear();
    await Promise.allSettled(
      tables.map(async ([p, table]) => {
        keptOffsets.set(p, table.offset);
        await table.close();
      }),
    );
  }
  const pendingRunners = new Set<Promise<unknown>>();
  let lifecycle: ProcessorLifecycle = "idle";
  let rt: GroupRuntime | undefined;
  let member: GroupMember | undefined;
  let starting: Promise<void> | undefined;
  let stopRequested = false;
  /** Counts the rebalances the group member announced (see `onRebalanceStarted`). */
  let generation = 0;
  let failure: Error | undefined;
  let shutdown: Promise<void> | undefined;
  let resolveDone!: (error: Error | undefined) => void;
  const done = new Promise<Error | undefined>((resolve) => {
    resolveDone = resolve;
  });
  const views: View<unknown>[] = [];
  const cancelled = () => stopRequested || failure !== undefined;

  function fail(error: Error): void {
    if (failure !== undefined) return;
    failure = error;
    events.emit("error", { error });
    void stopAll();
  }

  function stopAll(): Promise<void> {
    stopRequested = true;
    // A handler that never resolves (or a retry's backoff, a visit) must not hold up leaving the group.
    for (const runner of runners.values()) runner.interruptForStop();
    shutdown ??= (async () => {
      lifecycle = "stopping";
      // Starting sees the request and winds down (recoveries are abandoned) before we leave.
      await starting;
      await Promise.allSettled(pendingRunners);
      // Leaving revokes every partition: the runners drain, commit and close.
      await member?.leave().catch((error: unknown) => {
        failure ??= asError(error);
      });
      await Promise.allSettled([...runners.values()].map((r) => r.close()));
      runners.clear();
      await changeStandbys([]);
      await closeIdle();
      await Promise.allSettled(views.map((v) => v.stop()));
      await rt?.producer.close().catch(() => undefined);
      await memberIds?.close().catch(() => undefined);
      lifecycle = "stopped";
      events.emit("state", { state: "stopped" });
      resolveDone(failure);
    })();
    return shutdown;
  }

  /** Keeps warm copies of exactly `wanted` (closing the others, starting the new ones in the background). */
  async function changeStandbys(wanted: readonly number[]): Promise<void> {
    await Promise.all(
      [...standbys].map(async ([p, replica]) => {
        if (wanted.includes(p)) return;
        standbys.delete(p);
        const table = await replica.release();
        if (table !== undefined) idle.set(p, table);
      }),
    );
    if (rt === undefined || cancelled()) return;
    for (const p of wanted) {
      if (standbys.has(p)) continue;
      const replica = StandbyReplica.start(rt, p, takeIdle(p));
      if (replica !== undefined) standbys.set(p, replica);
    }
  }

  /** The offsets of every table partition held locally, for the assignment (hot standby). */
  function warmOffsets(): Map<number, number> {
    const warm = new Map(keptOffsets);
    for (const [p, table] of idle) warm.set(p, table.offset);
    for (const [p, replica] of standbys) if (replica.offset !== undefined) warm.set(p, replica.offset);
    for (const [p, runner] of runners) if (runner.tableOffset !== undefined) warm.set(p, runner.tableOffset);
    return warm;
  }

  /** Sets up and joins the group; failures go to `fail`, a stop request ends it quietly. */
  async function run(): Promise<void> {
    try {
      const runtime = await setUp();
      rt = runtime;
      if (cancelled()) return;
      events.emit("state", { state: "connecting" });
      const joining = options.broker.joinGroup({
        group,
        topics: [...runtime.consumed.keys()],
        ...(memberIds === undefined ? {} : { memberIds }),
        ...(graph.standby === undefined || runtime.table === undefined ? {} : { standby: graph.standby }),
        callbacks: {
          onStandby: (partitions) => changeStandbys(partitions),
          warmOffsets,
          onRebalanceStarted: () => {
            generation++;
          },
          onAssigned: async (assigned, partitionReady) => {
            events.emit("rebalance", { assigned });
            // A rebalance announced meanwhile abandons these recoveries at once (the partitions are about to be revoked).
            const mine = generation;
            // Every partition settles (a cancelled one has closed its tables) before the callback returns.
            const opening = Promise.allSettled(
              assigned.map(async (p) => {
                const runner = await PartitionProcessor.start(runtime, p, () => generation !== mine, takeIdle(p));
                if (cancelled()) await runner.close();
                else {
                  runners.set(p, runner);
                  // Its batches may flow now, while other partitions of the assignment still recover.
                  partitionReady?.(p);
                }
              }),
            ).then((results) => {
              for (const r of results) if (r.status === "rejected" && !(r.reason instanceof RecoveryCancelled)) throw r.reason;
            });
            pendingRunners.add(opening);
            try {
              await opening;
            } catch (error) {
              if (!(error instanceof RecoveryCancelled)) fail(asError(error));
            } finally {
              pendingRunners.delete(opening);
              // Tables of partitions this assignment did not give back: closed, kept on disk.
              await closeIdle();
            }
          },
          onRevoked: async (revoked) => {
            events.emit("rebalance", { revoked });
            await Promise.all(
              revoked.map(async (p) => {
                const runner = runners.get(p);
                runners.delete(p);
                // The table stays open until the next assignment: given back, it only reads its tail.
                const table = await runner?.closeKeepingTable();
                if (table !== undefined) idle.set(p, table);
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
      fail(asError(error));
    }
  }

  function setUp(): Promise<GroupRuntime> {
    return setUpGroup(definition, options, {
      storage,
      events,
      fail,
      failed: () => failure !== undefined,
      cancelled,
      onView: (view) => views.push(view),
    });
  }

  const processor: Processor<V> = {
    group,
    graph,
    get lifecycle() {
      return lifecycle;
    },
    get partitions() {
      return [...runners.keys()].sort((a, b) => a - b);
    },
    on: (event, listener) => events.on(event, listener),
    get failedMessages() {
      return { skip: rt?.failedMessages.skip ?? 0, "dead-letter": rt?.failedMessages["dead-letter"] ?? 0 };
    },
    done,
    async start() {
      if (lifecycle !== "idle") throw new ProcessorStateError(`group ${group}: start() called when ${lifecycle}`);
      lifecycle = "starting";
      events.emit("state", { state: "initializing" });
      starting = run();
      await starting;
      if (failure !== undefined) {
        await done;
        throw failure;
      }
      // stop() during start: it finishes the shutdown.
      if (stopRequested) return;
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
      if (stopRequested) throw new ProcessorStateError(`group ${group}: stopped during visit ${name}; not every key was visited`);
    },
    async get(key) {
      const runner = runnerFor(key);
      return runner === undefined ? undefined : ((await runner.read(key)) as V | undefined);
    },
  };

  function runnerFor(key: string): PartitionProcessor | undefined {
    if (rt === undefined) return undefined;
    return runners.get(partitionForKey(key, rt.partitions, rt.partitioner));
  }

  internals.set(processor, { runnerFor, runners: () => runners, warmOffsets, standbys: () => [...standbys.keys()].sort((a, b) => a - b) });
  return processor;
}
