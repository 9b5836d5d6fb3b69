/** The cluster commands read a spec folder as `build` does: unreadable spec files are GK003, not silently dropped. */
import { symlinkSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { analyzeSpecFolder } from "../../cli/commands/cluster-common.js";
import type { CommandIo } from "../../cli/io/command-io.js";
import { project, removeProjects, runGokac } from "../support/cli.js";

const counter = `topics:
  clicks: { partitions: 2, codec: string }
---
group: counter
inputs:
  - topic: clicks
persist:
  codec: int64
`;

function io(cwd: string): CommandIo {
  return {
    cwd,
    env: {},
    stdout: () => undefined,
    stderr: () => undefined,
    stdin: (async function* () {})(),
    stopSignal: new Promise(() => undefined),
  };
}

/** A project whose spec folder holds a readable spec and a dangling symlink `specs/b.yaml`. */
function withUnreadableSpec(): string {
  const dir = project({ "specs/a.yaml": counter });
  symlinkSync(join(dir, "specs/missing-target.yaml"), join(dir, "specs/b.yaml"));
  return dir;
}

describe("analyzeSpecFolder", () => {
  afterAll(removeProjects);

  it("reports an unreadable spec file as GK003 (an error) and still analyzes the rest", () => {
    const result = analyzeSpecFolder(io(withUnreadableSpec()), "specs");
    expect(result.diagnostics).toEqual([expect.objectContaining({ code: "GK003", file: "specs/b.yaml", severity: "error" })]);
    expect(result.model?.groups.map((g) => g.name)).toEqual(["counter"]);
  });

  it("reports nothing for a folder of readable specs", () => {
    expect(analyzeSpecFolder(io(project({ "specs/a.yaml": counter })), "specs").diagnostics).toEqual([]);
  });

  it("makes a cluster command fail (exit 1) before it reaches the cluster", async () => {
    let loaded = false;
    const run = await runGokac(["topics", "specs", "--brokers", "127.0.0.1:1"], {
      cwd: withUnreadableSpec(),
      loadRuntime: () => ((loaded = true), Promise.reject(new Error("the runtime must not be needed"))),
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^specs\/b\.yaml:1:1: error GK003/m);
    expect(loaded).toBe(false);
  });
});
