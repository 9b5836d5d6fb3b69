/**
 * What the cluster commands (`topics`, `run`, `emit`, `get`) share: reading
 * and checking a spec folder as `gokac build` does, and printing diagnostics.
 */
import { analyze, type AnalyzeResult, type Diagnostic, formatText, type SpecModel } from "../../compiler/index.js";
import { UsageError } from "../exit.js";
import type { CommandIo } from "../io/command-io.js";
import { isFolder, readSpecFolder, unreadableSpecFiles } from "../io/read-specs.js";

/**
 * Reads and checks the spec folder `specs` (relative to `io.cwd`), as `gokac build` does:
 * spec files that cannot be read are reported (GK003) first. Throws UsageError if it is not a folder.
 */
export function analyzeSpecFolder(io: CommandIo, specs: string, clusterPartitions?: ReadonlyMap<string, number>): AnalyzeResult {
  if (!isFolder(io.cwd, specs)) throw new UsageError(`spec folder ${specs} does not exist or is not a folder`);
  const unreadable: string[] = [];
  const result = analyze(readSpecFolder(io.cwd, specs, clusterPartitions, unreadable));
  return unreadable.length === 0 ? result : { ...result, diagnostics: [...unreadableSpecFiles(unreadable), ...result.diagnostics] };
}

/**
 * The model of `specs` for a command that needs a sound one: its errors (if
 * any) printed to stderr as text, then `undefined` (the command exits 1).
 */
export function specModelOrReport(io: CommandIo, specs: string): SpecModel | undefined {
  const analyzed = analyzeSpecFolder(io, specs);
  const errors = analyzed.diagnostics.filter((d) => d.severity === "error");
  return reportDiagnostics(io, errors) ? undefined : analyzed.model;
}

/** Prints diagnostics to stderr; returns whether any is an error. */
export function reportDiagnostics(io: CommandIo, diagnostics: readonly Diagnostic[]): boolean {
  for (const d of diagnostics) io.stderr(formatText(d));
  return diagnostics.some((d) => d.severity === "error");
}
