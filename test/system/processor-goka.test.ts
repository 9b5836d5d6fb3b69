/**
 * Goka's systemtests (lovoo/goka systemtest/) as behaviour, for gokac's
 * processor on a real broker: commits, failures, multi-topic inputs,
 * partition sharing and rebalancing, graceful stop/start under load,
 * topic creation and partition-count mismatches.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { codecs, defineGroup, defineTopic } from "gokac/runtime";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Broker } from "../../runtime/broker/port.js";
import { createKafkaBroker } from "../../runtime/broker/kafka/index.js";
import { describeKafka, eventually, kafkaBrokers, unique } from "./kafka-env.js";
import { emitterOf, openView, startProcessor } from "./runtime-adapter.js";

describeKafka("processor on Kafka (Goka's systemtests)", () => {
  let broker: Broker;
  let stateRoot: string;
  beforeAll(() => {
    broker = createKafkaBroker({ brokers: kafkaBrokers(), clientId: "gokac-systemtest" });
    stateRoot = mkdtempSync(join(tmpdir(), "gokac-state-"));
  });
  afterAll(async () => {
    await broker.close();
    rmSync(stateRoot, { recursive: true, force: true });
  });
  const stateDir = (name: string) => join(stateRoot, name);

  it("does not reprocess committed messages after three restarts", { timeout: 120_000 }, async () => {
    const input = defineTopic(unique("commit-in"), codecs.int64);
    await broker.createTopic({ topic: input.name, partitions: 4, compacted: false });
    const seen: bigint[] = [];
    const group = defineGroup(
      { group: unique("commit"), inputs: [{ topics: [input.name], codec: input.codec, handler: "onInput" }] },
      { onInput: (_ctx: unknown, msg: bigint) => void seen.push(msg) },
    );
    const emitter = emitterOf(broker, input);
    for (let i = 0; i < 10; i++) await emitter.emit(`k${i}`, BigInt(i));
    let p = await startProcessor(group, broker, stateDir(group.graph.group));
    await eventually(() => seen.length === 10, 30_000, "10 messages");
    for (let restart = 0; restart < 3; restart++) {
      await p.stop();
      p = await startProcessor(group, broker, stateDir(group.graph.group));
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(seen).toHaveLength(10);
    }
    await emitter.emit("k10", 10n);
    await emitter.close();
    await eventually(() => seen.length === 11, 30_000, "the new message");
    await p.stop();
    expect([...seen].sort((a, b) => Number(a - b))).toEqual(Array.from({ length: 11 }, (_, i) => BigInt(i)));
  });

  it("reprocesses only the failed message after a restart", { timeout: 120_000 }, async () => {
    const input = defineTopic(unique("fail-in"), codecs.int64);
    await broker.createTopic({ topic: input.name, partitions: 1, compacted: false });
    const seen: bigint[] = [];
    let failOn: bigint | undefined = 2n;
    const group = defineGroup(
      { group: unique("fail"), inputs: [{ topics: [input.name], codec: input.codec, handler: "onInput" }] },
      {
        onInput: (ctx: { fail(e: unknown): never }, msg: bigint) => {
          seen.push(msg);
          if (msg === failOn) ctx.fail(new Error("test failure"));
        },
      },
    );
    const emitter = emitterOf(broker, input);
    // Back to back, as in Goka (no waiting for message 1's commit): they usually arrive in one batch,
    // and the failure of message 2 still commits message 1.
    const first = await startProcessor(group, broker, stateDir(group.graph.group));
    await emitter.emit("key", 1n);
    await emitter.emit("key", 2n);
    await emitter.close();
    const error = await first.done;
    expect(error).toMatchObject({ name: "ProcessorError", offset: 1, kind: "handler" });
    expect(seen).toEqual([1n, 2n]);
    expect(await broker.committedOffset(group.graph.group, input.name, 0)).toBe(1);
    seen.length = 0;
    failOn = undefined;
    const second = await startProcessor(group, broker, stateDir(group.graph.group));
    await eventually(() => seen.includes(2n), 30_000, "the failed message again");
    await new Promise((resolve) => setTimeout(resolve, 500));
    await second.stop();
    expect(seen).toEqual([2n]);
  });

  it("adds up several input topics exactly, in the table and in a view", { timeout: 120_000 }, async () => {
    const inputs = Array.from({ length: 5 }, (_, i) => defineTopic(unique(`multi-in${i}`), codecs.int64));
    for (const t of inputs) await broker.createTopic({ topic: t.name, partitions: 1, compacted: false });
    const name = unique("multi");
    const table = defineTopic(`${name}-table`, codecs.int64);
    const group = defineGroup<bigint>(
      {
        group: name,
        inputs: [{ topics: inputs.map((t) => t.name), codec: codecs.int64, handler: "onInput" }],
        persist: { codec: codecs.int64 },
      },
      {
        onInput: async (ctx: { value(): Promise<bigint | undefined> | bigint | undefined; setValue(v: bigint): void }, msg: bigint) => {
          ctx.setValue(((await ctx.value()) ?? 0n) + msg);
        },
      },
    );
    const p = await startProcessor(group, broker, stateDir(name));
    const emitters = inputs.map((t) => emitterOf(broker, t));
    let sum = 0n;
    for (let i = 0; i < 200; i++) {
      const value = BigInt(Math.floor(Math.random() * 100));
      sum += value;
      await emitters[i % emitters.length]?.emit("key", value);
    }
    await Promise.all(emitters.map((e) => e.close()));
    const view = await openView(broker, table);
    await eventually(async () => (await view.get("key")) === sum, 30_000, `the sum ${sum}`).catch(async (error: unknown) => {
      throw new Error(`${String(error)}; the view has ${await view.get("key")}, the processor ${String(await p.get("key"))}`);
    });
    await view.stop();
    await p.stop();
  });

  it("two processors share 8 partitions 4/4, the survivor takes all 8, no state lost or doubled", { timeout: 180_000 }, async () => {
    const input = defineTopic(unique("share-in"), codecs.string);
    await broker.createTopic({ topic: input.name, partitions: 8, compacted: false });
    const name = unique("share");
    const table = defineTopic(`${name}-table`, codecs.int64);
    const byProcessor = new Map<string, Set<number>>();
    const counting = (who: string) =>
      defineGroup<bigint>(
        { group: name, inputs: [{ topics: [input.name], codec: codecs.string, handler: "onInput" }], persist: { codec: codecs.int64 } },
        {
          onInput: async (ctx: {
            partition: number;
            value(): Promise<bigint | undefined> | bigint | undefined;
            setValue(v: bigint): void;
          }) => {
            const set = byProcessor.get(who) ?? new Set<number>();
            set.add(ctx.partition);
            byProcessor.set(who, set);
            ctx.setValue(((await ctx.value()) ?? 0n) + 1n);
          },
        },
      );
    const a = await startProcessor(counting("a"), broker, stateDir(`${name}-a`));
    const b = await startProcessor(counting("b"), broker, stateDir(`${name}-b`));
    const emitter = emitterOf(broker, input);
    const keys = Array.from({ length: 64 }, (_, i) => `user-${i}`);
    const round = async () => {
      for (const key of keys) await emitter.emit(key, "click");
    };
    await new Promise((resolve) => setTimeout(resolve, 3_000)); // let the group settle on 4/4
    byProcessor.clear();
    await round();
    const view = await openView(broker, table);
    await eventually(async () => (await Promise.all(keys.map((k) => view.get(k)))).every((v) => v === 1n), 60_000, "round 1");
    expect(byProcessor.get("a")?.size).toBe(4);
    expect(byProcessor.get("b")?.size).toBe(4);
    expect([...(byProcessor.get("a") ?? [])].some((p) => byProcessor.get("b")?.has(p))).toBe(false);

    await b.stop();
    byProcessor.clear();
    await round();
    await eventually(async () => (await Promise.all(keys.map((k) => view.get(k)))).every((v) => v === 2n), 60_000, "round 2");
    expect(byProcessor.get("a")?.size).toBe(8);
    await emitter.close();
    await view.stop();
    await a.stop();
  });

  it("loses nothing through graceful stop/start cycles under load", { timeout: 180_000 }, async () => {
    const input = defineTopic(unique("cycle-in"), codecs.int64);
    await broker.createTopic({ topic: input.name, partitions: 4, compacted: false });
    const name = unique("cycle");
    const table = defineTopic(`${name}-table`, codecs.int64);
    const group = defineGroup<bigint>(
      { group: name, inputs: [{ topics: [input.name], codec: codecs.int64, handler: "onInput" }], persist: { codec: codecs.int64 } },
      {
        onInput: async (ctx: { value(): Promise<bigint | undefined> | bigint | undefined; setValue(v: bigint): void }, msg: bigint) => {
          ctx.setValue(((await ctx.value()) ?? 0n) + msg);
        },
      },
    );
    const emitter = emitterOf(broker, input);
    const keys = Array.from({ length: 20 }, (_, i) => `k${i}`);
    let producing = true;
    let sent = 0;
    const load = (async () => {
      while (producing) {
        await Promise.all(keys.map((k) => emitter.emit(k, 1n)));
        sent++;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    let p = await startProcessor(group, broker, stateDir(name));
    for (let cycle = 0; cycle < 4; cycle++) {
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await p.stop();
      p = await startProcessor(group, broker, stateDir(name));
    }
    producing = false;
    await load;
    await emitter.close();
    const view = await openView(broker, table);
    // Graceful stops commit what they processed: every key counted exactly once per round.
    await eventually(
      async () => (await Promise.all(keys.map((k) => view.get(k)))).every((v) => v === BigInt(sent)),
      60_000,
      `every key at ${sent}`,
    );
    await view.stop();
    await p.stop();
  });

  it("creates the group table and loop, and refuses copartitioned topics with different counts (GK501)", { timeout: 60_000 }, async () => {
    const four = defineTopic(unique("mismatch-four"), codecs.string);
    const eight = defineTopic(unique("mismatch-eight"), codecs.string);
    await broker.createTopic({ topic: four.name, partitions: 4, compacted: false });
    await broker.createTopic({ topic: eight.name, partitions: 8, compacted: false });
    const noop = () => undefined;
    const ok = defineGroup<string>(
      {
        group: unique("create"),
        inputs: [{ topics: [four.name], codec: codecs.string, handler: "onInput" }],
        persist: { codec: codecs.string },
        loop: { codec: codecs.string, handler: "loop" },
      },
      { onInput: noop, loop: noop },
    );
    const p = await startProcessor(ok, broker, stateDir(ok.graph.group));
    expect(await broker.partitionCount(`${ok.graph.group}-table`)).toBe(4);
    expect(await broker.isCompacted(`${ok.graph.group}-table`)).toBe(true);
    expect(await broker.partitionCount(`${ok.graph.group}-loop`)).toBe(4);
    await p.stop();

    const bad = defineGroup<string>(
      {
        group: unique("mismatch"),
        inputs: [{ topics: [four.name, eight.name], codec: codecs.string, handler: "onInput" }],
        persist: { codec: codecs.string },
      },
      { onInput: noop },
    );
    const failure = await startProcessor(bad, broker, stateDir(bad.graph.group)).then(
      async (running) => (await running.done) ?? new Error("no error"),
      (error: unknown) => error,
    );
    expect((failure as { code?: string }).code).toBe("GK501");
  });
});
