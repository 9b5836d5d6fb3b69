/**
 * Shared by the golden and type tests: building a spec folder in memory and
 * type-checking TypeScript files with the repo's compiler options (so
 * `gokac/runtime` resolves to the runtime sources through the package's own
 * exports, as in a user's project).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import ts from "typescript";
import { compile, type CompileResult } from "../../compiler/compile.js";
import { readSpecFolder, readTextFile } from "../../cli/io/read-specs.js";

/** The repository root (tests run with it as cwd). */
export const repoRoot = resolve(import.meta.dirname, "../..");

/** Builds `specs` into `out` (both relative to the repo root) as `gokac build` would, without writing. */
export function buildInMemory(specs: string, out: string, existing: (path: string) => string | undefined = () => undefined): CompileResult {
  return compile({ analyzeInput: readSpecFolder(repoRoot, specs), outDir: out, existingFiles: existing });
}

/** Every file below `dir` (absolute), as paths relative to it with `/`. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (sub: string) => {
    let entries;
    try {
      entries = readdirSync(join(dir, sub), { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const rel = sub === "" ? e.name : `${sub}/${e.name}`;
      if (e.isDirectory()) walk(rel);
      else out.push(rel);
    }
  };
  walk("");
  return out.sort();
}

/** Reads a repo-relative file. */
export function readRepoFile(path: string): string | undefined {
  return readTextFile(repoRoot, path);
}

/** The repo's strict compiler options plus `source` resolution of `gokac/runtime`. */
export function strictOptions(): ts.CompilerOptions {
  const config = ts.readConfigFile(join(repoRoot, "tsconfig.json"), (p) => readFileSync(p, "utf8"));
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, repoRoot);
  return { ...parsed.options, noEmit: true, noUnusedLocals: true };
}

/**
 * Type-check diagnostics of `files` (absolute paths), as `file:line: message`
 * strings. Only `files` are checked in full (plus global diagnostics); what
 * they import is checked as far as they use it — checking the runtime itself
 * is `tsc`'s job in `npm test` and would cost seconds here.
 */
export function typeCheck(files: readonly string[], options: ts.CompilerOptions = strictOptions(), host?: ts.CompilerHost): string[] {
  const program = ts.createProgram({ rootNames: [...files], options, ...(host === undefined ? {} : { host }) });
  const roots = files.map((f) => program.getSourceFile(f)).filter((f) => f !== undefined);
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...roots.flatMap((f) => [...program.getSyntacticDiagnostics(f), ...program.getSemanticDiagnostics(f)]),
  ];
  return diagnostics.map((d) => {
    const where = d.file === undefined ? "" : `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}: `;
    return `${where}${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
  });
}
