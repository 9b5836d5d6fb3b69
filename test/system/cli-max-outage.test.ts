/**
 * `gokac run --max-outage` end to end: a processor on a spare broker (free
 * ports) whose broker stops for longer than the allowance exits 1 with one
 * failure line naming BROKER_UNREACHABLE, within a bounded time after the
 * allowance; the broker coming back afterwards changes nothing. The runtime
 * side (riding out shorter outages, nothing lost) is in processor-outage-ride.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { gokac, startGokac, type GokacProcess } from "../support/gokac-process.js";
import { describeKafka, spareKafka } from "./kafka-env.js";

describeKafka("gokac run --max-outage", () => {
  const spare = spareKafka("spare-max-outage");
  const work = mkdtempSync(join(tmpdir(), "gokac-max-outage-"));
  let running: GokacProcess | undefined;
  afterAll(async () => {
    await running?.stop("SIGKILL");
    await spare.stop();
    rmSync(work, { recursive: true, force: true });
  }, 90_000);

  it("exits 1 with BROKER_UNREACHABLE once the cluster was unreachable longer than the allowance", { timeout: 300_000 }, async () => {
    await spare.start();
    const cluster = ["--brokers", spare.brokers];
    const topics = await gokac(["topics", "specs", "--create", ...cluster]);
    expect(topics.code, topics.stderr).toBe(0);
    running = startGokac(["run", "specs", "--group", "translator", "--state-dir", join(work, "state"), "--max-outage", "5s", ...cluster]);
    await running.waitFor("running", 120_000);

    // The outage starts somewhere during the stop (a controlled shutdown takes seconds): time from its start.
    const stoppedAt = Date.now();
    await spare.stop(false);
    const code = await running.exited;
    const after = Date.now() - stoppedAt;
    const output = running.output();
    running = undefined;
    expect(code, output).toBe(1);
    expect(output).toContain("[BROKER_UNREACHABLE]");
    // The allowance (5 s) plus detection and a bounded drain; far below the default allowance of minutes.
    expect(after).toBeGreaterThanOrEqual(5_000);
    expect(after).toBeLessThan(90_000);
    const failureLines = output.split("\n").filter((line) => line.includes("[BROKER_UNREACHABLE]"));
    expect(failureLines.length, output).toBeGreaterThanOrEqual(1);
    console.log(`gokac run exited ${code} ${after} ms after the broker stopped (--max-outage 5s)`);
  });
});
