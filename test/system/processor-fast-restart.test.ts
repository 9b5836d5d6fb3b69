/**
 * A processor killed with SIGKILL and restarted from the same state folder
 * runs its partitions again within seconds: it rejoins its group under the
 * dead process's member id (kept in the state folder) instead of waiting for
 * the dead member's 30 s session timeout.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { createKafkaBroker } from "../../runtime/broker/kafka/index.js";
import { describeKafka, kafkaBrokers, repoRoot, unique } from "./kafka-env.js";

/** Starts the fixture; `running` resolves with the milliseconds from spawn to "running" and the partitions it printed. */
function startChild(args: string[]): { child: ChildProcess; running: Promise<{ ms: number; partitions: string; inProcessMs: number }> } {
  const started = Date.now();
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "--conditions=source", join(repoRoot, "test/system/fixtures/restart-processor.ts"), ...args],
    {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stderr = "";
  let stdout = "";
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const running = new Promise<{ ms: number; partitions: string; inProcessMs: number }>((resolve, reject) => {
    child.stdout?.on("data", (d: Buffer) => {
      stdout += d.toString();
      const m = /running (\S*) (\d+)\n/.exec(stdout);
      if (m !== null) resolve({ ms: Date.now() - started, partitions: m[1] ?? "", inProcessMs: Number(m[2]) });
    });
    child.on("exit", (code) => reject(new Error(`processor exited (${code}) before running: ${stderr}`)));
  });
  return { child, running };
}

describeKafka("processor restarted after SIGKILL", () => {
  const children: ChildProcess[] = [];
  const state = mkdtempSync(join(tmpdir(), "gokac-restart-"));
  afterAll(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    rmSync(state, { recursive: true, force: true });
  });

  it("runs its partitions again within seconds, not after the session timeout", { timeout: 120_000 }, async () => {
    const broker = createKafkaBroker({ brokers: kafkaBrokers() });
    const input = unique("restart-in");
    const group = unique("restart");
    await broker.createTopic({ topic: input, partitions: 4, compacted: false });
    await broker.close();
    const args = [kafkaBrokers(), input, group, state];

    const first = startChild(args);
    children.push(first.child);
    const firstRun = await first.running;
    expect(firstRun.partitions).toBe("0,1,2,3");
    // The first process must have heartbeated as a full member before it dies.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    first.child.kill("SIGKILL");
    await new Promise((resolve) => first.child.once("exit", resolve));

    const times: number[] = [];
    const inProcess: number[] = [];
    let previous = first.child;
    for (let round = 0; round < 2; round++) {
      const next = startChild(args);
      children.push(next.child);
      const run = await next.running;
      times.push(run.ms);
      inProcess.push(run.inProcessMs);
      expect(run.partitions).toBe("0,1,2,3");
      previous = next.child;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      previous.kill("SIGKILL");
      await new Promise((resolve) => previous.once("exit", resolve));
    }
    console.log(
      `restart after SIGKILL: spawn to running ${times.join(" ms, ")} ms; of which node+tsx start-up excluded ${inProcess.join(" ms, ")} ms (first start ${firstRun.ms} ms / ${firstRun.inProcessMs} ms; session timeout 30000 ms)`,
    );
    for (const ms of times) expect(ms).toBeLessThan(10_000);
    for (const ms of inProcess) expect(ms).toBeLessThan(5_000);
  });
});
