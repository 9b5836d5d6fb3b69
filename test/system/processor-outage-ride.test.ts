/**
 * Broker outages (issue 10, part 5), on a spare broker of its own (free
 * ports) so the shared one keeps serving the other tests:
 *
 * 1. A processor under steady load rides out a 30 s broker stop: it
 *    reconnects, rejoins its group and goes on; at the end its table is the
 *    fold of every acknowledged input, nothing lost (doubles are allowed under
 *    at-least-once and reported).
 * 2. An outage longer than `maxOutageMs` stops every processor on the broker
 *    with `BROKER_UNREACHABLE`, within a bounded time.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { codecs, createProcessor, defineGroup, defineTopic, type Processor } from "gokac/runtime";
import { afterAll, expect, it } from "vitest";
import { createKafkaBroker } from "../../runtime/broker/kafka/index.js";
import { describeKafka, eventually, spareKafka, unique, type SpareKafka } from "./kafka-env.js";
import { emitterOf } from "./runtime-adapter.js";

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** A group that appends every input value (a sequence number) to its key's table value: `"3,17,42"`. */
function collector(input: string) {
  return defineGroup<string>(
    { group: unique("ride"), inputs: [{ topics: [input], codec: codecs.string, handler: "onInput" }], persist: { codec: codecs.string } },
    {
      onInput: async (ctx: { value(): Promise<string | undefined> | string | undefined; setValue(v: string): void }, msg: string) => {
        const before = await ctx.value();
        ctx.setValue(before === undefined ? msg : `${before},${msg}`);
      },
    },
  );
}

describeKafka("processors through broker outages", () => {
  const state = mkdtempSync(join(tmpdir(), "gokac-ride-"));
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

  it("a processor under load rides out a 30 s broker stop and loses nothing", { timeout: 300_000 }, async () => {
    const spare = await startSpare("spare-ride");
    // A short session: after the restart the crashed member's old registration expires in 10 s, not 30 s.
    const broker = createKafkaBroker({ brokers: spare.brokers, maxOutageMs: 120_000, group: { sessionTimeoutMs: 10_000 } });
    const input = defineTopic(unique("ride-in"), codecs.string);
    await broker.createTopic({ topic: input.name, partitions: 4, compacted: false });
    const group = collector(input.name);
    const processor: Processor<string> = createProcessor(group, { broker, stateDir: join(state, group.graph.group) });
    await processor.start();
    let stoppedWith: Error | undefined | "running" = "running";
    void processor.done.then((error) => (stoppedWith = error));

    // Steady load: one message every 20 ms over 20 keys; `sent` holds what the broker acknowledged.
    const keys = Array.from({ length: 20 }, (_, i) => `k${i}`);
    const sent = new Map<string, number[]>(keys.map((k) => [k, []]));
    const emitter = emitterOf(broker, input);
    let loading = true;
    let longestEmitMs = 0;
    const load = (async () => {
      for (let seq = 0; loading; seq++) {
        const key = keys[seq % keys.length]!;
        const t = Date.now();
        await emitter.emit(key, String(seq));
        longestEmitMs = Math.max(longestEmitMs, Date.now() - t);
        sent.get(key)!.push(seq);
        await sleep(20);
      }
    })();

    await sleep(5_000);
    const stopAt = Date.now();
    await spare.stop(false);
    await sleep(Math.max(0, 30_000 - (Date.now() - stopAt)));
    await spare.start();
    const downMs = Date.now() - stopAt;
    await sleep(5_000);
    loading = false;
    await load;
    await emitter.close();

    const table = async (key: string) =>
      ((await processor.get(key)) ?? "")
        .split(",")
        .filter((s) => s !== "")
        .map(Number);
    await eventually(
      async () => {
        for (const key of keys) {
          const seen = new Set(await table(key));
          if (!sent.get(key)!.every((seq) => seen.has(seq))) return false;
        }
        return true;
      },
      120_000,
      "every acknowledged input in the table",
    );
    let total = 0;
    let doubles = 0;
    let lost = 0;
    let unsent = 0;
    for (const key of keys) {
      const values = await table(key);
      const expected = new Set(sent.get(key));
      total += expected.size;
      doubles += values.length - new Set(values).size;
      lost += [...expected].filter((seq) => !values.includes(seq)).length;
      unsent += values.filter((seq) => !expected.has(seq)).length;
    }
    console.log(
      `broker down (stop to ready again) ${downMs} ms; ${total} inputs acknowledged, ${lost} lost, ${doubles} processed twice, longest emit ${longestEmitMs} ms`,
    );
    expect(lost).toBe(0);
    // Nothing appears that was never sent (a value is a sequence number the test sent).
    expect(unsent).toBe(0);
    expect(stoppedWith).toBe("running");
    expect(total).toBeGreaterThan(100);
    // Some inputs were sent while the broker was down: the emitter waited them out too.
    expect(longestEmitMs).toBeGreaterThan(20_000);
    await processor.stop();
    expect(await processor.done).toBeUndefined();
    await broker.close();
  });

  it(
    "an outage longer than maxOutageMs stops every processor with BROKER_UNREACHABLE, within a bounded time",
    { timeout: 240_000 },
    async () => {
      const spare = await startSpare("spare-outage-max");
      const maxOutageMs = 8_000;
      const broker = createKafkaBroker({ brokers: spare.brokers, maxOutageMs, group: { sessionTimeoutMs: 10_000 } });
      const input = defineTopic(unique("max-outage-in"), codecs.string);
      await broker.createTopic({ topic: input.name, partitions: 2, compacted: false });
      // Two groups on one broker, one of them busy when the broker goes: neither may hold up the other's stop.
      const groups = [collector(input.name), collector(input.name)];
      const processors = groups.map((g) => createProcessor<string>(g, { broker, stateDir: join(state, g.graph.group) }));
      await Promise.all(processors.map((p) => p.start()));
      const emitter = emitterOf(broker, input);
      for (let i = 0; i < 50; i++) await emitter.emit(`k${i % 5}`, String(i));
      await eventually(async () => (await processors[0]!.get("k0"))?.split(",").length === 10, 30_000, "the inputs processed");

      // The broker stops answering somewhere between stopping and stopped (a clean shutdown takes seconds).
      const stopping = Date.now();
      await spare.stop(false);
      const stoppedAt = Date.now();
      // Input sent into the outage: this emit fails with the same error once the allowance is spent.
      const lateEmit = emitter.emit("k0", "late").then(
        () => undefined,
        (error: unknown) => error,
      );
      const errors = await Promise.all(processors.map((p) => p.done));
      const stoppedAfterMs = Date.now() - stoppedAt;
      const sinceStoppingMs = Date.now() - stopping;
      const emitError = await lateEmit;
      console.log(
        `broker gone: processors stopped ${sinceStoppingMs} ms after the broker began stopping, ${stoppedAfterMs} ms after it was stopped (max outage ${maxOutageMs} ms); codes ${errors.map((e) => (e as { code?: string } | undefined)?.code).join(", ")}`,
      );
      for (const error of errors) {
        expect(error).toBeInstanceOf(Error);
        expect((error as { code?: string }).code).toBe("BROKER_UNREACHABLE");
      }
      expect((emitError as { code?: string } | undefined)?.code).toBe("BROKER_UNREACHABLE");
      // Not before the allowance (counted from the last contact, at most a heartbeat before the broker went).
      expect(sinceStoppingMs).toBeGreaterThanOrEqual(maxOutageMs - 1_500);
      expect(stoppedAfterMs).toBeLessThan(maxOutageMs + 30_000);
      const t = Date.now();
      await Promise.all(processors.map((p) => p.stop()));
      await emitter.close().catch(() => undefined);
      await broker.close();
      expect(Date.now() - t).toBeLessThan(10_000);
    },
  );
});
