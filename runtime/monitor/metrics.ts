/**
 * The contract's Prometheus metrics (prom-client), fed by the observers'
 * per-batch and per-event hooks; gauges are computed when scraped. Each
 * monitor has its own registry, with Node's default process metrics.
 */
import { createRequire } from "node:module";
import type * as PromClient from "prom-client";
import type { Counter, Histogram, Registry } from "prom-client";
import { PARTITION_STATES, type ProcessorObserver } from "./observer.js";

/** Handler time buckets in seconds: 10 µs to 10 s. */
const DURATION_BUCKETS = [0.00001, 0.00005, 0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10];

/** Creates the registry with every gokac metric over `observers`. */
export function createMetricsRegistry(
  observers: readonly ProcessorObserver[],
  options: { readonly defaultMetrics?: boolean } = {},
): Registry {
  // prom-client (and the OpenTelemetry API under it, 80-odd modules) loads with the first monitor, not with
  // the runtime: processes without one, and every start-up, skip it. CommonJS, so it loads synchronously.
  const prom = createRequire(import.meta.url)("prom-client") as typeof PromClient;
  const registry = new prom.Registry();
  if (options.defaultMetrics !== false) prom.collectDefaultMetrics({ register: registry });
  const registers = [registry];

  const processed = new prom.Counter({
    name: "gokac_messages_processed_total",
    help: "Input messages handled",
    labelNames: ["group", "topic", "partition"],
    registers,
  });
  const emitted = new prom.Counter({
    name: "gokac_messages_emitted_total",
    help: "Records sent by handlers (emits and loopbacks)",
    labelNames: ["group", "partition"],
    registers,
  });
  const failed = new prom.Counter({
    name: "gokac_messages_failed_total",
    help: "Messages whose handling failed, by failure policy",
    labelNames: ["group", "topic", "partition", "policy"],
    registers,
  });
  const duration = new prom.Histogram({
    name: "gokac_handler_duration_seconds",
    help: "Handler time per message: each batch observes the mean of its messages",
    labelNames: ["group", "topic"],
    buckets: DURATION_BUCKETS,
    registers,
  });
  const commits = new prom.Counter({
    name: "gokac_commits_total",
    help: "Input offset commits",
    labelNames: ["group", "partition"],
    registers,
  });
  const rebalances = new prom.Counter({
    name: "gokac_rebalances_total",
    help: "Partition assignments received",
    labelNames: ["group"],
    registers,
  });

  new prom.Gauge({
    name: "gokac_consumer_lag_messages",
    help: "Input messages not yet handled (high watermark minus position), sampled",
    labelNames: ["group", "topic", "partition"],
    registers,
    collect() {
      this.reset();
      for (const o of observers)
        for (const l of o.lags()) this.set({ group: o.group, topic: l.topic, partition: String(l.partition) }, l.lag);
    },
  });
  new prom.Gauge({
    name: "gokac_partition_state",
    help: "1 for the partition's current state, 0 for the others",
    labelNames: ["group", "partition", "state"],
    registers,
    collect() {
      this.reset();
      for (const o of observers) {
        for (const [partition, current] of o.states()) {
          for (const state of PARTITION_STATES)
            this.set({ group: o.group, partition: String(partition), state }, state === current ? 1 : 0);
        }
      }
    },
  });
  new prom.Gauge({
    name: "gokac_recovery_remaining_messages",
    help: "Changelog offsets left to recover per table partition",
    labelNames: ["group", "topic", "partition"],
    registers,
    collect() {
      this.reset();
      for (const o of observers)
        for (const r of o.recoveries()) this.set({ group: o.group, topic: r.topic, partition: String(r.partition) }, r.remaining);
    },
  });
  new prom.Gauge({
    name: "gokac_recovery_eta_seconds",
    help: "Estimated seconds until the table partition is recovered (absent until a rate is known)",
    labelNames: ["group", "topic", "partition"],
    registers,
    collect() {
      this.reset();
      for (const o of observers) {
        for (const r of o.recoveries())
          if (r.etaSeconds !== undefined) this.set({ group: o.group, topic: r.topic, partition: String(r.partition) }, r.etaSeconds);
      }
    },
  });
  new prom.Gauge({
    name: "gokac_table_keys",
    help: "Keys in the local group table partition (estimate: counted by a periodic scan)",
    labelNames: ["group", "topic", "partition"],
    registers,
    collect() {
      this.reset();
      for (const o of observers) {
        if (o.table === undefined) continue;
        for (const [partition, n] of o.tableKeys()) this.set({ group: o.group, topic: o.table, partition: String(partition) }, n);
      }
    },
  });

  for (const o of observers) {
    const group = o.group;
    // Label children cached per topic and partition: a batch costs a map lookup, not a label hash.
    const children = new Map<string, { processed: Counter.Internal; emitted: Counter.Internal; duration: Histogram.Internal<string> }>();
    o.hooks.batch = (topic, partition, n, out, handlerSeconds) => {
      const key = `${topic}\u0000${partition}`;
      let c = children.get(key);
      if (c === undefined) {
        c = {
          processed: processed.labels({ group, topic, partition: String(partition) }),
          emitted: emitted.labels({ group, partition: String(partition) }),
          duration: duration.labels({ group, topic }),
        };
        children.set(key, c);
      }
      if (n > 0) {
        c.processed.inc(n);
        c.duration.observe(handlerSeconds / n);
      }
      if (out > 0) c.emitted.inc(out);
    };
    o.hooks.commit = (partition) => commits.inc({ group, partition: String(partition) });
    o.hooks.rebalance = () => rebalances.inc({ group });
    o.hooks.failure = (e) => {
      if (e.topic !== undefined && e.partition !== undefined && e.topic !== "")
        failed.inc({ group, topic: e.topic, partition: String(e.partition), policy: e.policy });
    };
    rebalances.inc({ group }, 0);
  }
  return registry;
}
