/** The README's diagnostics table is the catalogue's (`UPDATE=1` rewrites it). */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";
import { catalogueTable } from "../../compiler/emit/catalogue-table.js";
import { repoRoot } from "../golden/golden-helpers.js";

it("README.md lists every diagnostic of the catalogue, in order", () => {
  const path = join(repoRoot, "README.md");
  const text = readFileSync(path, "utf8");
  const block = /<!-- diagnostics:start -->\n([\s\S]*?)\n<!-- diagnostics:end -->/;
  if (process.env["UPDATE"] === "1")
    writeFileSync(path, text.replace(block, `<!-- diagnostics:start -->\n${catalogueTable()}\n<!-- diagnostics:end -->`));
  expect(block.exec(readFileSync(path, "utf8"))?.[1]).toBe(catalogueTable());
});
