/**
 * The contenders: how each is built, started for a workload, and which
 * topics it creates. Every one runs the same graph: an int64 input summed
 * per key into a table (raw kafkajs: the stateless consume → produce ceiling).
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { ContenderName } from "./cli-args.js";
import type { ContenderCommand } from "./contender-process.js";

/** The names one run of a contender uses. */
export interface RunNames {
  readonly brokers: string;
  /** Consumer group (Goka group, Kafka Streams application.id). */
  readonly group: string;
  readonly input: string;
  readonly stateDir: string;
  readonly partitions: number;
  /** Set: write a CPU profile into this folder (node contenders only). */
  readonly profileDir?: string;
}

/** A contender program. */
export interface Contender {
  readonly name: ContenderName;
  /** Shown in tables and the chart. */
  readonly label: string;
  /** Whether it keeps a table (and so takes part in the recovery workload). */
  readonly stateful: boolean;
  /** `false`: a stateful variant measured for throughput only (the exactly-once rows: recovery reads the same way). */
  readonly recovers?: false;
  /** Builds what the command needs (idempotent; may take a while the first time). */
  prepare(root: string): void;
  /** The command that runs the accumulator; `expectRestores` > 0 asks Kafka Streams to wait for that many restored stores before READY. */
  command(root: string, run: RunNames, expectRestores: number): ContenderCommand;
  /** Topics the runner must create before a run (e.g. an output topic). */
  topicsToCreate(run: RunNames): readonly { name: string; partitions: number; compacted?: boolean }[];
  /** The table's changelog topic (stateful contenders); seeded for recovery, deleted after runs. */
  changelog(group: string): string | undefined;
  /** Counts the keys its stopped run left in local storage (gokac's layout), to check a recovery. */
  storedKeys?(run: RunNames): Promise<number>;
}

/** Keys in every partition store of `<group>-table` under the run's state folder, read with gokac's level storage. */
async function gokacStoredKeys(run: RunNames): Promise<number> {
  const { createLevelStorage } = await import("../../runtime/storage/index.js");
  const storage = createLevelStorage(run.stateDir);
  let count = 0;
  for (let p = 0; p < run.partitions; p++) {
    const store = await storage.open(`${run.group}-table`, p);
    try {
      for await (const _ of store.entries()) count++;
    } finally {
      await store.close();
    }
  }
  return count;
}

let compiled = false;

/**
 * Compiles the node contenders as users ship a gokac service: the package
 * (`npm run build` → dist/, which `gokac/runtime` resolves to) and the
 * contender programs with their generated code (bench/tsconfig.contenders.json
 * → bench/.build/). Running them through tsx instead would add its start-up
 * and transpiling (about 0.2 s) to every recovery figure.
 */
function compileNodeContenders(root: string): void {
  if (compiled) return;
  const tsc = join(root, "node_modules/typescript/bin/tsc");
  for (const project of ["tsconfig.build.json", "bench/tsconfig.contenders.json"]) {
    try {
      execFileSync(process.execPath, [tsc, "-p", join(root, project)], { cwd: root, stdio: "pipe" });
    } catch (error) {
      const e = error as { stdout?: Buffer; stderr?: Buffer };
      throw new Error(`tsc -p ${project} failed:\n${String(e.stdout ?? "")}${String(e.stderr ?? "")}`, { cause: error });
    }
  }
  compiled = true;
}

/** `node bench/.build/<script>.js args` (compiled by `compileNodeContenders`), under `--cpu-prof` when the run is profiled. */
function nodeCommand(root: string, script: string, args: readonly string[], run: RunNames): ContenderCommand {
  const profile = run.profileDir === undefined ? [] : ["--cpu-prof", "--cpu-prof-dir", run.profileDir];
  const built = join(root, "bench/.build", script.replace(/^bench\//, "").replace(/\.ts$/, ".js"));
  return { command: process.execPath, args: [...profile, built, ...args], cwd: root };
}

/** The arguments both node accumulators (the processor and the port loop) take. */
function accumulatorArgs(run: RunNames): string[] {
  return [
    "--brokers",
    run.brokers,
    "--group",
    run.group,
    "--input",
    run.input,
    "--state-dir",
    run.stateDir,
    "--partitions",
    String(run.partitions),
  ];
}

const gokac: Contender = {
  name: "gokac",
  label: "gokac",
  stateful: true,
  prepare: compileNodeContenders,
  command: (root, run) => nodeCommand(root, "bench/contenders/gokac-accumulator.ts", accumulatorArgs(run), run),
  topicsToCreate: () => [],
  changelog: (group) => `${group}-table`,
  storedKeys: gokacStoredKeys,
};

/** gokac with `guarantee: exactly-once`: one transaction per fetched batch of a partition. */
const gokacEos: Contender = {
  ...gokac,
  name: "gokac-eos",
  label: "gokac exactly-once",
  recovers: false,
  command: (root, run) =>
    nodeCommand(root, "bench/contenders/gokac-accumulator.ts", [...accumulatorArgs(run), "--guarantee", "exactly-once"], run),
};

const port: Contender = {
  name: "port",
  label: "gokac port loop (diagnostic)",
  stateful: true,
  prepare: compileNodeContenders,
  command: (root, run) => nodeCommand(root, "bench/contenders/port-accumulator.ts", accumulatorArgs(run), run),
  topicsToCreate: () => [],
  changelog: (group) => `${group}-table`,
  storedKeys: gokacStoredKeys,
};

const kafkajsPipe: Contender = {
  name: "kafkajs",
  label: "raw kafkajs (stateless)",
  stateful: false,
  prepare: compileNodeContenders,
  command: (root, run) =>
    nodeCommand(
      root,
      "bench/contenders/kafkajs-pipe.ts",
      ["--brokers", run.brokers, "--group", run.group, "--input", run.input, "--output", `${run.group}-out`],
      run,
    ),
  topicsToCreate: (run) => [{ name: `${run.group}-out`, partitions: run.partitions }],
  changelog: () => undefined,
};

const goka: Contender = {
  name: "goka",
  label: "Goka 1.1.16",
  stateful: true,
  prepare(root) {
    execFileSync("go", ["build", "-o", "bin/goka-bench", "."], { cwd: join(root, "bench/goka"), stdio: "inherit" });
  },
  command: (root, run) => ({
    command: join(root, "bench/goka/bin/goka-bench"),
    args: ["-brokers", run.brokers, "-group", run.group, "-input", run.input, "-state-dir", run.stateDir],
    // Go would use every core anyway; say so for the record.
    env: { GOMAXPROCS: "2" },
  }),
  topicsToCreate: () => [],
  changelog: (group) => `${group}-table`,
};

/** Kafka Streams stream threads: one per core of the bench machine. */
const kstreamsThreads = 2;

const kstreams: Contender = {
  name: "kstreams",
  label: "Kafka Streams 4.1.2",
  stateful: true,
  prepare(root) {
    const dir = join(root, "bench/kstreams");
    try {
      execFileSync("mvn", ["-q", "-B", "-Dstyle.color=never", "package", "-DskipTests"], { cwd: dir, stdio: "pipe" });
    } catch (error) {
      const e = error as { stdout?: Buffer; stderr?: Buffer };
      throw new Error(`bench/kstreams: mvn package failed:\n${String(e.stdout ?? "")}${String(e.stderr ?? "")}`, { cause: error });
    }
    if (!existsSync(join(dir, "target/kstreams-bench-0.1.0.jar"))) throw new Error("bench/kstreams: mvn package made no jar");
  },
  command: (root, run, expectRestores) => {
    const dir = join(root, "bench/kstreams/target");
    return {
      command: "java",
      args: [
        "-cp",
        `${dir}/kstreams-bench-0.1.0.jar:${dir}/lib/*`,
        "dev.gokac.bench.Accumulator",
        run.brokers,
        run.group,
        run.input,
        run.stateDir,
        String(kstreamsThreads),
        String(expectRestores),
      ],
    };
  },
  topicsToCreate: () => [],
  changelog: (group) => `${group}-table-changelog`,
};

/** Kafka Streams with `processing.guarantee=exactly_once_v2` (otherwise the same settings). */
const kstreamsEos: Contender = {
  ...kstreams,
  name: "kstreams-eos",
  label: "Kafka Streams 4.1.2 exactly_once_v2",
  recovers: false,
  command: (root, run, expectRestores) => {
    const base = kstreams.command(root, run, expectRestores);
    return { ...base, args: [...base.args, "exactly_once_v2"] };
  },
};

/** Every contender by name. */
export const contenders: Readonly<Record<ContenderName, Contender>> = {
  gokac,
  port,
  kafkajs: kafkajsPipe,
  goka,
  kstreams,
  "gokac-eos": gokacEos,
  "kstreams-eos": kstreamsEos,
};
