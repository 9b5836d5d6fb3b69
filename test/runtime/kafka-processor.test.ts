/**
 * The processor on a real broker through the Kafka port (gated on
 * GOKAC_BROKERS like the system tests): the same contract as on the memory
 * broker: tables, emits, commits, restart with incremental recovery.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  codecs,
  createEmitter,
  createKafkaBroker,
  createLevelStorage,
  createProcessor,
  createView,
  defineGroup,
  defineTopic,
  type BaseContext,
  type Broker,
  type EmitContext,
  type TableContext,
} from "gokac/runtime";
import { describeKafka, eventually, kafkaBrokers, unique } from "../system/kafka-env.js";

describeKafka("processor on Kafka", () => {
  let broker: Broker;
  let dir = "";
  beforeAll(async () => {
    broker = createKafkaBroker({
      brokers: kafkaBrokers(),
      clientId: "gokac-runtime-test",
      group: { sessionTimeoutMs: 6_000, heartbeatIntervalMs: 500, maxWaitMs: 200 },
    });
    dir = await mkdtemp(join(tmpdir(), "gokac-kafka-processor-"));
  });
  afterAll(async () => {
    await broker?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("counts per key, emits, commits, and recovers incrementally after a restart", async () => {
    const name = unique("rt-count");
    const input = defineTopic(`${name}-in`, codecs.string);
    const output = defineTopic(`${name}-out`, codecs.int64);
    await broker.createTopic({ topic: input.name, partitions: 4, compacted: false });
    await broker.createTopic({ topic: output.name, partitions: 4, compacted: false });
    type Ctx = BaseContext & TableContext<bigint> & EmitContext<Record<string, bigint>>;
    const group = defineGroup<bigint>(
      {
        group: name,
        inputs: [{ topics: [input.name], codec: input.codec, handler: "count" }],
        persist: { codec: codecs.int64 },
        outputs: [{ topic: output.name, codec: output.codec }],
      },
      {
        count(ctx: Ctx) {
          const next = ((ctx.value() as bigint | undefined) ?? 0n) + 1n;
          ctx.setValue(next);
          ctx.emit(output.name, ctx.key, next);
        },
      },
    );
    const emitter = createEmitter(broker, input);
    const keys = Array.from({ length: 20 }, (_, i) => `user-${i}`);
    await emitter.emitMany(Array.from({ length: 200 }, (_, i) => ({ key: keys[i % keys.length]!, value: "click" })));

    const first = createProcessor(group, { broker, storage: createLevelStorage(dir) });
    await first.start();
    await eventually(async () => (await first.get("user-3")) === 10n, 60_000, "the first 200 messages");
    for (const key of keys) expect(await first.get(key)).toBe(10n);
    await first.stop();
    expect(await first.done).toBeUndefined();
    let committed = 0;
    for (let p = 0; p < 4; p++) committed += (await broker.committedOffset(name, input.name, p)) ?? 0;
    expect(committed).toBe(200);

    await emitter.emitMany(keys.map((key) => ({ key, value: "again" })));
    const second = createProcessor(group, { broker, storage: createLevelStorage(dir) });
    let recovered = 0;
    second.on("recovered", (e) => (recovered += e.recovered));
    await second.start();
    expect(recovered).toBe(0);
    await eventually(async () => (await second.get("user-19")) === 11n, 60_000, "the next 20 messages");
    await second.stop();

    const view = createView(broker, group);
    await view.start();
    expect(await view.get("user-0")).toBe(11n);
    await view.stop();
    await emitter.close();
  });

  it("loops back across partitions and joins a copartitioned table", async () => {
    const name = unique("rt-loop");
    const follows = defineTopic(`${name}-follows`, codecs.string);
    const names = defineTopic(`${name}-names`, codecs.string);
    await broker.createTopic({ topic: follows.name, partitions: 3, compacted: false });
    await broker.createTopic({ topic: names.name, partitions: 3, compacted: false });
    await broker.createTopic({ topic: `${name}-names-table`, partitions: 3, compacted: true });
    const namesGroup = defineGroup<string>(
      { group: `${name}-names`, inputs: [{ topics: [names.name], codec: names.codec, handler: "set" }], persist: { codec: codecs.string } },
      { set: (ctx: BaseContext & TableContext<string>, msg: string) => ctx.setValue(msg) },
    );
    type Ctx = BaseContext & TableContext<string> & { loopback(key: string, value: string): void; join(table: string): unknown };
    const followers = defineGroup<string>(
      {
        group: name,
        inputs: [{ topics: [follows.name], codec: follows.codec, handler: "follow" }],
        persist: { codec: codecs.string },
        loop: { codec: codecs.string, handler: "followed" },
        joins: [{ table: `${name}-names-table`, codec: codecs.string }],
      },
      {
        follow(ctx: Ctx, followee: string) {
          ctx.loopback(followee, ctx.key);
        },
        async followed(ctx: Ctx, follower: string) {
          const display = ((await ctx.join(`${name}-names-table`)) as string | undefined) ?? ctx.key;
          ctx.setValue(
            `${display} <- ${[...(((await ctx.value()) as string | undefined) ?? "").split(" <- ").slice(1), follower].sort().join(",")}`,
          );
        },
      },
    );
    const namesProcessor = createProcessor(namesGroup, { broker, storage: createLevelStorage(join(dir, "names")) });
    const processor = createProcessor(followers, { broker, storage: createLevelStorage(join(dir, "followers")) });
    await namesProcessor.start();
    await createEmitter(broker, names).emit("star", "The Star");
    await eventually(async () => (await namesProcessor.get("star")) === "The Star", 60_000, "the name");
    await processor.start();
    const emitter = createEmitter(broker, follows);
    await emitter.emitMany([
      { key: "ann", value: "star" },
      { key: "bob", value: "star" },
    ]);
    await eventually(async () => (await processor.get("star")) === "The Star <- ann,bob", 60_000, "both followers");
    expect(await broker.partitionCount(`${name}-loop`)).toBe(3);
    await processor.stop();
    await namesProcessor.stop();
    expect(await processor.done).toBeUndefined();
    await emitter.close();
  });
});
