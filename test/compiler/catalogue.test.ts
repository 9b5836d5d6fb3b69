import { readdirSync, readFileSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CATALOGUE } from "../../compiler/diagnostics/catalogue.js";

const here = fileURLToPath(new URL(".", import.meta.url));

/** Codes other parts of gokac report and test: the CLI reading files, handler merging, the live cluster. */
function ownedElsewhere(code: string): boolean {
  return code === "GK003" /* the CLI reads files; analyze gets their text */ || /^GK[89]/.test(code);
}

function testSources(): string {
  return readdirSync(here)
    .filter((f) => f.endsWith(".test.ts") && f !== "catalogue.test.ts")
    .map((f) => readFileSync(`${here}${f}`, "utf8"))
    .join("\n");
}

describe("diagnostic catalogue", () => {
  it("codes are GKnnn with a severity and a title", () => {
    for (const [code, entry] of Object.entries(CATALOGUE)) {
      expect(code).toMatch(/^GK\d{3}$/);
      expect(["error", "warning"]).toContain(entry.severity);
      expect(entry.title.length).toBeGreaterThan(0);
    }
  });

  it("every compiler code has a failing and a passing test case", () => {
    const sources = testSources();
    const missing = Object.keys(CATALOGUE)
      .filter((code) => !ownedElsewhere(code))
      .filter((code) => !new RegExp(`it\\("${code}[:( ]`).test(sources) || !new RegExp(`it\\("${code} passing`).test(sources));
    expect(missing).toEqual([]);
  });

  const readme = fileURLToPath(new URL("../../README.md", import.meta.url));
  it.skipIf(!existsSync(readme))("the README's diagnostics table lists every code (skipped until README.md exists)", () => {
    const text = readFileSync(readme, "utf8");
    const missing = Object.keys(CATALOGUE).filter((code) => !text.includes(code));
    expect(missing).toEqual([]);
  });
});
