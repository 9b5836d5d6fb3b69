/**
 * gokac next to plain Java clients (kafka-clients from the broker's own
 * .kafka/lib), on a real broker: a Java producer writes batches in every
 * compression codec, LongSerializer values, null header values and a key that
 * is not UTF-8; gokac processes them, recovers a table and opens a view of
 * changelogs Java wrote compressed; and a Java consumer reads what gokac
 * wrote compressed with each codec.
 *
 * The Java program (test/system/java/JavaClient.java) is compiled with javac
 * into a temporary folder when the suite starts.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import kafkajs from "kafkajs";
import { codecs, defineGroup, defineTopic, ProcessorError, type Compression } from "gokac/runtime";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createKafkaBroker } from "../../runtime/broker/kafka/index.js";
import { parseFetchResponse } from "../../runtime/broker/kafka/fetch-decoder.js";
import { createInternalCluster, fetchRaw } from "../../runtime/broker/kafka/kafkajs-internals.js";
import type { Broker } from "../../runtime/broker/port.js";
import { describeKafka, eventually, kafkaBrokers, repoRoot, unique } from "./kafka-env.js";
import { emitterOf, openView, startProcessor } from "./runtime-adapter.js";

const run = promisify(execFile);
const CODECS = ["none", "gzip", "snappy", "lz4", "zstd"] as const satisfies readonly Compression[];
const PARTITIONS = 2;
const PER_CODEC = 500;

describeKafka("Java clients: compression codecs, LongSerializer, null headers, non-UTF-8 keys", () => {
  let broker: Broker;
  let work: string;
  const classpath = () => `${work}:${repoRoot}.kafka/lib/*`;
  beforeAll(async () => {
    broker = createKafkaBroker({ brokers: kafkaBrokers(), clientId: "gokac-java-clients" });
    work = mkdtempSync(join(tmpdir(), "gokac-java-"));
    await run("javac", ["-d", work, "-cp", `${repoRoot}.kafka/lib/*`, `${repoRoot}test/system/java/JavaClient.java`], { timeout: 120_000 });
  }, 150_000);
  afterAll(async () => {
    await broker.close();
    rmSync(work, { recursive: true, force: true });
  });

  /** Runs the Java producer with `jobs` (see JavaClient.java) in one JVM. */
  async function javaProduce(...jobs: string[]): Promise<void> {
    await run("java", ["-cp", classpath(), "JavaClient", "produce", kafkaBrokers(), ...jobs], { timeout: 120_000 });
  }

  async function topic(name: string, compacted = false): Promise<string> {
    await broker.createTopic({ topic: name, partitions: PARTITIONS, compacted });
    return name;
  }

  it(
    "processes batches in every codec, LongSerializer values and null header values from a Java producer",
    { timeout: 300_000 },
    async () => {
      const name = unique("java-in");
      const strings = await topic(`${name}-strings`);
      const longs = await topic(`${name}-longs`);
      const headed = await topic(`${name}-headers`);
      await javaProduce(
        ...CODECS.map((codec) => `${strings},${codec},string,${PER_CODEC},${codec}-,none,utf8`),
        ...CODECS.map((codec) => `${longs},${codec},long,${PER_CODEC},${codec}-,none,utf8`),
        `${headed},snappy,string,10,h-,null,utf8`,
      );
      const seenStrings = new Map<string, string>();
      const seenLongs = new Map<string, bigint>();
      const headers: Record<string, Uint8Array>[] = [];
      const group = defineGroup(
        {
          group: name,
          inputs: [
            { topics: [strings], codec: codecs.string, handler: "onString" },
            { topics: [longs], codec: codecs.int64, handler: "onLong" },
            { topics: [headed], codec: codecs.string, handler: "onHeaded" },
          ],
        },
        {
          onString: (ctx: { key: string }, msg: string) => void seenStrings.set(ctx.key, msg),
          onLong: (ctx: { key: string }, msg: bigint) => void seenLongs.set(ctx.key, msg),
          onHeaded: (ctx: { headers: Record<string, Uint8Array> }) => void headers.push({ ...ctx.headers }),
        },
      );
      const processor = await startProcessor(group, broker, join(work, name));
      const total = CODECS.length * PER_CODEC;
      await eventually(() => seenStrings.size === total && seenLongs.size === total && headers.length === 10, 120_000, "every Java record");
      await processor.stop();
      expect(await processor.done).toBeUndefined();
      for (const codec of CODECS) {
        expect(seenStrings.get(`${codec}-0`)).toBe("v0");
        expect(seenStrings.get(`${codec}-${PER_CODEC - 1}`)).toBe(`v${PER_CODEC - 1}`);
        expect(seenLongs.get(`${codec}-7`)).toBe(7n);
        expect(seenLongs.get(`${codec}-${PER_CODEC - 1}`)).toBe(BigInt(PER_CODEC - 1));
      }
      // A null header value reads as an empty one.
      expect(headers.every((h) => h["h"] instanceof Uint8Array && h["h"].length === 0)).toBe(true);
    },
  );

  it("recovers a table and opens a view whose changelog Java wrote compressed with each codec", { timeout: 300_000 }, async () => {
    const name = unique("java-table");
    const input = await topic(`${name}-in`);
    const table = await topic(`${name}-table`, true);
    await javaProduce(...CODECS.map((codec) => `${table},${codec},long,${PER_CODEC},${codec}-,none,utf8`));
    const group = defineGroup<bigint>(
      { group: name, inputs: [{ topics: [input], codec: codecs.string, handler: "onInput" }], persist: { codec: codecs.int64 } },
      { onInput: () => undefined },
    );
    const processor = await startProcessor(group, broker, join(work, name));
    const view = await openView(broker, defineTopic(table, codecs.int64));
    try {
      for (const codec of CODECS) {
        for (const i of [0, 123, PER_CODEC - 1]) {
          expect(await processor.get(`${codec}-${i}`)).toBe(BigInt(i));
          expect(await view.get(`${codec}-${i}`)).toBe(BigInt(i));
        }
      }
    } finally {
      await view.stop();
      await processor.stop();
    }
    expect(await processor.done).toBeUndefined();
  });

  it(
    "stops on a key that is not UTF-8 with a decode error naming group, topic, partition, offset and key",
    { timeout: 300_000 },
    async () => {
      const name = unique("java-badkey");
      const input = await topic(`${name}-in`);
      await javaProduce(`${input},lz4,string,1,x,none,invalid`);
      const handled: string[] = [];
      const group = defineGroup(
        { group: name, inputs: [{ topics: [input], codec: codecs.string, handler: "onInput" }] },
        { onInput: (ctx: { key: string }) => void handled.push(ctx.key) },
      );
      const processor = await startProcessor(group, broker, join(work, name));
      const error = await processor.done;
      expect(error).toBeInstanceOf(ProcessorError);
      expect(error).toMatchObject({ kind: "decode", group: name, topic: input, offset: 0, key: "\uFFFD\uFFFD" });
      expect([0, 1]).toContain((error as ProcessorError).partition);
      expect(handled).toEqual([]);
    },
  );

  it("writes batches a Java consumer reads, compressed with the topic's codec", { timeout: 300_000 }, async () => {
    const name = unique("java-out");
    const cluster = createInternalCluster(new kafkajs.Kafka({ brokers: kafkaBrokers().split(","), logLevel: kafkajs.logLevel.NOTHING }));
    await cluster.connect();
    try {
      for (const codec of CODECS) {
        const out = defineTopic(await topic(`${name}-${codec}`), codecs.string, { compression: codec });
        const emitter = emitterOf(broker, out);
        // One record per emit would be one batch each; send enough text that compression shows.
        for (let i = 0; i < 20; i++) await emitter.emit(`k${i}`, `value ${i} `.repeat(50));
        await emitter.close();

        // The batches on the broker carry the codec's id...
        await cluster.addTargetTopic(out.name);
        const attributes: number[] = [];
        for (let partition = 0; partition < PARTITIONS; partition++) {
          const leader = cluster.findTopicPartitionMetadata(out.name).find((p) => p.partitionId === partition)?.leader ?? -1;
          const payload = await fetchRaw(await cluster.findBroker({ nodeId: leader }), {
            topic: out.name,
            partition,
            offset: 0,
            maxWaitMs: 100,
            maxBytes: 1_000_000,
          });
          const records = parseFetchResponse(payload, out.name, partition)?.records;
          if (records !== null && records !== undefined && records.length > 0) attributes.push(records.readInt16BE(21) & 0x07);
        }
        expect(attributes.length).toBeGreaterThan(0);
        expect(new Set(attributes)).toEqual(new Set([CODECS.indexOf(codec)]));

        // ...and Java reads every record back.
        const { stdout } = await run("java", ["-cp", classpath(), "JavaClient", "consume", kafkaBrokers(), out.name, "20"], {
          timeout: 120_000,
        });
        const read = new Map(
          stdout
            .trim()
            .split("\n")
            .map((line) => line.split("\t") as [string, string]),
        );
        expect(read.size).toBe(20);
        expect(read.get("k3")).toBe("value 3 ".repeat(50));
      }
    } finally {
      await cluster.disconnect();
    }
  });
});
