/**
 * The accumulator on the in-memory broker: an int64 input, an int64 group
 * table summing per key, 8 partitions, 1M messages over 10k keys, `level`
 * storage in a tmp dir. Prints messages/s and peak RSS; checks the sums.
 *
 * Usage: node --conditions=source --import tsx bench/accumulator.ts [--messages N] [--keys K] [--partitions P] [--batch B] [--async] [--profile FILE]
 * Profile of the processing phase: add --profile /tmp/accumulator.cpuprofile
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { Session } from "node:inspector/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { formatSelfTime, topSelfTime } from "./lib/profile-summary.js";
import {
  codecs,
  createLevelStorage,
  createMemoryBroker,
  createProcessor,
  defineGroup,
  partitionForKey,
  type BaseContext,
  type ProduceRecord,
  type TableContext,
} from "gokac/runtime";

const { values: args } = parseArgs({
  options: {
    messages: { type: "string", default: "1000000" },
    keys: { type: "string", default: "10000" },
    partitions: { type: "string", default: "8" },
    batch: { type: "string", default: "500" },
    /** Use an `async` handler awaiting `ctx.value()`, as generated stubs are written. */
    async: { type: "boolean", default: false },
    /** Write every batch through to LevelDB (no write-behind buffer), for comparison. */
    "write-through": { type: "boolean", default: false },
    /** Writes a CPU profile of the processing phase only (not the fill) to this file, and prints its top self times. */
    profile: { type: "string" },
  },
});
const messages = Number(args.messages);
const keyCount = Number(args.keys);
const partitions = Number(args.partitions);

type Ctx = BaseContext & TableContext<bigint>;
const group = defineGroup<bigint>(
  {
    group: "accumulator",
    inputs: [{ topics: ["numbers"], codec: codecs.int64, handler: "add" }],
    persist: { codec: codecs.int64 },
    partitions,
  },
  args.async
    ? {
        async add(ctx: Ctx, msg: bigint) {
          ctx.setValue(((await ctx.value()) ?? 0n) + msg);
        },
      }
    : {
        add(ctx: Ctx, msg: bigint) {
          ctx.setValue(((ctx.value() as bigint | undefined) ?? 0n) + msg);
        },
      },
);

const broker = createMemoryBroker({ maxBatchSize: Number(args.batch) });
await broker.createTopic({ topic: "numbers", partitions, compacted: false });

// 1. Fill the input (not measured): value i % 7 for key i % keys.
const producer = await broker.producer();
const expected = new Map<string, bigint>();
const chunk: ProduceRecord[] = [];
for (let i = 0; i < messages; i++) {
  const key = `key-${i % keyCount}`;
  const value = BigInt(i % 7);
  expected.set(key, (expected.get(key) ?? 0n) + value);
  chunk.push({ topic: "numbers", partition: partitionForKey(key, partitions), key, value: codecs.int64.encode(value) });
  if (chunk.length === 10_000 || i === messages - 1) await producer.send(chunk.splice(0));
}

// The in-memory broker keeps every message (1M inputs are most of the RSS): note where processing starts from.
const rssAfterFillMb = process.memoryUsage().rss / 1024 / 1024;

// 2. Process everything, timing from start to the last commit.
const dir = await mkdtemp(join(tmpdir(), "gokac-accumulator-"));
const processor = createProcessor(group, { broker, storage: createLevelStorage(dir, args["write-through"] ? { writeBehind: false } : {}) });
const session = args.profile === undefined ? undefined : new Session();
if (session !== undefined) {
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.start");
}
const started = performance.now();
const cpuBefore = process.cpuUsage();
await processor.start();
for (;;) {
  let committed = 0;
  for (let p = 0; p < partitions; p++) committed += (await broker.committedOffset("accumulator", "numbers", p)) ?? 0;
  if (committed >= messages) break;
  await new Promise((resolve) => setTimeout(resolve, 5));
}
const seconds = (performance.now() - started) / 1000;
// CPU time of this process (LevelDB's threads included): a figure that holds up when the machine is busy.
const cpu = process.cpuUsage(cpuBefore);
const cpuSeconds = (cpu.user + cpu.system) / 1e6;
if (session !== undefined && args.profile !== undefined) {
  const { profile } = await session.post("Profiler.stop");
  await writeFile(args.profile, JSON.stringify(profile));
  session.disconnect();
}

// 3. Check a sample of sums, stop, clean up.
let wrong = 0;
for (const key of [...expected.keys()].slice(0, 200)) if ((await processor.get(key)) !== expected.get(key)) wrong++;
await processor.stop();
await rm(dir, { recursive: true, force: true });

const rssMb = process.resourceUsage().maxRSS / 1024;
console.log(
  `accumulator (memory broker, level storage): ${messages} messages, ${keyCount} keys, ${partitions} partitions, batch ${args.batch}, ${args.async ? "async" : "sync"} handler, ${args["write-through"] ? "write-through" : "write-behind"} store`,
);
console.log(
  `  ${Math.round(messages / seconds).toLocaleString("en-US")} msg/s (${seconds.toFixed(2)} s wall, ${cpuSeconds.toFixed(2)} s CPU: ${Math.round(messages / cpuSeconds).toLocaleString("en-US")} msg per CPU-second), peak RSS ${rssMb.toFixed(0)} MB (${rssAfterFillMb.toFixed(0)} MB after filling the in-memory topic), wrong sums in sample: ${wrong}`,
);
if (args.profile !== undefined)
  console.log(`CPU profile of the processing phase: ${args.profile}\n${formatSelfTime(topSelfTime(args.profile, process.cwd(), 15))}`);
if (wrong > 0) process.exitCode = 1;
