/**
 * `guarantee: exactly-once` through broker outages (issue 11), on a spare
 * single-node broker of its own (free ports; the shared broker is never
 * stopped). A counting group (table: count per key; output "<key>:<count>"
 * per message) runs in this process under steady load:
 *
 * 1. The broker stops for ~12 s mid-stream and starts again: the processor
 *    does not stop; afterwards the table equals the fold of the inputs
 *    exactly and a read-committed reader sees every count of every key
 *    exactly once (no duplicate, no gap).
 * 2. An outage longer than `maxOutageMs` stops the processor with
 *    BROKER_UNREACHABLE.
 * 3. On the shared broker, with failures injected around real transactions
 *    (an answer lost after a real commit; a failure before any commit): the
 *    retry settles them from the group's committed offsets (committed: not
 *    sent again; aborted: sent again), with the same exact results.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { codecs, createProcessor, defineGroup, defineTopic, type Processor } from "gokac/runtime";
import { afterAll, expect, it } from "vitest";
import { readToEnd } from "../../bench/lib/read-to-end.js";
import { createKafkaBroker } from "../../runtime/broker/kafka/index.js";
import type { Broker, TransactionalProducer } from "../../runtime/broker/port.js";
import { TransactionFailedError } from "../../runtime/broker/transaction-failure.js";
import { describeKafka, eventually, kafkaBrokers, spareKafka, unique, type SpareKafka } from "./kafka-env.js";
import { emitterOf, openView } from "./runtime-adapter.js";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const PARTITIONS = 4;
const KEYS = Array.from({ length: 20 }, (_, i) => `k${i}`);

interface Ctx {
  readonly key: string;
  value(): Promise<bigint | undefined> | bigint | undefined;
  setValue(v: bigint): void;
  emit(topic: string, key: string, value: string): void;
}

/**
 * The exactly-once counting group of test/system/fixtures/eos-counter-processor.ts, in this process.
 * A message with value "hold" waits in its handler for `gate.wait` (set by the test), with `gate.entered` called first.
 */
function counter(input: string, output: string, gate: { wait?: Promise<void>; entered?: () => void } = {}) {
  return defineGroup<bigint>(
    {
      group: unique("eos-outage"),
      guarantee: "exactly-once",
      inputs: [{ topics: [input], codec: codecs.string, handler: "onInput" }],
      persist: { codec: codecs.int64 },
      outputs: [{ topic: output, codec: codecs.string }],
    },
    {
      onInput: async (ctx: Ctx, value: string) => {
        if (value === "hold") {
          gate.entered?.();
          await gate.wait;
        }
        const count = ((await ctx.value()) ?? 0n) + 1n;
        ctx.setValue(count);
        ctx.emit(output, ctx.key, `${ctx.key}:${count}`);
      },
    },
  );
}

/** The codes of `error` and its causes. */
function codes(error: unknown): string[] {
  const found: string[] = [];
  for (
    let e: unknown = error, depth = 0;
    typeof e === "object" && e !== null && depth < 10;
    e = (e as { cause?: unknown }).cause, depth++
  ) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") found.push(code);
  }
  return found;
}

/**
 * Waits until the processor's table is the fold of `input` (read committed, as it is now), then checks that a
 * read-committed reader of `output` sees every count of every key exactly once; returns the input and output counts.
 */
async function checkExactlyOnce(
  brokers: string,
  processor: Processor<bigint>,
  input: string,
  output: string,
): Promise<{ inputs: number; outputs: number }> {
  // The oracle: the input as it is (an emit retried through an outage may have written a message twice: both count).
  const expected = new Map<string, number>();
  await readToEnd(brokers, input, (key) => expected.set(key, (expected.get(key) ?? 0) + 1));
  const inputs = [...expected.values()].reduce((a, b) => a + b, 0);
  const counts = async () => new Map(await Promise.all(KEYS.map(async (k) => [k, Number((await processor.get(k)) ?? 0n)] as const)));
  await eventually(
    async () => {
      const now = await counts();
      return KEYS.every((k) => now.get(k) === (expected.get(k) ?? 0));
    },
    120_000,
    "every input counted",
  );
  expect(await counts()).toEqual(new Map(KEYS.map((k) => [k, expected.get(k) ?? 0])));

  // Read committed: every count of every key exactly once.
  const byKey = new Map<string, number[]>();
  let outputs = 0;
  await readToEnd(brokers, output, (_, value) => {
    const [key, n] = (value?.toString("utf8") ?? "").split(":");
    byKey.set(key!, [...(byKey.get(key!) ?? []), Number(n)]);
    outputs++;
  });
  for (const [key, n] of expected)
    expect(
      byKey.get(key)?.sort((a, b) => a - b),
      key,
    ).toEqual(Array.from({ length: n }, (_, i) => i + 1));
  expect(outputs).toBe(inputs);
  return { inputs, outputs };
}

describeKafka("exactly-once through broker outages", () => {
  const state = mkdtempSync(join(tmpdir(), "gokac-eos-outage-"));
  const spares: SpareKafka[] = [];
  async function startSpare(name: string): Promise<SpareKafka> {
    const spare = spareKafka(`${name}-${process.pid}`);
    spares.push(spare);
    await spare.start();
    return spare;
  }
  afterAll(async () => {
    await Promise.allSettled(spares.map((s) => s.stop()));
    rmSync(state, { recursive: true, force: true });
  });

  it(
    "rides out a ~12 s broker stop under load: exact fold, every output exactly once, the processor never stops",
    { timeout: 360_000 },
    async () => {
      const spare = await startSpare("spare-eos-ride");
      // A short session: after the restart the old member registration expires in 10 s, not 30 s.
      const broker = createKafkaBroker({ brokers: spare.brokers, maxOutageMs: 120_000, group: { sessionTimeoutMs: 10_000 } });
      const input = defineTopic(unique("eos-outage-in"), codecs.string);
      const output = unique("eos-outage-out");
      await broker.createTopic({ topic: input.name, partitions: PARTITIONS, compacted: false });
      await broker.createTopic({ topic: output, partitions: PARTITIONS, compacted: false });
      const group = counter(input.name, output);
      const processor: Processor<bigint> = createProcessor(group, { broker, stateDir: join(state, group.graph.group) });
      const retries = new Map<string, number>();
      processor.on("transaction-retry", ({ outcome }) => retries.set(outcome, (retries.get(outcome) ?? 0) + 1));
      let rebalances = 0;
      processor.on("rebalance", ({ revoked }) => (rebalances += revoked !== undefined && revoked.length > 0 ? 1 : 0));
      await processor.start();
      let stoppedWith: Error | undefined | "running" = "running";
      void processor.done.then((error) => (stoppedWith = error));

      // Steady load: a message every 20 ms, round robin over the keys (the emitter rides the outage too).
      const emitter = emitterOf(broker, input);
      let loading = true;
      const load = (async () => {
        for (let seq = 0; loading; seq++) {
          await emitter.emit(KEYS[seq % KEYS.length]!, "x");
          await sleep(20);
        }
      })();

      await sleep(5_000);
      const stopAt = Date.now();
      await spare.stop(false);
      await sleep(Math.max(0, 12_000 - (Date.now() - stopAt)));
      await spare.start();
      const downMs = Date.now() - stopAt;
      await sleep(5_000);
      loading = false;
      await load;
      await emitter.close();

      const { inputs, outputs } = await checkExactlyOnce(spare.brokers, processor, input.name, output);
      console.log(
        `broker down (stop to ready again) ${downMs} ms; ${inputs} inputs, ${outputs} outputs read committed; ` +
          `failed transactions settled: ${JSON.stringify(Object.fromEntries(retries))}; ${rebalances} revocations`,
      );
      expect(stoppedWith).toBe("running");
      expect(inputs).toBeGreaterThan(50);
      await processor.stop();
      expect(await processor.done).toBeUndefined();
      await broker.close();
    },
  );

  it("an outage longer than maxOutageMs stops the exactly-once processor with BROKER_UNREACHABLE", { timeout: 360_000 }, async () => {
    const spare = await startSpare("spare-eos-max");
    const maxOutageMs = 8_000;
    const broker = createKafkaBroker({ brokers: spare.brokers, maxOutageMs, group: { sessionTimeoutMs: 10_000 } });
    const input = defineTopic(unique("eos-max-in"), codecs.string);
    const output = unique("eos-max-out");
    await broker.createTopic({ topic: input.name, partitions: 2, compacted: false });
    await broker.createTopic({ topic: output, partitions: 2, compacted: false });
    let release!: () => void;
    let entered!: () => void;
    const holding = new Promise<void>((resolve) => (entered = resolve));
    const gate = { wait: new Promise<void>((resolve) => (release = resolve)), entered };
    const group = counter(input.name, output, gate);
    const processor: Processor<bigint> = createProcessor(group, { broker, stateDir: join(state, group.graph.group) });
    const retries: string[] = [];
    processor.on("transaction-retry", ({ outcome }) => retries.push(outcome));
    await processor.start();
    const emitter = emitterOf(broker, input);
    for (let i = 0; i < 50; i++) await emitter.emit(`k${i % 5}`, "x");
    await eventually(async () => (await processor.get("k0")) === 10n, 30_000, "the inputs counted");

    // A batch is being handled when the broker goes: its transaction is sent into the outage.
    await emitter.emit("k0", "hold");
    await holding;
    await spare.stop(false);
    release();
    const error = await processor.done;
    console.log(
      `exactly-once processor stopped with codes ${codes(error).join(" <- ")}; the held batch's transaction: ${retries.join(", ")}`,
    );
    expect(error).toBeInstanceOf(Error);
    // The give-up itself (a member's) or the held batch's transaction given up (a produce failure caused by it).
    expect(codes(error)).toContain("BROKER_UNREACHABLE");
    // The held batch's transaction failed and was retried: given up with the allowance, or abandoned when another part gave up first.
    expect(retries.length).toBe(1);
    expect(["failed", "abandoned"]).toContain(retries[0]);
    // Nothing of it committed: k0 is still at 10 once the broker is back.
    await spare.start();
    const after = createKafkaBroker({ brokers: spare.brokers });
    const view = await openView(after, defineTopic(`${group.graph.group}-table`, codecs.int64));
    expect(await view.get("k0")).toBe(10n);
    await view.stop();
    await after.close();
    await processor.stop();
    await emitter.close().catch(() => undefined);
    await broker.close();
  });
  it(
    "injected failures around real transactions (answer lost after the commit; failed before it): settled, exact fold, outputs once",
    { timeout: 180_000 },
    async () => {
      const real = createKafkaBroker({ brokers: kafkaBrokers(), group: { sessionTimeoutMs: 10_000 } });
      let transactions = 0;
      const injected = { lost: 0, early: 0 };
      /** The real transactional producers, with every 5th batch's answer lost after its real commit, and every 7th failing before it. */
      const broker: Broker = {
        ...real,
        async transactionalProducer(id, options) {
          const inner: TransactionalProducer = await real.transactionalProducer!(id, options);
          // At most one injection per batch: its retry goes through untouched.
          let retry = false;
          return {
            async commit(records, offsets) {
              const n = offsets === undefined || retry ? 0 : ++transactions;
              retry = false;
              if (n > 0 && n % 7 === 0) {
                injected.early++;
                retry = true;
                throw new TransactionFailedError("outage", "unknown", new Error("injected: failed before the commit"));
              }
              const produced = await inner.commit(records, offsets);
              if (n > 0 && n % 5 === 0) {
                injected.lost++;
                retry = true;
                throw new TransactionFailedError("outage", "unknown", new Error("injected: answer lost"));
              }
              return produced;
            },
            recovery: inner.recovery!,
            close: () => inner.close(),
          };
        },
      };
      const input = defineTopic(unique("eos-inject-in"), codecs.string);
      const output = unique("eos-inject-out");
      await real.createTopic({ topic: input.name, partitions: PARTITIONS, compacted: false });
      await real.createTopic({ topic: output, partitions: PARTITIONS, compacted: false });
      const group = counter(input.name, output);
      const processor: Processor<bigint> = createProcessor(group, { broker, stateDir: join(state, group.graph.group) });
      const settled = new Map<string, number>();
      processor.on("transaction-retry", ({ outcome }) => settled.set(outcome, (settled.get(outcome) ?? 0) + 1));
      // A store written at a wrong changelog offset after a lost answer would show as another writer's records.
      let rebuilt = 0;
      processor.on("state-rebuilt", () => rebuilt++);
      await processor.start();
      let stoppedWith: Error | undefined | "running" = "running";
      void processor.done.then((error) => (stoppedWith = error));

      const emitter = emitterOf(real, input);
      for (let round = 0; round < 30; round++) {
        await Promise.all(KEYS.map((k) => emitter.emit(k, "x")));
        await sleep(100);
      }
      await emitter.close();
      const { inputs, outputs } = await checkExactlyOnce(kafkaBrokers(), processor, input.name, output);
      console.log(
        `${transactions} transactions with offsets, injected ${injected.lost} lost answers and ${injected.early} early failures; ` +
          `settled: ${JSON.stringify(Object.fromEntries(settled))}; ${inputs} inputs, ${outputs} outputs read committed`,
      );
      expect(stoppedWith).toBe("running");
      expect(rebuilt).toBe(0);
      // Both paths ran: a lost answer settles as committed (not sent again), an early failure as resent.
      expect(settled.get("committed")).toBe(injected.lost);
      expect(settled.get("resent")).toBe(injected.early);
      expect(injected.lost).toBeGreaterThan(0);
      expect(injected.early).toBeGreaterThan(0);
      await processor.stop();
      expect(await processor.done).toBeUndefined();
      await real.close();
    },
  );
});
