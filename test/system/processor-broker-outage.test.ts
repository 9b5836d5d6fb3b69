/**
 * Goka's proc_disconnect and view_reconnect systemtests: a processor whose
 * broker disappears stops with an error instead of hanging; a view keeps
 * serving while its broker restarts and then catches up. Spare brokers, so
 * the shared one is not disturbed.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { codecs, defineGroup, defineTopic } from "gokac/runtime";
import { afterAll, expect, it } from "vitest";
import { createKafkaBroker } from "../../runtime/broker/kafka/index.js";
import { describeKafka, eventually, spareKafka, unique } from "./kafka-env.js";
import { emitterOf, openView, startProcessor } from "./runtime-adapter.js";

describeKafka("processor and view through broker outages", () => {
  const state = mkdtempSync(join(tmpdir(), "gokac-outage-"));
  const gone = spareKafka("spare-proc-gone");
  const restart = spareKafka("spare-view-restart");
  afterAll(async () => {
    await Promise.allSettled([gone.stop(), restart.stop()]);
    rmSync(state, { recursive: true, force: true });
  });

  it("a processor whose broker disappears stops with an error", { timeout: 180_000 }, async () => {
    await gone.start();
    // A short outage allowance (the default rides out minutes of it).
    const broker = createKafkaBroker({
      brokers: gone.brokers,
      group: { sessionTimeoutMs: 10_000, retries: 3 },
      readerFailAfterMs: 10_000,
      maxOutageMs: 10_000,
    });
    const input = defineTopic(unique("outage-in"), codecs.string);
    await broker.createTopic({ topic: input.name, partitions: 2, compacted: false });
    const group = defineGroup<string>(
      {
        group: unique("outage"),
        inputs: [{ topics: [input.name], codec: codecs.string, handler: "onInput" }],
        persist: { codec: codecs.string },
      },
      { onInput: (ctx: { setValue(v: string): void }, msg: string) => ctx.setValue(msg) },
    );
    const p = await startProcessor(group, broker, join(state, group.graph.group));
    await gone.stop(false);
    const started = Date.now();
    const error = await p.done;
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ code: "BROKER_UNREACHABLE" });
    expect(Date.now() - started).toBeLessThan(120_000);
    await broker.close().catch(() => undefined);
  });

  it("a view keeps serving during a broker restart and catches up afterwards", { timeout: 180_000 }, async () => {
    await restart.start();
    const broker = createKafkaBroker({ brokers: restart.brokers, readerFailAfterMs: 120_000 });
    const table = defineTopic(unique("outage-view") + "-table", codecs.string);
    await broker.createTopic({ topic: table.name, partitions: 2, compacted: true });
    const writer = emitterOf(broker, table);
    await writer.emit("a", "1");
    await writer.close();
    const view = await openView(broker, table);
    expect(await view.get("a")).toBe("1");
    await restart.stop(false);
    expect(await view.get("a")).toBe("1"); // served from the local copy while the broker is down
    await restart.start();
    const after = emitterOf(broker, table);
    await after.emit("a", "2");
    await after.emit("b", "3");
    await after.close();
    await eventually(async () => (await view.get("a")) === "2" && (await view.get("b")) === "3", 90_000, "the view to catch up");
    await view.stop();
    await broker.close();
  });
});
