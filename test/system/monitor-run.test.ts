/**
 * `gokac run --http 127.0.0.1:0 --log-level debug` on Kafka: the bound URL on
 * stderr, /readyz turning 200, the contract's metrics, a table read through
 * /api/tables, JSON log lines with the group's fields, a clean SIGTERM.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { gokac, startGokac, type GokacProcess } from "../support/gokac-process.js";
import { describeKafka, eventually, kafkaBrokers } from "./kafka-env.js";

describeKafka("gokac run --http", () => {
  const state = mkdtempSync(join(tmpdir(), "gokac-monitor-"));
  let running: GokacProcess | undefined;
  afterAll(async () => {
    await running?.stop("SIGKILL");
    rmSync(state, { recursive: true, force: true });
  });

  it("serves readiness, metrics and table reads of a running group", { timeout: 180_000 }, async () => {
    const brokers = ["--brokers", kafkaBrokers()];
    const word = `monitor-${Math.random().toString(36).slice(2, 8)}`;
    expect((await gokac(["topics", "specs", "--create", ...brokers])).code).toBe(0);
    running = startGokac([
      "run",
      "specs",
      "--group",
      "translator",
      "--state-dir",
      state,
      "--http",
      "127.0.0.1:0",
      "--log-level",
      "debug",
      ...brokers,
    ]);
    await running.waitFor("monitor on http://", 60_000);
    const url = /monitor on (http:\/\/127\.0\.0\.1:\d+)/.exec(running.output())?.[1];
    expect(url).toBeDefined();
    const base = url!;
    await eventually(async () => (await fetch(`${base}/readyz`)).status === 200, 120_000, "readiness");
    expect((await fetch(`${base}/healthz`)).status).toBe(200);

    expect((await gokac(["emit", "specs", "translate-word", word, "hallo", ...brokers])).code).toBe(0);
    await eventually(
      async () => (await (await fetch(`${base}/api/tables/translator-table/${word}`)).text()) === '"hallo"',
      60_000,
      "the translation through /api/tables",
    );
    expect(await (await fetch(`${base}/api/tables/translator-table/absent-${word}`)).text()).toBe("null");

    const metrics = await (await fetch(`${base}/metrics`)).text();
    for (const name of [
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
    ]) {
      expect(metrics).toContain(`# TYPE ${name} `);
    }
    expect(metrics).toMatch(/gokac_messages_processed_total\{group="translator",topic="translate-word",partition="\d+"\} [1-9]/);
    expect(metrics).toMatch(/gokac_partition_state\{group="translator",partition="\d+",state="running"\} 1/);

    // Logs: JSON lines (stdout is a pipe) with the group field; debug shows partition states.
    const logs = running
      .output()
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logs.some((l) => l.group === "translator" && l.state === "running" && typeof l.partition === "number")).toBe(true);
    expect(logs.every((l) => typeof l.level === "number" && typeof l.time === "number" && typeof l.msg === "string")).toBe(true);

    expect(await running.stop("SIGTERM")).toBe(0);
    running = undefined;
  });
});
