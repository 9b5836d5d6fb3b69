/** The data one `npm run bench` collects; written as results.json and rendered to results.md and the chart. */
import type { ContenderName } from "./cli-args.js";
import type { MachineInfo } from "./machine.js";
import type { RecoveryRun } from "../workloads/recovery.js";
import type { ThroughputRun } from "../workloads/throughput.js";

/** Measured runs of one contender in one workload, or why there are none. */
export interface Series<R> {
  readonly label: string;
  readonly runs: R[];
  error?: string;
}

/** One LevelDB batch-write run. */
export interface LevelDbRun {
  readonly keys: number;
  readonly batch: number;
  readonly seconds: number;
  readonly keysPerSecond: number;
}

/** Everything one bench run measured. */
export interface BenchResults {
  readonly machine: MachineInfo;
  readonly settings: {
    readonly messages: number;
    readonly keys: number;
    readonly tableKeys: number;
    readonly partitions: number;
    readonly repetitions: number;
    readonly warmups: number;
  };
  readonly throughput: Partial<Record<ContenderName, Series<ThroughputRun>>>;
  readonly recovery: Partial<Record<ContenderName, Series<RecoveryRun>>>;
  leveldb?: Series<LevelDbRun>;
  /** What bench/compiler.ts printed, or why it did not run. */
  compiler?: { readonly output: string; readonly error?: string };
  /** Seconds the runner spent seeding topics (not part of any figure). */
  readonly seeding: Record<string, number>;
  /** CPU profile summaries of gokac runs (see profile-summary.ts). */
  readonly profiles: Record<string, string>;
  /** Workloads that failed as a whole, with the reason. */
  readonly failures: string[];
  /** 1-minute load average when the run finished. */
  loadAtEnd?: number;
}
