/** `gokac test`: declarative tests on the in-memory broker, through the in-process harness. */
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readTestFile } from "../../cli/testing/test-file.js";
import { repoRoot } from "../golden/golden-helpers.js";
import { gokac, project, removeProjects } from "../support/cli.js";

const counter = `topics:
  clicks: { partitions: 2, codec: string }
---
group: counter
inputs:
  - topic: clicks
    handler: onClick
persist:
  codec: int64
outputs:
  - topic: totals
    codec: int64
`;
const handler = `import type { CounterContext } from "./graph.js";
export async function onClick(ctx: CounterContext, _msg: string): Promise<void> {
  const n = ((await ctx.value()) ?? 0n) + 1n;
  ctx.setValue(n);
  ctx.emit("totals", ctx.key, n);
}
`;
const passing = `tests:
  - name: counts and emits totals
    given:
      - { topic: clicks, key: a, value: x }
      - { topic: clicks, key: a, value: y }
    expect:
      tables:
        counter-table: { a: "2", b: null }
      emitted:
        totals: [{ key: a, value: 1 }, { key: a, value: "9007199254740993" }]
`;

let dir = "";
beforeAll(async () => {
  dir = project({
    "package.json": JSON.stringify({ name: "app", type: "module", gokac: { specs: "specs" } }),
    "specs/counter.yaml": counter,
    "generated/counter/handlers.ts": handler,
  });
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(repoRoot, join(dir, "node_modules/gokac"));
  const build = await gokac(dir, "build");
  expect(build.code, build.stderr).toBe(0);
});
afterAll(removeProjects);

function withTest(text: string): void {
  writeFileSync(join(dir, "specs/counter.test.yaml"), text);
}

describe("gokac test", () => {
  it("exit 1 with a diff placed at the expectation's line; exit 0 once the expectation is right", async () => {
    withTest(passing);
    const failing = await gokac(dir, "test");
    expect(failing.code).toBe(1);
    // the second total is 2, not 9007199254740993 (beyond 2^53: written as digits): reported at the line of that message
    expect(failing.stdout).toContain("specs/counter.test.yaml:10:");
    expect(failing.stdout).toContain("9007199254740993");
    // an int64 beyond 2^53 written as a YAML number cannot be read exactly: GK962
    withTest(passing.replace('"9007199254740993"', "9007199254740993"));
    const inexact = await gokac(dir, "test");
    expect(inexact.code).toBe(1);
    expect(inexact.stderr).toMatch(/counter\.test\.yaml:10:\d+: error GK962/);
    withTest(passing.replace('"9007199254740993"', "2"));
    const ok = await gokac(dir, "test");
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toContain("1 of 1");
  });

  it("a test file is checked against its schema with positions (GK101, GK102), before anything runs", async () => {
    withTest("tests:\n  - name: x\n    given: []\n    expekt: {}\n");
    const run = await gokac(dir, "test");
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/counter\.test\.yaml:4:5: error GK101/);
    expect(run.stderr).toMatch(/error GK102/);
  });

  it("GK961 for an unknown topic or table, GK962 for a value the codec refuses", async () => {
    withTest(`tests:
  - name: x
    given:
      - { topic: nowhere, key: a, value: x }
      - { topic: clicks, key: a, value: 3 }
    expect:
      tables:
        nobody-table: { a: null }
`);
    const run = await gokac(dir, "test");
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/counter\.test\.yaml:4:9: error GK961/);
    expect(run.stderr).toMatch(/counter\.test\.yaml:5:9: error GK962/);
    expect(run.stderr).toMatch(/counter\.test\.yaml:8:\d+: error GK961/);
  });

  it("--keep without a cluster (--brokers or --kafka-config) is a usage error: exit 2", async () => {
    withTest(passing);
    expect((await gokac(dir, "test", "--keep")).code).toBe(2);
  });

  it("*.test.yaml files are not read as specs by the build", async () => {
    withTest("tests: [not a spec]\n");
    expect((await gokac(dir, "build", "--check")).code).toBe(0);
  });
});

it("a test file has one YAML document (GK103 at the second)", () => {
  const read = readTestFile("t.test.yaml", "tests: []\n---\ntests: []\n");
  expect(read.diagnostics.map((d) => [d.code, d.line])).toEqual([["GK103", 3]]);
});

it("the repository's example tests pass (gokac test specs)", async () => {
  const run = await gokac(repoRoot, "test", "specs");
  expect(run.code, run.stdout + run.stderr).toBe(0);
});
