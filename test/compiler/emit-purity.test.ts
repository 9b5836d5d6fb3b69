/** compile() is pure: the emitters and compile.ts never touch the file system, the process or the clock. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { repoRoot } from "../golden/golden-helpers.js";

it("compile.ts and compiler/emit/ use no file system, process, clock or randomness", () => {
  const emit = join(repoRoot, "compiler/emit");
  const sources = [join(repoRoot, "compiler/compile.ts"), join(repoRoot, "compiler/model/topology.ts"), ...readdirSync(emit).filter((f) => f.endsWith(".ts")).map((f) => join(emit, f))];
  expect(sources.length).toBeGreaterThan(10);
  const offenders = sources.filter((path) => /from "node:(fs|child_process|os|path)"|\bprocess\.[a-z]|\bDate\.now\(|new Date\(|Math\.random\(/.test(readFileSync(path, "utf8")));
  expect(offenders).toEqual([]);
});
