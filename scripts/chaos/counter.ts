/**
 * One processor instance of the chaos suite's counting group, as its own process:
 *   node --import tsx --conditions=source scripts/chaos/counter.ts <brokers> <input> <group> <stateDir> <guarantee>
 * Counts input messages per key in `<group>-table` until SIGTERM/SIGINT. Prints one JSON line per
 * event on stdout (`ChaosEvent`), with the wall-clock time, so the suite can measure pauses and
 * takeovers across instances.
 */
import { codecs, createKafkaBroker, createProcessor, defineGroup } from "gokac/runtime";
import type { Guarantee } from "gokac/runtime";

/** A line of a chaos counter's stdout. */
export type ChaosEvent =
  | { readonly t: number; readonly e: "running" }
  | { readonly t: number; readonly e: "batch"; readonly p: number; readonly n: number }
  | { readonly t: number; readonly e: "assigned" | "revoked"; readonly ps: readonly number[] }
  | { readonly t: number; readonly e: "state"; readonly s: string; readonly p?: number }
  | { readonly t: number; readonly e: "failed"; readonly error: string }
  /** Still alive 5 s after the broker closed: what keeps it (`process.getActiveResourcesInfo()` and the live handles). */
  | { readonly t: number; readonly e: "lingering"; readonly resources: readonly string[] }
  /** Exactly-once: a failed transaction settled (`o`: committed, resent, abandoned or failed) after `ms`, in `steps` (`reinitialize 1200 ok`, …). */
  | {
      readonly t: number;
      readonly e: "tx";
      readonly p: number;
      readonly o: string;
      readonly ms: number;
      readonly steps: readonly string[];
    };

const say = (event: ChaosEvent) => process.stdout.write(`${JSON.stringify(event)}\n`);

const [brokers, input, group, stateDir, guarantee] = process.argv.slice(2);
if (brokers === undefined || input === undefined || group === undefined || stateDir === undefined) {
  process.stderr.write("usage: counter.ts <brokers> <input> <group> <stateDir> [at-least-once|exactly-once]\n");
  process.exit(2);
}
const definition = defineGroup<bigint>(
  {
    group,
    inputs: [{ topics: [input], codec: codecs.string, handler: "onInput" }],
    persist: { codec: codecs.int64 },
    ...(guarantee === "exactly-once" ? { guarantee: "exactly-once" as Guarantee } : {}),
  },
  {
    onInput: async (ctx: { value(): Promise<bigint | undefined> | bigint | undefined; setValue(v: bigint): void }) => {
      ctx.setValue(((await ctx.value()) ?? 0n) + 1n);
    },
  },
);
// A short session (bench/chaos.ts SESSION_TIMEOUT_S): a SIGKILLed instance's partitions move after 6 s, not 30 s.
const broker = createKafkaBroker({ brokers, group: { sessionTimeoutMs: 6_000 } });
const processor = createProcessor(definition, { broker, stateDir });
processor.on("batch", (b) => b.processed > 0 && say({ t: Date.now(), e: "batch", p: b.partition, n: b.processed }));
processor.on("rebalance", (r) => {
  if (r.assigned !== undefined) say({ t: Date.now(), e: "assigned", ps: r.assigned });
  if (r.revoked !== undefined) say({ t: Date.now(), e: "revoked", ps: r.revoked });
});
processor.on("transaction-retry", (r) =>
  say({
    t: Date.now(),
    e: "tx",
    p: r.partition,
    o: r.outcome,
    ms: r.ms,
    steps: r.steps.map((s) => `${s.step} ${s.ms} ${s.ok ? "ok" : "failed"}`),
  }),
);
processor.on("state", (st) => say({ t: Date.now(), e: "state", s: st.state, ...(st.partition === undefined ? {} : { p: st.partition }) }));
const stop = () => void processor.stop();
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
try {
  await processor.start();
  say({ t: Date.now(), e: "running" });
} catch (error) {
  say({ t: Date.now(), e: "failed", error: error instanceof Error ? error.message : String(error) });
}
const failure = await processor.done;
if (failure !== undefined) say({ t: Date.now(), e: "failed", error: failure.message });
await broker.close();
process.exitCode = failure === undefined ? 0 : 1;
// Nothing should keep the process alive now: if something does, say what (the suite reports slow exits).
setTimeout(() => {
  const sockets = (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().map((h) => {
    const socket = h as { constructor: { name: string }; remoteAddress?: string; remotePort?: number };
    return socket.remoteAddress === undefined
      ? socket.constructor.name
      : `${socket.constructor.name} ${socket.remoteAddress}:${socket.remotePort}`;
  });
  say({ t: Date.now(), e: "lingering", resources: [...process.getActiveResourcesInfo(), ...sockets] });
}, 5_000).unref();
