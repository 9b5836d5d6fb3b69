/** `gokac init` through the in-process harness, and the spec schema shipped in the package. */
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { schemaText } from "../../cli/commands/schema.js";
import { repoRoot } from "../golden/golden-helpers.js";
import { gokac, project, removeProjects } from "../support/cli.js";

afterAll(removeProjects);

describe("gokac init", () => {
  it("creates a project whose specs build with the defaults of its package.json", async () => {
    const dir = project({});
    const init = await gokac(dir, "init", "my-app");
    expect(init.code).toBe(0);
    const app = join(dir, "my-app");
    for (const file of [
      "package.json",
      "tsconfig.json",
      "specs/counter.yaml",
      "generated/counter/handlers.ts",
      "test/counter.test.ts",
      "README.md",
      ".vscode/settings.json",
    ]) {
      expect(existsSync(join(app, file)), file).toBe(true);
    }
    const manifest = JSON.parse(readFileSync(join(app, "package.json"), "utf8")) as Record<string, Record<string, string>>;
    expect(manifest["name"]).toBe("my-app");
    expect(manifest["gokac"]).toEqual({ specs: "specs", out: "generated" });
    expect(manifest["dependencies"]?.["gokac"]).toMatch(/^\^\d+\.\d+\.\d+/);
    // every document of every spec file is mapped to the shipped schema (a modeline would reach the first document only)
    const settings = JSON.parse(readFileSync(join(app, ".vscode/settings.json"), "utf8")) as { "yaml.schemas": Record<string, string[]> };
    expect(settings["yaml.schemas"]["./node_modules/gokac/spec.schema.json"]).toContain("specs/**/*.yaml");
    const handler = readFileSync(join(app, "generated/counter/handlers.ts"), "utf8");
    expect((await gokac(app, "build")).code).toBe(0);
    // the build keeps the handler and adds the graph
    expect(readFileSync(join(app, "generated/counter/handlers.ts"), "utf8")).toBe(handler);
    expect(existsSync(join(app, "generated/counter/graph.ts"))).toBe(true);
  });

  it("refuses a folder that is not empty (exit 2, nothing written) unless --force", async () => {
    const dir = project({ "notes.txt": "mine" });
    expect((await gokac(dir, "init")).code).toBe(2);
    expect(existsSync(join(dir, "package.json"))).toBe(false);
    const forced = await gokac(dir, "init", ".", "--force", "--gokac", "file:../gokac.tgz");
    expect(forced.code).toBe(0);
    expect(readFileSync(join(dir, "notes.txt"), "utf8")).toBe("mine");
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as { dependencies: Record<string, string> };
    expect(manifest.dependencies["gokac"]).toBe("file:../gokac.tgz");
  });

  it("a new project's built graph loads with its handler through gokac/runtime", async () => {
    const dir = project({});
    expect((await gokac(dir, "init", "app")).code).toBe(0);
    const app = join(dir, "app");
    mkdirSync(join(app, "node_modules"));
    symlinkSync(repoRoot, join(app, "node_modules/gokac"));
    expect((await gokac(app, "build")).code).toBe(0);
    // the unit test's module graph loads (types and runtime resolve) with the repo's sources
    writeFileSync(join(app, "probe.ts"), 'export { counterGroup } from "./generated/counter/graph.js";\n');
    const { tsImport } = await import("tsx/esm/api");
    const probe = (await tsImport(join(app, "probe.ts"), import.meta.url)) as { counterGroup: { graph: { group: string } } };
    expect(probe.counterGroup.graph.group).toBe("counter");
  });
});

it("spec.schema.json at the package root is the schema of gokac schema (run npm run build to update it)", () => {
  expect(readFileSync(join(repoRoot, "spec.schema.json"), "utf8")).toBe(schemaText());
  const manifest = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as {
    files: string[];
    exports: Record<string, unknown>;
  };
  expect(manifest.files).toContain("spec.schema.json");
  expect(manifest.exports["./spec.schema.json"]).toBe("./spec.schema.json");
});
