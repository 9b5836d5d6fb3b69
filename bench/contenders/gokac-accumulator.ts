/**
 * The gokac contender: the accumulator group generated from
 * bench/gokac/specs/accumulator.yaml (handler in
 * bench/gokac/generated/bench-accumulator/handlers.ts) on a real broker,
 * through the public `gokac/runtime` API with `createKafkaBroker` and the
 * default `level` storage. Each benchmark run renames the group and its input
 * so every run starts fresh; the graph and handlers are the generated ones.
 *
 * Usage: node bench/.build/contenders/gokac-accumulator.js --brokers B --group G --input T --state-dir D [--guarantee exactly-once]
 * (compiled by `npm run bench`; or `node --conditions source --import tsx` on the .ts).
 * Prints `RECOVERING <epoch-ms>` when its first partition is assigned and
 * `READY <epoch-ms>` once the processor runs and every partition's table is
 * recovered; stops on SIGTERM/SIGINT.
 * With `GOKAC_BENCH_PHASES=<file>`, writes the times of its start-up and
 * recovery phases there as JSON at READY (bench/recovery-phases.ts).
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { createKafkaBroker, createProcessor, defineGroup, type GroupGraph } from "gokac/runtime";
import { benchAccumulatorGroup } from "../gokac/generated/bench-accumulator/graph.js";

// Milliseconds since the process started (performance.timeOrigin), for GOKAC_BENCH_PHASES.
const phases: Record<string, number> = { modulesLoaded: performance.now() };
const phasesFile = process.env["GOKAC_BENCH_PHASES"];

const { values } = parseArgs({
  options: {
    brokers: { type: "string", default: "127.0.0.1:9092" },
    group: { type: "string", default: "bench-accumulator" },
    input: { type: "string", default: "bench-input" },
    "state-dir": { type: "string", default: "/tmp/gokac-bench-state" },
    partitions: { type: "string", default: "8" },
    // The exactly-once rows: the same group with `guarantee: exactly-once`.
    guarantee: { type: "string", default: "at-least-once" },
  },
});

const generated = benchAccumulatorGroup.graph;
const graph: GroupGraph = {
  ...generated,
  group: values.group,
  inputs: generated.inputs.map((input) => ({ ...input, topics: [values.input] })),
  partitions: Number(values.partitions),
  guarantee: values.guarantee === "exactly-once" ? "exactly-once" : "at-least-once",
};
const group = defineGroup<bigint>(graph, benchAccumulatorGroup.handlers);

// GOKAC_BENCH_GROUP_FETCH_BYTES: try another fetch budget than the default (see docs/runtime.md, Memory).
// GOKAC_BENCH_READER_FETCH_BYTES: the same for the partition readers (recovery).
const fetchBytes = process.env["GOKAC_BENCH_GROUP_FETCH_BYTES"];
const readerBytes = process.env["GOKAC_BENCH_READER_FETCH_BYTES"];
const broker = createKafkaBroker({
  brokers: values.brokers,
  clientId: "bench-gokac",
  ...(fetchBytes === undefined ? {} : { groupFetchBytes: Number(fetchBytes) }),
  ...(readerBytes === undefined ? {} : { readerFetchBytes: Number(readerBytes) }),
});
const processor = createProcessor(group, { broker, stateDir: values["state-dir"] });

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await processor.stop();
  await broker.close();
}
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());

// start() resolves once the member joined the group, which can be before its
// partitions are assigned and recovered: READY waits for every partition's
// `running` state as well (a single member owns them all).
const running = new Set<number>();
let allRunning!: () => void;
const partitionsRunning = new Promise<void>((resolve) => (allRunning = resolve));
let assigned = false;
if (process.env["GOKAC_BENCH_TRACE"] !== undefined) {
  const t = (what: string) => process.stderr.write(`TRACE ${performance.now().toFixed(0)} ${what}\n`);
  processor.on("state", ({ state, partition }) => t(`state ${state} ${partition ?? ""}`));
  processor.on("recovery-progress", ({ partition, recovered }) => t(`progress ${partition} ${recovered}`));
  processor.on("recovered", ({ partition }) => t(`recovered ${partition}`));
}
if (phasesFile !== undefined) {
  phases["processorCreated"] = performance.now();
  processor.on("state", ({ state }) => {
    if (state === "connecting") phases["connecting"] ??= performance.now();
  });
  processor.on("rebalance", ({ assigned }) => {
    if (assigned !== undefined) phases["assigned"] ??= performance.now();
  });
  processor.on("recovery-progress", () => {
    phases["firstBatchWritten"] ??= performance.now();
  });
  processor.on("recovered", () => {
    phases["firstPartitionRecovered"] ??= performance.now();
    phases["lastPartitionRecovered"] = performance.now();
  });
}
processor.on("state", ({ state, partition }) => {
  // The recovery phase starts with the first assigned partition (opening its stores), as Goka's Setup.
  if (state === "initializing" && partition !== undefined && !assigned) {
    assigned = true;
    process.stdout.write(`RECOVERING ${Date.now()}\n`);
  }
  if (state !== "running" || partition === undefined) return;
  running.add(partition);
  if (running.size === graph.partitions) allRunning();
});
await processor.start();
await Promise.race([partitionsRunning, processor.done]);
const readyAt = performance.now();
const cpu = process.cpuUsage();
process.stdout.write(`READY ${Date.now()}\n`);
// cpuMs: the CPU time of every thread of the process until READY (LevelDB's included), robust to a loaded machine.
if (phasesFile !== undefined) Object.assign(phases, threadCpu());
if (phasesFile !== undefined)
  writeFileSync(phasesFile, JSON.stringify({ ...phases, ready: readyAt, cpuMs: (cpu.user + cpu.system) / 1000 }));
const error = await processor.done;
await broker.close().catch(() => undefined);
if (error !== undefined) {
  process.stderr.write(`gokac-accumulator: ${error.stack ?? error.message}\n`);
  // A failed run must end now, whatever connections the client still holds: the runner waits for the exit.
  process.exit(1);
}

/** CPU milliseconds of this process's threads by name (`cpu:<name>`; the JavaScript thread is `main`), from /proc (empty elsewhere). */
function threadCpu(): Record<string, number> {
  const out: Record<string, number> = {};
  try {
    for (const tid of readdirSync("/proc/self/task")) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, "utf8");
      const name = tid === String(process.pid) ? "main" : stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      // utime and stime (fields 14 and 15 of stat), in clock ticks of 10 ms.
      const ms = (Number(fields[11]) + Number(fields[12])) * 10;
      out[`cpu:${name}`] = (out[`cpu:${name}`] ?? 0) + ms;
    }
  } catch {
    // not Linux
  }
  return out;
}
