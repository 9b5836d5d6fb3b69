/** Loading a fixture pair (`fixtures/<rule>/{old,new}/`) and comparing it. */
import { fileURLToPath } from "node:url";
import { analyze, type AnalyzeResult } from "../../compiler/analyze.js";
import { findBreakingChanges } from "../../compiler/breaking/find-breaking-changes.js";
import type { Diagnostic } from "../../compiler/diagnostics/catalogue.js";
import { readSpecFolder } from "../../cli/io/read-specs.js";

const fixtures = fileURLToPath(new URL("./fixtures/", import.meta.url));

/** Both sides of a fixture pair analysed (each side's folder is the spec root `.`), and the breaking changes between them. */
export function compareFixture(rule: string): {
  readonly old: AnalyzeResult;
  readonly next: AnalyzeResult;
  readonly findings: Diagnostic[];
} {
  const oldInput = readSpecFolder(`${fixtures}${rule}/old`, ".");
  const nextInput = readSpecFolder(`${fixtures}${rule}/new`, ".");
  const old = analyze(oldInput);
  const next = analyze(nextInput);
  if (old.model === undefined || next.model === undefined) throw new Error(`fixture ${rule} has no model`);
  return { old, next, findings: findBreakingChanges({ input: oldInput, model: old.model }, { input: nextInput, model: next.model }) };
}

/** `CODE file:line:col` of each finding. */
export function located(diagnostics: readonly Diagnostic[]): string[] {
  return diagnostics.map((d) => `${d.code} ${d.file}:${d.line}:${d.column}`);
}
