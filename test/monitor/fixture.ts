/** A counter processor on the in-memory broker with a monitor attached, for the monitor tests. */
import {
  createEmitter,
  createMemoryBroker,
  createMemoryStorage,
  createProcessor,
  startMonitor,
  type MemoryBroker,
  type Monitor,
  type Processor,
} from "gokac/runtime";
import { clicks, counterGroup, counts, type CounterContext } from "../runtime/groups.js";

/** Above 2^53: prints wrong unless int64 values keep every digit. */
export const BIG = 9007199254740993n;

export interface MonitoredCounter {
  readonly broker: MemoryBroker;
  readonly processor: Processor<bigint>;
  readonly monitor: Monitor;
  /** Sends one click per key and waits until all are handled. */
  click(keys: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts the monitor, then the counter group (4 partitions) whose handler
 * counts clicks, stores `BIG` for key "big" and throws for key "bomb".
 */
export async function startMonitoredCounter(options: { start?: boolean } = {}): Promise<MonitoredCounter> {
  const broker = createMemoryBroker();
  await broker.createTopic({ topic: clicks.name, partitions: 4, compacted: false });
  await broker.createTopic({ topic: counts.name, partitions: 4, compacted: false });
  const processor = createProcessor(
    counterGroup((ctx: CounterContext) => {
      if (ctx.key === "bomb") throw new Error("boom");
      const next = ctx.key === "big" ? BIG : ((ctx.value() as bigint | undefined) ?? 0n) + 1n;
      ctx.setValue(next);
      ctx.emit("counts", ctx.key, next);
    }, 4),
    { broker, storage: createMemoryStorage() },
  );
  const monitor = await startMonitor({
    processors: [processor],
    broker,
    host: "127.0.0.1",
    port: 0,
    lagIntervalMs: 100,
    tableKeysIntervalMs: 100,
  });
  if (options.start !== false) await processor.start();
  const emitter = createEmitter(broker, clicks);
  let sent = 0;
  return {
    broker,
    processor,
    monitor,
    async click(keys) {
      for (const key of keys) await emitter.emit(key, "x");
      sent += keys.length;
      const deadline = Date.now() + 10_000;
      while (monitor.status().groups[0]!.totals.processed < sent) {
        if (Date.now() > deadline) throw new Error(`only ${monitor.status().groups[0]!.totals.processed} of ${sent} clicks handled`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async close() {
      await monitor.close();
      await processor.stop();
      await emitter.close();
    },
  };
}
