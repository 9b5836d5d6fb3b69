/**
 * Memory diagnostic (not part of `npm run bench`): runs the compiled gokac
 * contender over one input topic, seeded once and kept for further probes,
 * with bench/lib/memory-sampler.mjs preloaded, and prints per run the
 * throughput, the peak RSS (VmHWM) and where memory was at the RSS peak
 * (V8 heap spaces, external and array buffers; the rest of RSS is code,
 * native allocations such as LevelDB's, and freed pages not yet returned).
 *
 *   node --import tsx bench/memory-probe.ts [--messages N] [--runs N] [--input T] [--env K=V]... [--node-arg A]...
 *
 * Needs the contender compiled (`npm run bench` once, or `npx tsc -p tsconfig.build.json && npx tsc -p bench/tsconfig.contenders.json`).
 */
import { rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { connectCluster, sleep } from "./lib/cluster.js";
import { startContender } from "./lib/contender-process.js";
import { seedInput } from "./lib/seed.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const { values } = parseArgs({
  options: {
    brokers: { type: "string", default: process.env["GOKAC_BROKERS"] ?? "127.0.0.1:9092" },
    messages: { type: "string", default: "1000000" },
    keys: { type: "string", default: "10000" },
    partitions: { type: "string", default: "8" },
    runs: { type: "string", default: "1" },
    input: { type: "string", default: "bench-memory-probe-in" },
    env: { type: "string", multiple: true, default: [] },
    "node-arg": { type: "string", multiple: true, default: [] },
  },
});
const messages = Number(values.messages);
const partitions = Number(values.partitions);
const cluster = await connectCluster(values.brokers);
try {
  if ((await cluster.endOffsetTotal(values.input).catch(() => -1)) !== messages) {
    process.stdout.write(`seeding ${messages} messages into ${values.input}\n`);
    await cluster.freshTopics([{ name: values.input, partitions }]);
    await seedInput(cluster, values.input, partitions, messages, Number(values.keys));
  }
  const env = Object.fromEntries(values.env.map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
  for (let run = 0; run < Number(values.runs); run++) {
    const group = `bench-memory-probe-${Date.now().toString(36)}`;
    const stateDir = join(tmpdir(), group);
    const proc = startContender({
      command: process.execPath,
      args: [
        "--import",
        join(root, "bench/lib/memory-sampler.mjs"),
        ...values["node-arg"],
        join(root, "bench/.build/contenders/gokac-accumulator.js"),
        ...["--brokers", values.brokers, "--group", group, "--input", values.input, "--state-dir", stateDir],
        ...["--partitions", String(partitions)],
      ],
      cwd: root,
      env,
    });
    try {
      while ((await cluster.committedTotal(group, values.input)) < messages) {
        if (performance.now() - proc.startedAt > 600_000) throw new Error(`run ${run + 1} did not finish:\n${proc.stderrTail()}`);
        await sleep(50);
      }
      const seconds = (performance.now() - proc.startedAt) / 1000;
      const peakMb = proc.peakRssKb() / 1024;
      await proc.stop();
      const memory = /MEMORY (.*)/.exec(proc.stderrTail())?.[1] ?? "(no MEMORY line)";
      process.stdout.write(`run ${run + 1}: ${Math.round(messages / seconds)} msg/s, VmHWM ${Math.round(peakMb)} MB\n  ${memory}\n`);
    } finally {
      await proc.stop();
      await cluster.deleteTopics([`${group}-table`]).catch(() => undefined);
      await cluster.deleteGroups([group]).catch(() => undefined);
      await rm(stateDir, { recursive: true, force: true });
    }
  }
} finally {
  await cluster.close();
}
