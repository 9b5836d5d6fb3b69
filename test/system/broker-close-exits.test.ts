/**
 * A process exits once it closed its gokac Kafka broker, even when kafkajs
 * was still retrying a request then: kafkajs connects again for such a
 * retry after its client disconnected, and that connection kept the process
 * alive for good (closable-sockets.ts).
 */
import { spawn } from "node:child_process";
import { join } from "node:path";
import { expect, it } from "vitest";
import { describeKafka, kafkaBrokers, repoRoot, unique } from "./kafka-env.js";

describeKafka("closing the broker", () => {
  it("ends the process although a send was still being retried", async () => {
    const child = spawn(
      process.execPath,
      [
        "--import",
        "tsx",
        "--conditions=source",
        join(repoRoot, "test/system/fixtures/close-while-retrying.ts"),
        kafkaBrokers(),
        unique("absent"),
      ],
      { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
    // kafkajs's retries of the abandoned send end within their backoffs (a few seconds); without the fix it never exits.
    const timeout = new Promise<"alive">((resolve) => setTimeout(() => resolve("alive"), 25_000).unref());
    const outcome = await Promise.race([exited, timeout]);
    if (outcome === "alive") child.kill("SIGKILL");
    expect({ outcome, stdout: stdout.trim(), stderr }).toEqual({ outcome: 0, stdout: "closed", stderr: "" });
  }, 40_000);
});
