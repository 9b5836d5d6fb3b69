/**
 * Golden outputs: each `test/golden/<feature>/spec/` builds to exactly the
 * committed `expected/` (byte for byte, no file missing or extra), and the
 * expected output type-checks under the repo's strict options.
 * `UPDATE=1 npx vitest run test/golden` refreshes `expected/`.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildInMemory, listFiles, readRepoFile, repoRoot, typeCheck } from "./golden-helpers.js";

const features = listFiles(join(repoRoot, "test/golden"))
  .filter((f) => /^[^/]+\/spec\//.test(f))
  .map((f) => f.slice(0, f.indexOf("/")))
  .filter((f, i, all) => all.indexOf(f) === i);

describe("golden outputs", () => {
  it("has golden features", () => {
    expect(features.length).toBeGreaterThanOrEqual(3);
  });

  for (const feature of features) {
    it(`${feature}: spec builds to expected/`, () => {
      const out = `test/golden/${feature}/expected`;
      const result = buildInMemory(`test/golden/${feature}/spec`, out);
      expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      if (process.env["UPDATE"] === "1") {
        rmSync(join(repoRoot, out), { recursive: true, force: true });
        for (const f of result.files) {
          mkdirSync(dirname(join(repoRoot, f.path)), { recursive: true });
          writeFileSync(join(repoRoot, f.path), f.content);
        }
      }
      const produced = result.files.map((f) => f.path.slice(out.length + 1)).sort();
      expect(produced).toEqual(listFiles(join(repoRoot, out)));
      for (const f of result.files) expect(f.content, f.path).toBe(readRepoFile(f.path));
    });
  }

  it("expected outputs type-check under strict", () => {
    const files = features.flatMap((feature) =>
      listFiles(join(repoRoot, `test/golden/${feature}/expected`)).map((f) => join(repoRoot, `test/golden/${feature}/expected`, f)),
    );
    expect(typeCheck(files)).toEqual([]);
  }, 180_000); // runs the TypeScript compiler
});
