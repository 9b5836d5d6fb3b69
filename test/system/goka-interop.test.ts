/**
 * gokac next to a real Goka v1.1.16 deployment with Goka's default hasher
 * (FNV-1a): the program in goka-interop/ is built here with `go build`.
 * A Goka emitter feeds a gokac group, a Goka view reads that group's table,
 * and a gokac group joins a Goka processor's table; every key is found on
 * both sides. The gokac definitions are what `gokac build` generates for
 * `partitioner: goka` (test/compiler/partitioners.test.ts checks that text).
 */
import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  codecs,
  createEmitter,
  createKafkaBroker,
  createMemoryStorage,
  createProcessor,
  createView,
  defineGroup,
  defineTopic,
  partitionForKey,
  type BaseContext,
  type Broker,
  type JoinContext,
  type Processor,
  type TableContext,
} from "gokac/runtime";
import { describeKafka, eventually, kafkaBrokers, repoRoot, unique } from "./kafka-env.js";

const run = promisify(execFile);
const N = 200;
const PARTITIONS = 6;

describeKafka("interop with Goka v1.1.16 (partitioner: goka)", () => {
  const dir = mkdtempSync(join(tmpdir(), "gokac-goka-interop-"));
  const bin = join(dir, "goka-interop");
  let broker: Broker;
  const processors: Processor[] = [];
  const children: ChildProcess[] = [];
  /** Runs a subcommand to completion (flags before the `hash` keys). */
  const goka = async (command: string, ...args: string[]) =>
    (await run(bin, [command, "-brokers", kafkaBrokers(), ...args], { timeout: 120_000 })).stdout;

  beforeAll(async () => {
    // The first build downloads Goka and sarama through the Go module proxy: minutes on a cold cache.
    await run("go", ["build", "-o", bin, "."], { cwd: join(repoRoot, "test/system/goka-interop"), timeout: 900_000 });
    broker = createKafkaBroker({ brokers: kafkaBrokers() });
  }, 900_000);

  afterAll(async () => {
    await Promise.all(processors.map((p) => p.stop()));
    for (const c of children) c.kill("SIGKILL");
    await broker?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("places every key where sarama puts it for a Goka emitter", { timeout: 60_000 }, async () => {
    const keys = Array.from({ length: N }, (_, i) => `user-${i}-${"é".repeat(i % 3)}`);
    for (const n of [1, 6, 7, 10]) {
      const lines = (await goka("hash", "-partitions", String(n), ...keys)).trim().split("\n");
      const theirs = lines.map((l) => Number(l.split("\t")[1]));
      expect(keys.map((k) => partitionForKey(k, n, "goka"))).toEqual(theirs);
    }
  });

  it(
    "a Goka emitter feeds a gokac group, a Goka view reads its table, a gokac group joins a Goka processor's table",
    { timeout: 300_000 },
    async () => {
      const [input, probe, acc, gp, joiner] = [unique("gi-in"), unique("gi-probe"), unique("gi-acc"), unique("gi-gp"), unique("gi-join")];
      const prefix = unique("k");
      const keys = Array.from({ length: N }, (_, i) => `${prefix}-${i}`);
      await broker.createTopic({ topic: input, partitions: PARTITIONS, compacted: false });
      await broker.createTopic({ topic: probe, partitions: PARTITIONS, compacted: false });

      // What `gokac build` generates for these specs with `partitioner: goka`.
      const probeTopic = defineTopic(probe, codecs.string, { partitioner: "goka" });
      const gpTable = defineTopic(`${gp}-table`, codecs.string, { partitioner: "goka" });
      const accGroup = defineGroup<string>(
        {
          group: acc,
          inputs: [{ topics: [input], codec: codecs.string, handler: "onInput", partitioner: "goka" }],
          persist: { codec: codecs.string },
          partitioner: "goka",
        },
        { onInput: (ctx: BaseContext & TableContext<string>, msg: string) => ctx.setValue(`gokac:${msg}`) },
      );
      const joinGroup = defineGroup<string>(
        {
          group: joiner,
          inputs: [{ topics: [probe], codec: codecs.string, handler: "onProbe", partitioner: "goka" }],
          joins: [{ table: gpTable.name, codec: gpTable.codec, partitioner: "goka" }],
          persist: { codec: codecs.string },
          partitioner: "goka",
        },
        {
          async onProbe(ctx: BaseContext & TableContext<string> & JoinContext<Record<string, string>>) {
            ctx.setValue(String(await ctx.join(gpTable.name)));
          },
        },
      );

      // 1. A Goka emitter feeds the gokac group (and a Goka processor, for step 3).
      const accProcessor = createProcessor(accGroup, { broker, storage: createMemoryStorage() });
      processors.push(accProcessor);
      await accProcessor.start();
      expect(await goka("emit", "-topic", input, "-prefix", prefix, "-n", String(N))).toContain(`sent ${N}`);
      const accView = createView(broker, accGroup);
      await accView.start();
      await eventually(
        async () =>
          (await accView.get(keys[N - 1] ?? "")) !== undefined &&
          (await Promise.all(keys.map((k) => accView.get(k)))).every((v) => v !== undefined),
        60_000,
        "gokac's table to hold every key",
      );
      for (const [i, k] of keys.entries()) expect(await accView.get(k)).toBe(`gokac:v-${i}`);
      await accView.stop();

      // 2. A Goka view finds every key in gokac's table.
      const viewed = await goka("view", "-table", `${acc}-table`, "-prefix", prefix, "-n", String(N));
      expect(viewed).toContain(`found ${N}\n`);
      expect(viewed).not.toContain("missing");
      // The control: read with Kafka's partitioner, most keys are looked for in the wrong partition.
      const kafkaView = createView(broker, defineTopic(`${acc}-table`, codecs.string));
      await kafkaView.start();
      const foundByKafka = (await Promise.all(keys.map((k) => kafkaView.get(k)))).filter((v) => v !== undefined).length;
      await kafkaView.stop();
      expect(foundByKafka).toBeLessThan(N / 2);

      // 3. A Goka processor builds its table from the same input; a gokac group joins it.
      const proc = spawn(bin, ["process", "-group", gp, "-input", input, "-brokers", kafkaBrokers()], {
        stdio: ["ignore", "pipe", "pipe"],
      });
      children.push(proc);
      let out = "";
      proc.stdout?.on("data", (d: Buffer) => (out += d.toString()));
      proc.stderr?.on("data", (d: Buffer) => (out += d.toString()));
      await eventually(() => out.includes("READY"), 120_000, `the Goka processor to be ready (output: ${out})`);
      const gpView = createView(broker, gpTable);
      await gpView.start();
      await eventually(
        async () => (await Promise.all(keys.map((k) => gpView.get(k)))).every((v) => v !== undefined),
        60_000,
        "gokac to find every key of Goka's table",
      );
      await gpView.stop();

      const joinProcessor = createProcessor(joinGroup, { broker, storage: createMemoryStorage() });
      processors.push(joinProcessor);
      await joinProcessor.start();
      const emitter = createEmitter(broker, probeTopic);
      await emitter.emitMany(keys.map((k) => ({ key: k, value: "probe" })));
      await emitter.close();
      const joined = createView(broker, joinGroup);
      await joined.start();
      await eventually(
        async () => (await Promise.all(keys.map((k) => joined.get(k)))).every((v) => v !== undefined),
        60_000,
        "the join to see every key",
      );
      for (const [i, k] of keys.entries()) expect(await joined.get(k)).toBe(`goka:v-${i}`);
      await joined.stop();
    },
  );
});
