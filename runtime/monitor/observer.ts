/**
 * What the monitor knows about one processor, kept up to date from its typed
 * events (runtime/events.ts): partition states, recovery progress and ETA,
 * input positions and lag, counters, the last rebalance and the last errors.
 * Everything is counted per batch or per event; nothing runs per message.
 */
import type { Broker } from "../broker/port.js";
import { ProcessorError, reasonOf } from "../errors.js";
import type { PartitionState } from "../events.js";
import type { Processor } from "../processor/processor.js";
import { countTableKeys } from "../processor/processor.js";
import { RecoveryEta } from "./eta.js";

/** A partition state as the monitor shows it: Goka's states, plus `standby` for a warm copy. */
export type MonitorPartitionState = Exclude<PartitionState, "stopped"> | "standby";

/** Every state `gokac_partition_state` reports, in lifecycle order. */
export const PARTITION_STATES: readonly MonitorPartitionState[] = [
  "initializing",
  "connecting",
  "recovering",
  "preparing",
  "running",
  "standby",
];

/** Recovery of one table partition. */
export interface RecoveryStatus {
  readonly topic: string;
  readonly offset: number;
  readonly hwm: number;
  readonly remaining: number;
  /** 0..1 of the offsets to read when recovery started. */
  readonly progress: number;
  readonly etaSeconds: number | null;
  readonly ratePerSecond: number | null;
  readonly done: boolean;
}

/** An input topic's position in one partition. */
export interface InputStatus {
  readonly topic: string;
  readonly nextOffset: number;
  readonly hwm: number | null;
  readonly lag: number | null;
  readonly processed: number;
}

/** One assigned partition. */
export interface PartitionStatus {
  readonly partition: number;
  readonly state: MonitorPartitionState;
  /** Milliseconds since the epoch when it entered the state. */
  readonly since: number;
  readonly recovery: readonly RecoveryStatus[];
  readonly inputs: readonly InputStatus[];
  readonly tableKeys: number | null;
}

/** An error that stopped the processor (`fail`), or a message its error policy skipped or dead-lettered (with the message's coordinates when it concerned one). */
export interface ErrorStatus {
  readonly at: number;
  readonly kind: string;
  readonly policy: "fail" | "skip" | "dead-letter";
  readonly message: string;
  readonly topic?: string;
  readonly partition?: number;
  readonly offset?: number;
  readonly key?: string;
}

/** One group as `/api/status` shows it. */
export interface GroupStatus {
  readonly group: string;
  readonly lifecycle: string;
  readonly table: string | null;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly failed: boolean;
  readonly ready: boolean;
  readonly partitions: readonly PartitionStatus[];
  readonly totals: {
    readonly processed: number;
    readonly emitted: number;
    readonly failed: number;
    readonly commits: number;
    readonly rebalances: number;
  };
  readonly rates: { readonly processedPerSecond: number; readonly emittedPerSecond: number };
  /** Messages processed per second, one sample a second, oldest first (at most 60). */
  readonly history: readonly number[];
  readonly lastRebalance: { readonly at: number; readonly assigned: readonly number[]; readonly revoked: readonly number[] } | null;
  readonly errors: readonly ErrorStatus[];
}

interface PartitionInfo {
  state: MonitorPartitionState;
  since: number;
  recoveringSince: number | undefined;
  recovery: Map<string, { eta: RecoveryEta; offset: number; hwm: number; total: number; done: boolean }>;
  tableKeys: number | undefined;
}

interface InputInfo {
  nextOffset: number;
  hwm: number | undefined;
  processed: number;
}

/** Counters the metrics read and advance from (per topic and partition). */
export interface ObserverCounters {
  processed: Map<string, number>;
}

/** Options of `ProcessorObserver`. */
export interface ObserverOptions {
  /** For high watermarks (lag); without it, lag is unknown. */
  readonly broker?: Broker;
  readonly now?: () => number;
}

const HISTORY = 60;
const ERRORS_KEPT = 20;

/** Observes one processor through its events. */
export class ProcessorObserver {
  readonly group: string;
  readonly table: string | undefined;
  private readonly now: () => number;
  private readonly partitions = new Map<number, PartitionInfo>();
  private readonly inputs = new Map<string, InputInfo>();
  private readonly unsubscribe: (() => void)[] = [];
  private failure: Error | undefined;
  private readonly errors: ErrorStatus[] = [];
  readonly totals = { processed: 0, emitted: 0, failed: 0, commits: 0, rebalances: 0 };
  private lastRebalance: { at: number; assigned: number[]; revoked: number[] } | undefined;
  private readonly history: number[] = [];
  private lastSample: { at: number; processed: number; emitted: number } | undefined;
  private rates = { processedPerSecond: 0, emittedPerSecond: 0 };
  /** Listeners of the metrics layer: per batch and per event, never per message. */
  readonly hooks: {
    batch?: (topic: string, partition: number, processed: number, emitted: number, handlerSeconds: number) => void;
    commit?: (partition: number) => void;
    failure?: (error: ErrorStatus) => void;
    rebalance?: () => void;
  } = {};

  constructor(
    readonly processor: Processor<any>,
    private readonly options: ObserverOptions = {},
  ) {
    this.group = processor.group;
    this.table = processor.graph.persist === undefined ? undefined : `${processor.group}-table`;
    this.now = options.now ?? Date.now;
    const p = processor;
    // Attached to a processor already running: what it owns now is running.
    for (const partition of p.partitions) this.partition(partition).state = "running";
    this.unsubscribe.push(
      p.on("state", ({ state, partition }) => {
        if (partition === undefined) return;
        // A standby copy dropped (or promoted: its active states follow) leaves the list.
        if (state === "stopped") {
          if (this.partitions.get(partition)?.state === "standby") this.partitions.delete(partition);
          return;
        }
        const info = this.partition(partition);
        if (info.state !== state) {
          info.state = state;
          info.since = this.now();
        }
        if (state === "recovering") info.recoveringSince = this.now();
      }),
      p.on("recovery-progress", ({ topic, partition, offset, hwm, recovered }) => {
        const r = this.recoveryOf(partition, topic, offset - recovered);
        r.eta.update(offset, hwm);
        r.offset = offset;
        r.hwm = hwm;
        r.total = Math.max(r.total, hwm - (r.eta.startOffset ?? 0));
      }),
      p.on("recovered", ({ topic, partition, offset, recovered }) => {
        const r = this.recoveryOf(partition, topic, offset - recovered);
        r.eta.update(offset, offset);
        r.offset = offset;
        r.hwm = offset;
        r.done = true;
      }),
      p.on("batch", ({ topic, partition, processed, emitted, handlerSeconds, nextOffset }) => {
        const key = `${topic}\u0000${partition}`;
        let input = this.inputs.get(key);
        if (input === undefined) {
          input = { nextOffset, hwm: undefined, processed: 0 };
          this.inputs.set(key, input);
        }
        input.nextOffset = nextOffset;
        input.processed += processed;
        if (input.hwm !== undefined && input.hwm < nextOffset) input.hwm = nextOffset;
        this.totals.processed += processed;
        this.totals.emitted += emitted;
        this.hooks.batch?.(topic, partition, processed, emitted, handlerSeconds);
      }),
      p.on("commit", ({ partition }) => {
        this.totals.commits++;
        this.hooks.commit?.(partition);
      }),
      p.on("rebalance", ({ assigned, revoked }) => {
        const at = this.now();
        for (const partition of revoked ?? []) {
          this.partitions.delete(partition);
          for (const key of this.inputs.keys()) if (key.endsWith(`\u0000${partition}`)) this.inputs.delete(key);
        }
        for (const partition of assigned ?? []) this.partition(partition);
        if (assigned !== undefined) {
          this.totals.rebalances++;
          this.hooks.rebalance?.();
        }
        const last = this.lastRebalance;
        // A revocation and the assignment after it are one rebalance.
        if (last !== undefined && assigned !== undefined && last.assigned.length === 0 && at - last.at < 60_000) {
          last.assigned = [...assigned];
        } else {
          this.lastRebalance = { at, assigned: [...(assigned ?? [])], revoked: [...(revoked ?? [])] };
        }
      }),
      p.on("message-failed", (e) => {
        const entry: ErrorStatus = {
          at: this.now(),
          kind: e.kind,
          policy: e.policy,
          message: reasonOf(e.error),
          topic: e.topic,
          partition: e.partition,
          offset: e.offset,
          key: e.key,
        };
        this.errors.push(entry);
        if (this.errors.length > ERRORS_KEPT) this.errors.shift();
        this.totals.failed++;
        this.hooks.failure?.(entry);
      }),
      p.on("error", ({ error }) => {
        this.failure = error;
        const entry: ErrorStatus =
          error instanceof ProcessorError
            ? {
                at: this.now(),
                kind: error.kind,
                policy: "fail",
                message: error.message,
                topic: error.topic,
                partition: error.partition,
                offset: error.offset,
                key: error.key,
              }
            : { at: this.now(), kind: "processor", policy: "fail", message: error.message };
        this.errors.push(entry);
        if (this.errors.length > ERRORS_KEPT) this.errors.shift();
        this.totals.failed++;
        this.hooks.failure?.(entry);
      }),
    );
    void p.done.then((error) => {
      if (error !== undefined && this.failure === undefined) this.failure = error;
    });
  }

  private partition(partition: number): PartitionInfo {
    let info = this.partitions.get(partition);
    if (info === undefined) {
      info = { state: "initializing", since: this.now(), recoveringSince: undefined, recovery: new Map(), tableKeys: undefined };
      this.partitions.set(partition, info);
    }
    return info;
  }

  private recoveryOf(partition: number, topic: string, startOffset: number) {
    const info = this.partition(partition);
    let r = info.recovery.get(topic);
    if (r === undefined) {
      const eta = new RecoveryEta({ now: this.now });
      eta.begin(startOffset, info.recoveringSince);
      r = { eta, offset: startOffset, hwm: startOffset, total: 0, done: false };
      info.recovery.set(topic, r);
    }
    return r;
  }

  /** True once the processor failed. */
  get failed(): boolean {
    return this.failure !== undefined;
  }

  /** Assigned partitions not running yet, as `partition: state` (standby copies excepted); empty once ready. */
  notReady(): string[] {
    const out: string[] = [];
    if (this.processor.lifecycle !== "running") out.push(`processor ${this.processor.lifecycle}`);
    for (const [partition, info] of [...this.partitions].sort((a, b) => a[0] - b[0])) {
      // A standby copy is not the processor's to run: it never holds readiness up.
      if (info.state !== "running" && info.state !== "standby") out.push(`partition ${partition} ${info.state}`);
    }
    return out;
  }

  /** Recovery of every table partition still recovering (for metrics). */
  recoveries(): { topic: string; partition: number; remaining: number; etaSeconds: number | undefined }[] {
    const out = [];
    for (const [partition, info] of this.partitions) {
      for (const [topic, r] of info.recovery) {
        out.push({ topic, partition, remaining: r.done ? 0 : r.eta.remaining, etaSeconds: r.done ? 0 : r.eta.etaSeconds });
      }
    }
    return out;
  }

  /** Partition states (for metrics). */
  states(): [number, MonitorPartitionState][] {
    return [...this.partitions].map(([p, info]) => [p, info.state]);
  }

  /** Known lag per input topic and partition (for metrics). */
  lags(): { topic: string; partition: number; lag: number }[] {
    const out = [];
    for (const [key, input] of this.inputs) {
      if (input.hwm === undefined) continue;
      const [topic = "", partition = "0"] = key.split("\u0000");
      out.push({ topic, partition: Number(partition), lag: Math.max(0, input.hwm - input.nextOffset) });
    }
    return out;
  }

  /** Table key counts per partition, as last sampled. */
  tableKeys(): [number, number][] {
    const out: [number, number][] = [];
    for (const [p, info] of this.partitions) if (info.tableKeys !== undefined) out.push([p, info.tableKeys]);
    return out;
  }

  /** Asks the broker for the high watermarks of the inputs seen (for lag). */
  async refreshLag(): Promise<void> {
    const broker = this.options.broker;
    if (broker === undefined) return;
    await Promise.all(
      [...this.inputs].map(async ([key, input]) => {
        const [topic = "", partition = "0"] = key.split("\u0000");
        const hwm = await broker.highWatermark(topic, Number(partition)).catch(() => undefined);
        if (hwm !== undefined) input.hwm = Math.max(hwm, input.nextOffset);
      }),
    );
  }

  /** Counts the table's keys per partition (a scan of the local stores; sample it rarely). */
  async refreshTableKeys(): Promise<void> {
    if (this.table === undefined || this.processor.lifecycle !== "running") return;
    const counts = await countTableKeys(this.processor);
    for (const [p, n] of counts) {
      const info = this.partitions.get(p);
      if (info !== undefined) info.tableKeys = n;
    }
  }

  /** Takes a rate sample (call about once a second). */
  sample(): void {
    const at = this.now();
    const last = this.lastSample;
    this.lastSample = { at, processed: this.totals.processed, emitted: this.totals.emitted };
    if (last === undefined || at <= last.at) return;
    const seconds = (at - last.at) / 1000;
    this.rates = {
      processedPerSecond: (this.totals.processed - last.processed) / seconds,
      emittedPerSecond: (this.totals.emitted - last.emitted) / seconds,
    };
    this.history.push(this.rates.processedPerSecond);
    if (this.history.length > HISTORY) this.history.shift();
  }

  /** The group's status for `/api/status`. */
  status(): GroupStatus {
    const graph = this.processor.graph;
    const partitions: PartitionStatus[] = [...this.partitions]
      .sort((a, b) => a[0] - b[0])
      .map(([partition, info]) => ({
        partition,
        state: info.state,
        since: info.since,
        tableKeys: info.tableKeys ?? null,
        recovery: [...info.recovery].map(([topic, r]) => {
          const start = r.eta.startOffset ?? 0;
          const total = Math.max(0, r.hwm - start, r.total);
          return {
            topic,
            offset: r.offset,
            hwm: r.hwm,
            remaining: r.done ? 0 : r.eta.remaining,
            progress: r.done || total === 0 ? 1 : Math.min(1, (r.offset - start) / total),
            etaSeconds: r.done ? 0 : (r.eta.etaSeconds ?? null),
            ratePerSecond: r.eta.rate ?? null,
            done: r.done,
          };
        }),
        inputs: [...this.inputs]
          .filter(([key]) => key.endsWith(`\u0000${partition}`))
          .map(([key, input]) => ({
            topic: key.split("\u0000")[0] ?? "",
            nextOffset: input.nextOffset,
            hwm: input.hwm ?? null,
            lag: input.hwm === undefined ? null : Math.max(0, input.hwm - input.nextOffset),
            processed: input.processed,
          })),
      }));
    return {
      group: this.group,
      lifecycle: this.processor.lifecycle,
      table: this.table ?? null,
      inputs: graph.inputs.flatMap((i) => i.topics),
      outputs: (graph.outputs ?? []).map((o) => o.topic),
      failed: this.failed,
      ready: this.notReady().length === 0,
      partitions,
      totals: { ...this.totals },
      rates: { ...this.rates },
      history: [...this.history],
      lastRebalance: this.lastRebalance === undefined ? null : { ...this.lastRebalance },
      errors: [...this.errors],
    };
  }

  /** Stops listening. */
  close(): void {
    for (const off of this.unsubscribe.splice(0)) off();
  }
}
