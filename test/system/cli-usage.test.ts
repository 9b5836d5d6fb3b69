/** Exit statuses of the cluster commands on wrong input, through the real `gokac` process. */
import { expect, it } from "vitest";
import { gokac } from "../support/gokac-process.js";
import { describeKafka, kafkaBrokers } from "./kafka-env.js";

describeKafka("gokac cluster commands on wrong input", () => {
  it("exit 1 for unknown topics and tables and refused values, 2 for bad usage", { timeout: 120_000 }, async () => {
    const brokers = ["--brokers", kafkaBrokers()];
    const results = await Promise.all([
      gokac(["emit", "specs", "no-such-topic", "k", "v", ...brokers]),
      gokac(["emit", "specs", "message_sent", "k", "not json", ...brokers]),
      gokac(["emit", "specs", "message_sent", "k", ...brokers]),
      gokac(["get", "specs", "no-such-table", "k", ...brokers]),
      gokac(["run", "specs", "--group", "no-such-group", ...brokers]),
      gokac(["emit", "no-such-folder", "message_sent", "k", "{}", ...brokers]),
    ]);
    expect(results.map((r) => r.code)).toEqual([1, 1, 2, 1, 2, 2]);
    const lines = await gokac(["emit", "specs", "message_sent", ...brokers], { stdin: "no tab here\n" });
    expect(lines.code).toBe(1);
  });

  it("answers --help for every cluster command", { timeout: 60_000 }, async () => {
    const helps = await Promise.all(["topics", "run", "emit", "get"].map((c) => gokac([c, "--help"])));
    expect(helps.map((h) => h.code)).toEqual([0, 0, 0, 0]);
    for (const h of helps) expect(h.stdout).toContain("--brokers");
  });
});
