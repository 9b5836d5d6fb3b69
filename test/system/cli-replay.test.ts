/**
 * `gokac replay` on a real broker: a group dead-letters the messages its
 * handler rejects; once the handler is fixed, replay sends them back to
 * their original topic and partition and the group processes them. Each
 * dead letter is replayed once (progress in group gokac-replay.<topic>);
 * `--max` limits a run.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { codecs, createProcessor, defineGroup, defineTopic, partitionForKey, type Processor } from "gokac/runtime";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Broker } from "../../runtime/broker/port.js";
import { createKafkaBroker } from "../../runtime/broker/kafka/index.js";
import { runGokac } from "../support/cli.js";
import { describeKafka, eventually, kafkaBrokers, repoRoot, unique } from "./kafka-env.js";

describeKafka("gokac replay", () => {
  let broker: Broker;
  let stateRoot: string;
  let processor: Processor<bigint> | undefined;
  beforeAll(() => {
    broker = createKafkaBroker({ brokers: kafkaBrokers(), clientId: "gokac-systemtest" });
    stateRoot = mkdtempSync(join(tmpdir(), "gokac-state-"));
  });
  afterAll(async () => {
    await processor?.stop();
    await broker.close();
    rmSync(stateRoot, { recursive: true, force: true });
  });
  const cli = (args: string[]) => runGokac([...args, "--brokers", kafkaBrokers()], { cwd: repoRoot });

  it("sends dead letters back to where they failed, each once; --max limits a run", { timeout: 120_000 }, async () => {
    const input = defineTopic(unique("replay-in"), codecs.int64);
    await broker.createTopic({ topic: input.name, partitions: 2, compacted: false });
    let buggy = true;
    const group = defineGroup<bigint>(
      {
        group: unique("replay"),
        inputs: [{ topics: [input.name], codec: input.codec, handler: "add" }],
        persist: { codec: codecs.int64 },
        errors: { handler: "dead-letter" },
      },
      {
        add: (ctx: { value(): unknown; setValue(v: bigint): void }, msg: bigint) => {
          if (buggy && msg === 13n) throw new Error("cannot handle 13 yet");
          ctx.setValue(((ctx.value() as bigint | undefined) ?? 0n) + msg);
        },
      },
    );
    const dlq = `${group.graph.group}-dlq`;
    processor = createProcessor(group, { broker, stateDir: join(stateRoot, group.graph.group) });
    await processor.start();
    const producer = await broker.producer();
    const send = (key: string, n: bigint) =>
      producer.send([
        { topic: input.name, partition: partitionForKey(key, 2), key, value: codecs.int64.encode(n), headers: { trace: key } },
      ]);
    for (const key of ["a", "b", "c"]) {
      await send(key, 1n);
      await send(key, 13n);
    }
    await producer.close();
    const letters = async () => (await broker.highWatermark(dlq, 0)) + (await broker.highWatermark(dlq, 1));
    await eventually(async () => (await letters()) === 3, 30_000, "three dead letters");
    const p = processor;
    expect(await Promise.all(["a", "b", "c"].map((k) => p.get(k)))).toEqual([1n, 1n, 1n]);

    buggy = false;
    const first = await cli(["replay", "specs", dlq, "--max", "1"]);
    expect(first.code, first.stderr).toBe(0);
    const inputCount = async () => (await broker.highWatermark(input.name, 0)) + (await broker.highWatermark(input.name, 1));
    expect(await inputCount()).toBe(7);
    const rest = await cli(["replay", "specs", dlq]);
    expect(rest.code, rest.stderr).toBe(0);
    await eventually(
      async () => (await Promise.all(["a", "b", "c"].map((k) => p.get(k)))).every((v) => v === 14n),
      30_000,
      "the replayed 13s processed",
    );

    // Replayed once: a third run sends nothing, and nothing failed again.
    const again = await cli(["replay", "specs", dlq]);
    expect(again.code, again.stderr).toBe(0);
    expect(await letters()).toBe(3);
    expect(await inputCount()).toBe(9);
    expect(await Promise.all(["a", "b", "c"].map((k) => p.get(k)))).toEqual([14n, 14n, 14n]);
    // The replayed messages kept their key, headers and partition; the gokac.error.* headers are gone.
    const reader = await broker.reader(input.name, partitionForKey("a", 2), 0);
    const back = (await reader.next(2_000)).filter((m) => m.key === "a");
    await reader.close();
    expect(back.map((m) => codecs.int64.decode(m.value!))).toEqual([1n, 13n, 13n]);
    expect(Object.keys(back[2]!.headers)).toEqual(["trace"]);
  });

  it("refuses a bad --max (exit 2) and an unknown topic (exit 1)", async () => {
    expect((await cli(["replay", "specs", "whatever", "--max", "0"])).code).toBe(2);
    expect((await cli(["replay", "specs", unique("no-such-dlq")])).code).toBe(1);
  });
});
