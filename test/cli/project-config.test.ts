/** Project-level defaults (`gokac` in package.json) and `gokac get`'s refusals, through the in-process CLI harness. */
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { readProjectConfig } from "../../cli/io/project-config.js";
import { repoRoot } from "../golden/golden-helpers.js";
import { gokac, project, removeProjects } from "../support/cli.js";

const counter = `topics:
  clicks: { partitions: 2, codec: string }
---
group: counter
inputs:
  - topic: clicks
persist:
  codec: int64
outputs:
  - topic: totals
    codec: int64
`;
const other = `group: other
inputs:
  - topic: clicks
persist:
  codec: string
`;

/** A project whose package.json sets `gokac` defaults; `gokac/runtime` resolves to this repo (for loading the build). */
function configured(gokacField: unknown, files: Record<string, string> = {}): string {
  const dir = project({ "package.json": JSON.stringify({ name: "app", type: "module", gokac: gokacField }), ...files });
  mkdirSync(join(dir, "node_modules"), { recursive: true });
  symlinkSync(repoRoot, join(dir, "node_modules/gokac"));
  return dir;
}

afterAll(removeProjects);

describe("project defaults from package.json", () => {
  it("build and graph take the spec folder and --out from the project root's package.json", async () => {
    const dir = configured({ specs: "./model/specs", out: "gen" }, { "model/specs/a.yaml": counter, "src/.keep": "" });
    expect(readProjectConfig(dir)).toMatchObject({ specs: "model/specs", out: "gen" });
    // only the project root's package.json counts (paths, cache and headers are relative to it)
    expect(readProjectConfig(join(dir, "src"))).toEqual({});
    const built = await gokac(dir, "build");
    expect(built.code).toBe(0);
    expect(existsSync(join(dir, "gen/topics.ts"))).toBe(true);
    expect(existsSync(join(dir, "generated"))).toBe(false);
    const graph = await gokac(dir, "graph", "--format", "json");
    expect(graph.code).toBe(0);
    expect(graph.stdout).toContain("counter");
    // an explicit argument and flag still win
    expect((await gokac(dir, "build", "model/specs", "--out", "elsewhere")).code).toBe(0);
    expect(existsSync(join(dir, "elsewhere/topics.ts"))).toBe(true);
  });

  it("without a spec folder argument or default, exit 2; a malformed gokac field is exit 2 too", async () => {
    const none = project({ "package.json": JSON.stringify({ name: "app" }), "specs/a.yaml": counter });
    expect((await gokac(none, "build")).code).toBe(2);
    expect((await gokac(none, "get", "counter-table", "k", "--brokers", "127.0.0.1:1")).code).toBe(2);
    const unknownKey = project({ "package.json": JSON.stringify({ gokac: { spec: "specs" } }), "specs/a.yaml": counter });
    expect((await gokac(unknownKey, "build")).code).toBe(2);
    const notObject = project({ "package.json": JSON.stringify({ gokac: "specs" }), "specs/a.yaml": counter });
    expect((await gokac(notObject, "graph")).code).toBe(2);
  });
});

describe("gokac get refusals (before any cluster is contacted)", () => {
  const brokers = ["--brokers", "127.0.0.1:1"];

  it("refuses a topic that is not a table and an unknown table: exit 1, the known tables listed", async () => {
    const dir = configured({ specs: "specs" }, { "specs/a.yaml": counter });
    expect((await gokac(dir, "build")).code).toBe(0);
    for (const name of ["clicks", "totals", "no-such-table"]) {
      const run = await gokac(dir, "get", name, "k", ...brokers);
      expect(run.code, name).toBe(1);
      expect(run.stderr).toContain("counter-table");
    }
    // with the spec folder given explicitly (three arguments)
    expect((await gokac(dir, "get", "specs", "clicks", "k", ...brokers)).code).toBe(1);
    expect((await gokac(dir, "get", "k", ...brokers)).code).toBe(2);
  });

  it("a table the specs know but the build in --out does not: exit 1 naming the output folder; a missing --out folder: exit 2", async () => {
    const dir = configured({ specs: "specs" }, { "specs/a.yaml": counter });
    expect((await gokac(dir, "build")).code).toBe(0);
    writeFileSync(join(dir, "specs/b.yaml"), other);
    const stale = await gokac(dir, "get", "other-table", "k", ...brokers);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain("generated");
    expect((await gokac(dir, "get", "counter-table", "k", "--out", "nowhere", ...brokers)).code).toBe(2);
  });
});
