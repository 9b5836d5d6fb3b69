/** The README's diagnostics table, written from the catalogue (test/compiler/emit-readme.test.ts keeps them equal). */
import { CATALOGUE } from "../diagnostics/catalogue.js";

/** A Markdown table: code, severity, meaning — one row per catalogue entry, in code order. */
export function catalogueTable(): string {
  const rows = Object.entries(CATALOGUE).map(([code, e]) => `| ${code} | ${e.severity} | ${e.title.replace(/\|/g, "\\|")} |`);
  return ["| code | severity | meaning |", "| --- | --- | --- |", ...rows].join("\n");
}
