/** Structured logs: JSON lines off a terminal, readable lines on one, message coordinates as fields. */
import { describe, expect, it } from "vitest";
import { createEmitter, createLogger, createMemoryBroker, createMemoryStorage, createProcessor, logProcessorEvents } from "gokac/runtime";
import { clicks, counterGroup, counts, type CounterContext } from "../runtime/groups.js";

function capture(isTTY: boolean) {
  const lines: string[] = [];
  return { lines, output: { isTTY, write: (text: string) => lines.push(text) } };
}

describe("logs", () => {
  it("writes JSON lines off a terminal; a failed message's line carries group, topic, partition, offset and key", async () => {
    const out = capture(false);
    const logger = createLogger({ level: "debug", output: out.output });
    const broker = createMemoryBroker();
    await broker.createTopic({ topic: clicks.name, partitions: 2, compacted: false });
    await broker.createTopic({ topic: counts.name, partitions: 2, compacted: false });
    const processor = createProcessor(
      counterGroup((ctx: CounterContext) => {
        if (ctx.key === "bomb") throw new Error("boom");
      }, 2),
      { broker, storage: createMemoryStorage() },
    );
    logProcessorEvents(logger, processor);
    await processor.start();
    const emitter = createEmitter(broker, clicks);
    await emitter.emit("bomb", "x");
    await emitter.close();
    await processor.done;
    const records = out.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(records.some((r) => r.group === "counter" && r.state === "running" && r.partition === 0)).toBe(true);
    const failure = records.find((r) => r.level === 50);
    expect(failure).toMatchObject({ group: "counter", kind: "handler", topic: "clicks", offset: 0, key: "bomb" });
    expect(typeof failure?.partition).toBe("number");
  });

  it("writes readable lines on a terminal and respects the level", () => {
    const out = capture(true);
    const logger = createLogger({ level: "warn", output: out.output });
    logger.info("hidden");
    logger.warn({ group: "g", partition: 3 }, "shown");
    expect(out.lines).toHaveLength(1);
    // eslint-disable-next-line no-control-regex -- strips the terminal's colour escapes
    const plain = out.lines[0]!.replace(/\u001b\[[0-9;]*m/g, "");
    expect(plain).toMatch(/^\d\d:\d\d:\d\d\.\d{3} WARN {2}shown group=g partition=3\n$/);
  });

  it("rejects an unknown level", () => {
    expect(() => createLogger({ level: "loud" as never })).toThrow(TypeError);
  });
});
