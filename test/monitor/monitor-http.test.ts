/** The monitor's HTTP endpoints against a processor on the in-memory broker. */
import { afterEach, describe, expect, it } from "vitest";
import { createEmitter, createMemoryStorage, createProcessor, parseHostPort, RuntimeOptionsError, startMonitor } from "gokac/runtime";
import { clicks, counterGroup } from "../runtime/groups.js";
import { BIG, startMonitoredCounter, type MonitoredCounter } from "./fixture.js";

let running: MonitoredCounter | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function get(base: string, path: string): Promise<{ status: number; type: string; text: string }> {
  const res = await fetch(base + path);
  return { status: res.status, type: res.headers.get("content-type") ?? "", text: await res.text() };
}

/** The value of a metric line `name{labels} value` whose labels include all of `labels`. */
function metric(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split("\n")) {
    if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) continue;
    const wanted = Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`));
    if (wanted) return Number(line.slice(line.lastIndexOf(" ") + 1));
  }
  return undefined;
}

const CONTRACT_METRICS = [
  "gokac_messages_processed_total",
  "gokac_messages_failed_total",
  "gokac_handler_duration_seconds",
  "gokac_consumer_lag_messages",
  "gokac_partition_state",
  "gokac_recovery_remaining_messages",
  "gokac_recovery_eta_seconds",
  "gokac_commits_total",
  "gokac_rebalances_total",
  "gokac_table_keys",
];

describe("monitor HTTP", () => {
  it("is not ready before start, ready once every partition runs, and healthy", async () => {
    running = await startMonitoredCounter({ start: false });
    const base = running.monitor.url;
    expect(running.monitor.address.port).toBeGreaterThan(0);
    const before = await get(base, "/readyz");
    expect(before.status).toBe(503);
    expect(before.text).toContain("processor idle");
    await running.processor.start();
    expect((await get(base, "/readyz")).status).toBe(200);
    expect((await get(base, "/healthz")).status).toBe(200);
    const status = running.monitor.status();
    expect(status.ready).toBe(true);
    expect(status.groups[0]!.partitions.map((p) => [p.partition, p.state])).toEqual([
      [0, "running"],
      [1, "running"],
      [2, "running"],
      [3, "running"],
    ]);
    expect(status.groups[0]!.lastRebalance?.assigned).toEqual([0, 1, 2, 3]);
  });

  it("serves the contract's metrics with group, topic and partition labels", async () => {
    running = await startMonitoredCounter();
    const keys = Array.from({ length: 40 }, (_, i) => `user-${i}`);
    await running.click(keys);
    await running.click(keys.slice(0, 10));
    const res = await get(running.monitor.url, "/metrics");
    expect(res.status).toBe(200);
    expect(res.type).toContain("text/plain");
    for (const name of CONTRACT_METRICS) expect(res.text, name).toContain(`# TYPE ${name} `);
    // Node's default process metrics.
    expect(res.text).toContain("# TYPE process_cpu_user_seconds_total counter");
    let processed = 0;
    for (const partition of ["0", "1", "2", "3"])
      processed += metric(res.text, "gokac_messages_processed_total", { group: "counter", topic: "clicks", partition }) ?? 0;
    expect(processed).toBe(50);
    expect(metric(res.text, "gokac_handler_duration_seconds_count", { group: "counter", topic: "clicks" })).toBeGreaterThan(0);
    for (const partition of ["0", "1", "2", "3"]) {
      expect(metric(res.text, "gokac_partition_state", { partition, state: "running" })).toBe(1);
      expect(metric(res.text, "gokac_partition_state", { partition, state: "recovering" })).toBe(0);
    }
    expect(metric(res.text, "gokac_rebalances_total", { group: "counter" })).toBe(1);
    expect(metric(res.text, "gokac_recovery_remaining_messages", { group: "counter", topic: "counter-table", partition: "0" })).toBe(0);
    // Commits are not awaited by the pipeline; they arrive soon after.
    await expect
      .poll(async () => metric((await get(running!.monitor.url, "/metrics")).text, "gokac_commits_total", { group: "counter" }) ?? 0)
      .toBeGreaterThan(0);
    // Lag comes from the broker's high watermarks: everything sent was handled.
    const lags = res.text.split("\n").filter((l) => l.startsWith("gokac_consumer_lag_messages{"));
    expect(lags.length).toBeGreaterThan(0);
    for (const l of lags) expect(l.endsWith(" 0")).toBe(true);
    // Table keys, from the periodic count (every 100 ms here).
    await expect
      .poll(async () => {
        const text = (await get(running!.monitor.url, "/metrics")).text;
        return ["0", "1", "2", "3"].reduce(
          (n, partition) => n + (metric(text, "gokac_table_keys", { topic: "counter-table", partition }) ?? 0),
          0,
        );
      })
      .toBe(40);
    const status = running.monitor.status().groups[0]!;
    expect(status.totals.processed).toBe(50);
    expect(status.totals.emitted).toBe(50);
  });

  it("reads table keys as JSON: int64 with every digit, null when absent, 404 for an unknown table", async () => {
    running = await startMonitoredCounter();
    await running.click(["alice", "alice", "big"]);
    const base = running.monitor.url;
    const alice = await get(base, "/api/tables/counter-table/alice");
    expect(alice.status).toBe(200);
    expect(alice.type).toContain("application/json");
    expect(alice.text).toBe("2");
    expect((await get(base, "/api/tables/counter-table/big")).text).toBe(BIG.toString());
    expect((await get(base, "/api/tables/counter-table/nobody")).text).toBe("null");
    const spaced = await get(base, `/api/tables/counter-table/${encodeURIComponent("a b/c")}`);
    expect([spaced.status, spaced.text]).toEqual([200, "null"]);
    const unknown = await get(base, "/api/tables/nope/alice");
    expect(unknown.status).toBe(404);
    expect(JSON.parse(unknown.text)).toMatchObject({ error: "unknown-table", tables: ["counter-table"] });
    expect((await get(base, "/nothing-here")).status).toBe(404);
  });

  it("reports a failed processor: /healthz 500, the failure counted with its policy and coordinates", async () => {
    running = await startMonitoredCounter();
    await running.click(["a"]);
    const emitter = createEmitter(running.broker, clicks);
    await emitter.emit("bomb", "x");
    await emitter.close();
    expect(await running.processor.done).toBeInstanceOf(Error);
    const health = await get(running.monitor.url, "/healthz");
    expect(health.status).toBe(500);
    const metrics = (await get(running.monitor.url, "/metrics")).text;
    expect(metric(metrics, "gokac_messages_failed_total", { group: "counter", topic: "clicks", policy: "fail" })).toBe(1);
    const errors = running.monitor.status().groups[0]!.errors;
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ kind: "handler", policy: "fail", topic: "clicks", key: "bomb" });
    expect(running.monitor.status().healthy).toBe(false);
  });

  it("shows recovery progress of a processor recovering an existing table", async () => {
    running = await startMonitoredCounter();
    await running.click(Array.from({ length: 30 }, (_, i) => `k${i}`));
    await running.processor.stop();
    // A second instance with empty local storage recovers the table from its changelog.
    const second = createProcessor(counterGroup(undefined, 4), { broker: running.broker, storage: createMemoryStorage() });
    const monitor = await startMonitor({ processors: [second], broker: running.broker, port: 0 });
    try {
      await second.start();
      const partitions = monitor.status().groups[0]!.partitions;
      const recovered = partitions.flatMap((p) => p.recovery);
      expect(recovered.map((r) => r.topic)).toEqual(["counter-table", "counter-table", "counter-table", "counter-table"]);
      expect(recovered.every((r) => r.done && r.progress === 1 && r.remaining === 0)).toBe(true);
      expect(recovered.reduce((n, r) => n + r.hwm, 0)).toBe(30);
      expect((await get(monitor.url, "/api/tables/counter-table/k7")).text).toBe("1");
    } finally {
      await monitor.close();
      await second.stop();
    }
  });

  it("parses HOST:PORT and rejects anything else", () => {
    expect(parseHostPort("127.0.0.1:0")).toEqual({ host: "127.0.0.1", port: 0 });
    expect(parseHostPort("[::1]:8080")).toEqual({ host: "::1", port: 8080 });
    expect(parseHostPort(":9464")).toEqual({ host: "0.0.0.0", port: 9464 });
    expect(() => parseHostPort("localhost")).toThrow(RuntimeOptionsError);
    expect(() => parseHostPort("h:70000")).toThrow(RuntimeOptionsError);
  });
});
