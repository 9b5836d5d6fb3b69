/** Options of `npm run bench`, parsed from argv with `node:util`'s parseArgs. */
import { parseArgs } from "node:util";

/** The contenders the runner knows. */
export const contenderNames = ["gokac", "port", "kafkajs", "goka", "kstreams", "gokac-eos", "kstreams-eos"] as const;
export type ContenderName = (typeof contenderNames)[number];

/** The workloads the runner knows. */
export const workloadNames = ["throughput", "recovery", "leveldb", "compiler", "standby"] as const;
export type WorkloadName = (typeof workloadNames)[number];

export interface BenchOptions {
  readonly brokers: string;
  /** Messages in the throughput input topic (the 1M by default). */
  readonly messages: number;
  /** Distinct keys in the throughput input. */
  readonly keys: number;
  /** Keys in the recovery table's changelog. */
  readonly tableKeys: number;
  readonly partitions: number;
  readonly repetitions: number;
  /** Unmeasured runs before the repetitions, per contender and workload. */
  readonly warmups: number;
  readonly contenders: readonly ContenderName[];
  readonly workloads: readonly WorkloadName[];
  /** Folder for results.md, results.json and the chart. */
  readonly out: string;
  /** Seconds one contender run may take before it counts as failed. */
  readonly timeoutSeconds: number;
  /** Leave a broker this run started running afterwards. */
  readonly keepBroker: boolean;
  /** After the measured runs, one more (unmeasured) run of gokac and the port diagnostic under node --cpu-prof; summaries go into results.md. */
  readonly profile: boolean;
}

const usage = `usage: npm run bench -- [options]
  --messages N       throughput input messages (default 1000000)
  --keys N           distinct keys in the input (default 10000)
  --table-keys N     keys in the recovery changelog (default 1000000)
  --partitions N     partitions of every topic (default 8)
  --repetitions N    measured runs per contender (default 3)
  --warmups N        unmeasured runs first (default 1)
  --only LIST        contenders, comma-separated: ${contenderNames.join(",")}
  --workloads LIST   workloads, comma-separated: ${workloadNames.join(",")}
  --out DIR          results folder (default bench/results)
  --timeout S        seconds one run may take (default 300)
  --brokers LIST     bootstrap brokers (default $GOKAC_BROKERS or 127.0.0.1:9092)
  --keep-broker      do not stop a broker this run started
  --no-profile       skip the extra CPU-profiled gokac runs (their summaries go into results.md)
  --quick            --messages 100000 --table-keys 100000 --repetitions 1 --warmups 0`;

function positive(name: string, text: string | undefined, fallback: number, allowZero = false): number {
  if (text === undefined) return fallback;
  const value = Number(text.replace(/_/g, ""));
  if (!Number.isInteger(value) || value < (allowZero ? 0 : 1))
    throw new UsageError(`--${name} needs a ${allowZero ? "non-negative" : "positive"} integer, got ${text}`);
  return value;
}

function list<T extends string>(name: string, text: string | undefined, known: readonly T[]): readonly T[] {
  if (text === undefined) return known;
  const names = text
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  for (const n of names) {
    if (!(known as readonly string[]).includes(n)) throw new UsageError(`--${name}: unknown ${n}; known: ${known.join(", ")}`);
  }
  return names as T[];
}

/** Bad command-line usage; the runner prints it with the usage text and exits 2. */
export class UsageError extends Error {
  readonly usage = usage;
}

/** Parses the runner's argv (without node and the script). Throws UsageError on bad input; `help` asks for the usage text. */
export function parseBenchArgs(argv: readonly string[]): BenchOptions | "help" {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      options: {
        messages: { type: "string" },
        keys: { type: "string" },
        "table-keys": { type: "string" },
        partitions: { type: "string" },
        repetitions: { type: "string" },
        warmups: { type: "string" },
        only: { type: "string" },
        workloads: { type: "string" },
        out: { type: "string" },
        timeout: { type: "string" },
        brokers: { type: "string" },
        "keep-broker": { type: "boolean" },
        "no-profile": { type: "boolean" },
        quick: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const v = parsed.values;
  if (v.help) return "help";
  const quick = v.quick === true;
  return {
    brokers: v.brokers ?? process.env["GOKAC_BROKERS"] ?? "127.0.0.1:9092",
    messages: positive("messages", v.messages, quick ? 100_000 : 1_000_000),
    keys: positive("keys", v.keys, 10_000),
    tableKeys: positive("table-keys", v["table-keys"], quick ? 100_000 : 1_000_000),
    partitions: positive("partitions", v.partitions, 8),
    repetitions: positive("repetitions", v.repetitions, quick ? 1 : 3),
    warmups: positive("warmups", v.warmups, quick ? 0 : 1, true),
    contenders: list("only", v.only, contenderNames),
    workloads: list("workloads", v.workloads, workloadNames),
    out: v.out ?? "bench/results",
    timeoutSeconds: positive("timeout", v.timeout, 300),
    keepBroker: v["keep-broker"] === true,
    profile: v["no-profile"] !== true,
  };
}
