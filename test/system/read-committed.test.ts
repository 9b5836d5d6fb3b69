/**
 * Read committed on the real broker: a transactional kafkajs producer commits
 * some writes and aborts others (interleaved with plain writes); table
 * recovery (a view), a group's input and `gokac tail` see the committed and
 * plain records only, never an aborted one.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import kafkajs from "kafkajs";
import { codecs, defineGroup, defineTopic } from "gokac/runtime";
import { afterAll, expect, it } from "vitest";
import { createKafkaBroker } from "../../runtime/broker/kafka/index.js";
import { runGokac } from "../support/cli.js";
import { describeKafka, eventually, kafkaBrokers, repoRoot, unique } from "./kafka-env.js";
import { openView, startProcessor } from "./runtime-adapter.js";

/** Writes to `topic` (1 partition): committed a=1, b=1; aborted a=X, c=X; plain d=1; committed b=2; aborted e=X. */
async function writeMixedLog(topic: string): Promise<void> {
  const kafka = new kafkajs.Kafka({ brokers: kafkaBrokers().split(","), logLevel: kafkajs.logLevel.NOTHING });
  const tx = kafka.producer({ transactionalId: unique("rc-tx"), idempotent: true, maxInFlightRequests: 1 });
  const plain = kafka.producer();
  await Promise.all([tx.connect(), plain.connect()]);
  const send = async (entries: [string, string][], outcome: "commit" | "abort") => {
    const t = await tx.transaction();
    await t.send({ topic, messages: entries.map(([key, value]) => ({ key, value, partition: 0 })) });
    await (outcome === "commit" ? t.commit() : t.abort());
  };
  await send(
    [
      ["a", "1"],
      ["b", "1"],
    ],
    "commit",
  );
  await send(
    [
      ["a", "X"],
      ["c", "X"],
    ],
    "abort",
  );
  await plain.send({ topic, messages: [{ key: "d", value: "1", partition: 0 }] });
  await send([["b", "2"]], "commit");
  await send([["e", "X"]], "abort");
  await Promise.all([tx.disconnect(), plain.disconnect()]);
}

describeKafka("read committed", () => {
  const state = mkdtempSync(join(tmpdir(), "gokac-rc-"));
  afterAll(() => rmSync(state, { recursive: true, force: true }));

  it("table recovery, a group's input and gokac tail skip aborted transactions", { timeout: 120_000 }, async () => {
    const broker = createKafkaBroker({ brokers: kafkaBrokers() });
    const topic = defineTopic(unique("rc"), codecs.string);
    await broker.createTopic({ topic: topic.name, partitions: 1, compacted: false });
    await writeMixedLog(topic.name);

    // Table recovery (a view reads the topic as a table).
    const view = await openView(broker, topic);
    expect(await Promise.all(["a", "b", "c", "d", "e"].map((k) => view.get(k)))).toEqual(["1", "2", undefined, "1", undefined]);
    await view.stop();

    // A group's input: every message it sees is appended to its key's value.
    const seen = defineGroup<string>(
      {
        group: unique("rc-group"),
        inputs: [{ topics: [topic.name], codec: codecs.string, handler: "onInput" }],
        persist: { codec: codecs.string },
      },
      {
        onInput: async (ctx: { value(): Promise<string | undefined> | string | undefined; setValue(v: string): void }, msg: string) => {
          ctx.setValue(`${(await ctx.value()) ?? ""}${msg}`);
        },
      },
    );
    const processor = await startProcessor(seen, broker, join(state, "group"));
    await eventually(async () => (await processor.get("d")) === "1", 30_000, "the plain record handled");
    expect(await Promise.all(["a", "b", "c", "d", "e"].map((k) => processor.get(k)))).toEqual(["1", "12", undefined, "1", undefined]);
    await processor.stop();

    // gokac tail (raw values: the topic is not in the specs).
    const tailed = await runGokac(["tail", "specs", topic.name, "--timeout", "3", "--brokers", kafkaBrokers()], { cwd: repoRoot });
    expect(tailed.code, tailed.stderr).toBe(0);
    expect(tailed.stdout).toBe('a\t"1"\nb\t"1"\nd\t"1"\nb\t"2"\n');
    await broker.close();
  });
});
