/** Skipped and dead-lettered messages are never silent: a warn log line with their coordinates, the failure metric by policy, the monitor's error list. */
import { afterEach, describe, expect, it } from "vitest";
import {
  createEmitter,
  createLogger,
  createMemoryBroker,
  createMemoryStorage,
  createProcessor,
  defineGroup,
  logProcessorEvents,
  startMonitor,
  type Monitor,
  type Processor,
} from "gokac/runtime";
import { clicks, counterGroup, counts, type CounterContext } from "../runtime/groups.js";

let monitor: Monitor | undefined;
let processor: Processor<bigint> | undefined;
afterEach(async () => {
  await monitor?.close();
  await processor?.stop();
  monitor = undefined;
  processor = undefined;
});

describe("skipped and dead-lettered messages in logs and metrics", () => {
  it("each is logged at warn with its coordinates and counted with its policy; the processor stays healthy", async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: "info", output: { isTTY: false, write: (text) => lines.push(text) } });
    const broker = createMemoryBroker();
    await broker.createTopic({ topic: clicks.name, partitions: 2, compacted: false });
    await broker.createTopic({ topic: counts.name, partitions: 2, compacted: false });
    const base = counterGroup((ctx: CounterContext) => {
      if (ctx.key === "bomb") throw new Error("boom");
      ctx.setValue(((ctx.value() as bigint | undefined) ?? 0n) + 1n);
    }, 2);
    const group = defineGroup<bigint>({ ...base.graph, errors: { handler: "dead-letter" } }, base.handlers);
    processor = createProcessor(group, { broker, storage: createMemoryStorage() });
    logProcessorEvents(logger, processor);
    monitor = await startMonitor({ processors: [processor], broker, host: "127.0.0.1", port: 0 });
    await processor.start();
    const emitter = createEmitter(broker, clicks);
    await emitter.emit("bomb", "x");
    await emitter.emit("ok", "x");
    await emitter.close();
    await broker.idle();

    const warn = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((r) => r.level === 40);
    expect(warn).toMatchObject({ group: "counter", topic: "clicks", offset: 0, key: "bomb", kind: "handler", policy: "dead-letter" });
    const metrics = await (await fetch(`${monitor.url}/metrics`)).text();
    expect(metrics).toMatch(/gokac_messages_failed_total\{[^}]*policy="dead-letter"[^}]*\} 1/);
    expect(monitor.status().groups[0]!.errors).toMatchObject([{ kind: "handler", policy: "dead-letter", key: "bomb" }]);
    expect(monitor.status().healthy).toBe(true);
    expect(await processor.get("ok")).toBe(1n);
    expect(broker.messages("counter-dlq")).toHaveLength(1);
  });
});
