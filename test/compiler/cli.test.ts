/** The CLI: exit codes, output formats, --check, writing only what changed, and nothing on errors. */
import { readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { listFiles } from "../golden/golden-helpers.js";
import { gokac, project } from "./cli-helpers.js";

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
const broken = `group: counter
inputs:
  - topic: clicks
    codec: strin
`;
const warningOnly = `${counter}lookups:\n  - table: nowhere-table\n    codec: string\n`;

function snapshot(dir: string): Map<string, string> {
  return new Map(listFiles(join(dir, "generated")).map((f) => [f, readFileSync(join(dir, "generated", f), "utf8")]));
}

describe("gokac command line", () => {
  it("answers --help for the program and every command", async () => {
    const dir = project({});
    expect((await gokac(dir, "--help")).code).toBe(0);
    for (const command of ["build", "schema", "graph", "topics", "run", "emit", "get"]) {
      const run = await gokac(dir, command, "--help");
      expect(run.code, command).toBe(0);
      expect(run.stdout).toContain(command);
    }
  });

  it("exits 2 on bad usage", async () => {
    const dir = project({ "specs/a.yaml": counter });
    expect((await gokac(dir)).code).toBe(2);
    expect((await gokac(dir, "nonsense")).code).toBe(2);
    expect((await gokac(dir, "build")).code).toBe(2);
    expect((await gokac(dir, "build", "specs", "--bogus")).code).toBe(2);
    expect((await gokac(dir, "build", "specs", "--format", "xml")).code).toBe(2);
    expect((await gokac(dir, "graph", "specs", "--format", "png")).code).toBe(2);
  });

  it("builds, then rebuilds without writing anything", async () => {
    const dir = project({ "specs/a.yaml": counter });
    const first = await gokac(dir, "build", "specs");
    expect(first.code).toBe(0);
    expect(listFiles(join(dir, "generated"))).toEqual(["counter/graph.ts", "counter/handlers.ts", "index.ts", "topics.ts", "types.ts"]);
    const before = snapshot(dir);
    const mtime = statSync(join(dir, "generated/topics.ts")).mtimeMs;
    const second = await gokac(dir, "build", "specs");
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/\b0 written\b/);
    expect(snapshot(dir)).toEqual(before);
    expect(statSync(join(dir, "generated/topics.ts")).mtimeMs).toBe(mtime);
  });

  it("--check exits 0 when up to date, 1 when stale, and writes nothing", async () => {
    const dir = project({ "specs/a.yaml": counter });
    expect((await gokac(dir, "build", "specs", "--check")).code).toBe(1);
    expect(listFiles(join(dir, "generated"))).toEqual([]);
    await gokac(dir, "build", "specs");
    expect((await gokac(dir, "build", "specs", "--check")).code).toBe(0);
    writeFileSync(join(dir, "specs/a.yaml"), counter.replace("codec: int64\noutputs", "codec: float64\noutputs"));
    const before = snapshot(dir);
    const stale = await gokac(dir, "build", "specs", "--check");
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain("generated/counter/graph.ts");
    expect(snapshot(dir)).toEqual(before);
  });

  it("--out chooses the output folder", async () => {
    const dir = project({ "specs/a.yaml": counter });
    expect((await gokac(dir, "build", "specs", "--out", "src/gen")).code).toBe(0);
    expect(listFiles(join(dir, "src/gen"))).toContain("counter/graph.ts");
  });

  it("exits 1 on spec errors and changes nothing under the output folder", async () => {
    const dir = project({ "specs/a.yaml": counter });
    await gokac(dir, "build", "specs");
    const before = snapshot(dir);
    writeFileSync(join(dir, "specs/a.yaml"), broken);
    const run = await gokac(dir, "build", "specs");
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^specs\/a\.yaml:\d+:\d+: error GK\d{3}: /m);
    expect(snapshot(dir)).toEqual(before);
  });

  it("exits 1 when the spec folder has no specs", async () => {
    const dir = project({});
    const run = await gokac(dir, "build", "specs", "--format", "json");
    expect(run.code).toBe(1);
    expect((JSON.parse(run.stdout) as { code: string }[]).map((d) => d.code)).toEqual(["GK002"]);
  });

  it("exits 0 with warnings only", async () => {
    const dir = project({ "specs/a.yaml": warningOnly });
    const run = await gokac(dir, "build", "specs");
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/warning GK703/);
  });

  it("prints diagnostics as JSON", async () => {
    const dir = project({ "specs/a.yaml": broken });
    const run = await gokac(dir, "build", "specs", "--format", "json");
    expect(run.code).toBe(1);
    const parsed = JSON.parse(run.stdout) as Record<string, unknown>[];
    expect(parsed.length).toBeGreaterThan(0);
    for (const d of parsed) {
      expect(Object.keys(d).filter((k) => k !== "hint")).toEqual(["code", "severity", "file", "line", "column", "pointer", "message"]);
      expect(d["file"]).toBe("specs/a.yaml");
    }
    const clean = await gokac(project({ "specs/a.yaml": counter }), "build", "specs", "--format", "json");
    expect(clean.code).toBe(0);
    expect(JSON.parse(clean.stdout)).toEqual([]);
  });

  it("prints diagnostics as GitHub annotations", async () => {
    const dir = project({ "specs/a.yaml": broken });
    const run = await gokac(dir, "build", "specs", "--format", "github");
    expect(run.code).toBe(1);
    const lines = run.stdout.trim().split("\n");
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(line).toMatch(/^::error file=specs\/a\.yaml,line=\d+,col=\d+,title=GK\d{3}::\S/);
    const warn = await gokac(project({ "specs/a.yaml": warningOnly }), "build", "specs", "--format", "github");
    expect(warn.stdout).toMatch(/^::warning file=specs\/a\.yaml,line=\d+,col=\d+,title=GK703::/m);
  });

  it("prints the spec JSON Schema", async () => {
    const run = await gokac(project({}), "schema");
    expect(run.code).toBe(0);
    const schema = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(schema["type"]).toBe("object");
  });

  it("prints the topology as mermaid, dot and json", async () => {
    const dir = project({
      "specs/a.yaml": counter,
      "specs/b.yaml": `group: reporter\ninputs:\n  - topic: totals\n    codec: int64\npartitions: 2\nlookups:\n  - group: counter\n`,
    });
    const mermaid = await gokac(dir, "graph", "specs");
    expect(mermaid.code).toBe(0);
    expect(mermaid.stdout).toMatch(/^flowchart LR\n/);
    const dot = await gokac(dir, "graph", "specs", "--format", "dot");
    expect(dot.stdout).toMatch(/^digraph gokac \{/);
    const json = JSON.parse((await gokac(dir, "graph", "specs", "--format", "json")).stdout) as {
      groups: { name: string }[]; topics: { name: string; kind: string }[]; feeds: { from: string; to: string; topic: string; as: string }[];
    };
    expect(json.groups.map((g) => g.name)).toEqual(["counter", "reporter"]);
    expect(json.topics.find((t) => t.name === "counter-table")?.kind).toBe("table");
    expect(json.feeds).toEqual(expect.arrayContaining([
      { from: "counter", to: "reporter", topic: "totals", as: "input" },
      { from: "counter", to: "reporter", topic: "counter-table", as: "lookup" },
    ]));
    const bad = await gokac(project({ "specs/a.yaml": broken }), "graph", "specs");
    expect(bad.code).toBe(1);
  });
});
