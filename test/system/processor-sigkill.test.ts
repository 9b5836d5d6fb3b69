/**
 * A processor process killed with SIGKILL mid-stream and restarted from the
 * same state folder loses no input: every key's count ends at least at the
 * number of messages sent for it (at-least-once may count some twice).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { codecs, defineTopic } from "gokac/runtime";
import { afterAll, expect, it } from "vitest";
import { createKafkaBroker } from "../../runtime/broker/kafka/index.js";
import { describeKafka, eventually, kafkaBrokers, repoRoot, unique } from "./kafka-env.js";
import { emitterOf, openView } from "./runtime-adapter.js";

function startChild(args: string[]): { child: ChildProcess; running: Promise<void> } {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "--conditions=source", join(repoRoot, "test/system/fixtures/counter-processor.ts"), ...args],
    {
      cwd: repoRoot,
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const running = new Promise<void>((resolve, reject) => {
    child.stdout?.on("data", (d: Buffer) => d.toString().includes("running") && resolve());
    child.on("exit", (code) => reject(new Error(`processor exited (${code}) before running: ${stderr}`)));
  });
  return { child, running };
}

describeKafka("processor killed with SIGKILL", () => {
  const children: ChildProcess[] = [];
  const state = mkdtempSync(join(tmpdir(), "gokac-kill-"));
  afterAll(() => {
    for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
    rmSync(state, { recursive: true, force: true });
  });

  it("restarts without losing input; the table is at least the fold of the inputs", { timeout: 180_000 }, async () => {
    const broker = createKafkaBroker({ brokers: kafkaBrokers() });
    const input = defineTopic(unique("kill-in"), codecs.string);
    const group = unique("kill");
    await broker.createTopic({ topic: input.name, partitions: 4, compacted: false });
    const emitter = emitterOf(broker, input);
    const keys = Array.from({ length: 50 }, (_, i) => `k${i}`);
    const rounds = 40;
    const table = defineTopic(`${group}-table`, codecs.int64);

    const first = startChild([kafkaBrokers(), input.name, group, state]);
    children.push(first.child);
    await first.running;
    const sending = (async () => {
      for (let r = 0; r < rounds; r++) await Promise.all(keys.map((k) => emitter.emit(k, "x")));
    })();
    // Kill it once it has visibly made progress, while input is still arriving.
    const view = await openView(broker, table);
    await eventually(async () => ((await view.get("k0")) ?? 0n) >= 5n, 60_000, "some progress");
    first.child.kill("SIGKILL");
    await sending;
    await emitter.close();

    const second = startChild([kafkaBrokers(), input.name, group, state]);
    children.push(second.child);
    await second.running;
    await eventually(
      async () => (await Promise.all(keys.map((k) => view.get(k)))).every((v) => (v ?? 0n) >= BigInt(rounds)),
      90_000,
      "all input counted",
    );
    second.child.kill("SIGTERM");
    await new Promise((resolve) => second.child.once("exit", resolve));
    expect(second.child.exitCode).toBe(0);
    await view.stop();
    await broker.close();
  });
});
