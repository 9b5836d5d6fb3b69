/**
 * `gokac test --brokers` on the real broker, as a child process: the example
 * specs' declarative tests pass twice in a row (each run in a namespace of
 * its own, deleted afterwards), and a failing expectation exits 1 with its
 * position in the test file; `--keep` leaves the run's topics.
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { createKafkaBroker } from "../../runtime/broker/kafka/index.js";
import { gokac } from "../support/gokac-process.js";
import { describeKafka, kafkaBrokers, repoRoot } from "./kafka-env.js";

/** The namespace a run printed (`on …, namespace gokac-test-….`). */
function namespaceOf(stdout: string): string {
  const match = /namespace (gokac-test-[0-9a-f]+\.)/.exec(stdout);
  if (match?.[1] === undefined) throw new Error(`no namespace in: ${stdout}`);
  return match[1];
}

async function topicsIn(namespace: string): Promise<string[]> {
  const broker = createKafkaBroker({ brokers: kafkaBrokers(), namespace });
  try {
    return await broker.listTopics();
  } finally {
    await broker.close();
  }
}

describeKafka("gokac test --brokers", () => {
  // Inside the project (a spec folder outside it is refused, GK705), in the ignored .state/.
  mkdirSync(join(repoRoot, ".state"), { recursive: true });
  const dir = mkdtempSync(join(repoRoot, ".state", "test-brokers-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("runs the example specs' tests on the cluster, twice in a row, leaving nothing behind", { timeout: 600_000 }, async () => {
    const namespaces: string[] = [];
    for (let run = 0; run < 2; run++) {
      const result = await gokac(["test", "specs", "--brokers", kafkaBrokers(), "--out", "generated"], { cwd: repoRoot });
      expect(result.code, result.stdout + result.stderr).toBe(0);
      expect(result.stdout).toMatch(/3 of 3 tests passed/);
      const namespace = namespaceOf(result.stdout);
      namespaces.push(namespace);
      expect(await topicsIn(namespace)).toEqual([]);
    }
    expect(namespaces[0]).not.toBe(namespaces[1]);
  });

  it("a failing expectation exits 1 with its position; --keep keeps the run's topics", { timeout: 300_000 }, async () => {
    const specs = join(dir, "specs");
    mkdirSync(specs);
    copyFileSync(join(repoRoot, "specs/1-simplest/counter.yaml"), join(specs, "counter.yaml"));
    writeFileSync(
      join(specs, "counter.test.yaml"),
      `tests:
  - name: counts wrong on purpose
    given:
      - { topic: example-stream, key: k, value: a }
    expect:
      tables:
        example-group-table: { k: 5 }
`,
    );
    const result = await gokac(["test", specs, "--brokers", kafkaBrokers(), "--out", "generated", "--keep"], { cwd: repoRoot });
    expect(result.code, result.stdout + result.stderr).toBe(1);
    expect(result.stdout).toMatch(/counter\.test\.yaml:7:35: example-group-table k/);
    expect(result.stdout).toMatch(/- expected: 5\n\s+\+ actual: {3}1\n/);
    const namespace = namespaceOf(result.stdout);
    const kept = await topicsIn(namespace);
    expect(kept).toContain("1.example-stream");
    const broker = createKafkaBroker({ brokers: kafkaBrokers(), namespace });
    try {
      await broker.deleteTopics(kept);
    } finally {
      await broker.close();
    }
  });
});
