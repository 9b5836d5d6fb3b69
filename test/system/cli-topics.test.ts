/** `gokac topics` against a real broker: plan, create, verify, mismatches. */
import { afterAll, beforeAll, expect, it } from "vitest";
import type { Broker } from "../../runtime/broker/port.js";
import { createKafkaBroker } from "../../runtime/broker/kafka/index.js";
import { project, removeProjects, runGokac } from "../support/cli.js";
import { describeKafka, kafkaBrokers, unique } from "./kafka-env.js";

function spec(input: string, output: string, group: string, partitions: number): string {
  return [
    "topics:",
    `  ${input}: { partitions: ${partitions}, codec: string }`,
    `  ${output}: { partitions: 2, codec: string }`,
    "---",
    `group: ${group}`,
    "inputs:",
    `  - topic: ${input}`,
    "persist:",
    "  codec: string",
    "loop:",
    "  codec: string",
    "outputs:",
    `  - topic: ${output}`,
    "",
  ].join("\n");
}

describeKafka("gokac topics", () => {
  let broker: Broker;
  beforeAll(() => {
    broker = createKafkaBroker({ brokers: kafkaBrokers() });
  });
  afterAll(async () => {
    await broker.close();
    removeProjects();
  });

  it("reports missing topics (exit 1), creates them with --create (exit 0), then verifies (exit 0)", async () => {
    const [input, output, group] = [unique("cli-in"), unique("cli-out"), unique("cli-group")];
    const cwd = project({ "specs/app.yaml": spec(input, output, group, 3) });
    const args = ["topics", "specs", "--brokers", kafkaBrokers()];
    const before = await runGokac(args, { cwd });
    expect(before.code).toBe(1);
    expect(before.stdout).toContain(`${group}-table`);
    expect(await broker.partitionCount(input)).toBeUndefined();

    const create = await runGokac([...args, "--create"], { cwd });
    expect(create.stderr).toBe("");
    expect(create.code).toBe(0);
    expect(await broker.partitionCount(input)).toBe(3);
    expect(await broker.partitionCount(`${group}-table`)).toBe(3);
    expect(await broker.isCompacted(`${group}-table`)).toBe(true);
    expect(await broker.partitionCount(`${group}-loop`)).toBe(3);
    expect(await broker.isCompacted(`${group}-loop`)).toBe(false);
    expect(await broker.partitionCount(output)).toBe(2);

    const after = await runGokac(args, { cwd });
    expect(after.code).toBe(0);
  });

  it("fails with GK501 at the spec position when the cluster's counts differ, creating nothing", async () => {
    const [input, output, group] = [unique("cli-in"), unique("cli-out"), unique("cli-group")];
    await broker.createTopic({ topic: input, partitions: 4, compacted: false });
    await broker.createTopic({ topic: `${group}-table`, partitions: 8, compacted: true });
    const cwd = project({ "specs/app.yaml": spec(input, output, group, 4) });
    const result = await runGokac(["topics", "specs", "--brokers", kafkaBrokers(), "--create"], { cwd });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^specs\/app\.yaml:\d+:\d+: error GK501/m);
    expect(await broker.partitionCount(`${group}-loop`)).toBeUndefined();
  });

  it("exits 2 without brokers and 1 with spec errors", async () => {
    const cwd = project({ "specs/app.yaml": "group: x\n" });
    const noBrokers = await runGokac(["topics", "specs"], { cwd, env: {} });
    expect(noBrokers.code).toBe(2);
    const bad = await runGokac(["topics", "specs", "--brokers", kafkaBrokers()], { cwd });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/error GK\d{3}/);
  });
});
