/**
 * The fast path of `gokac build`: when the build cache says nothing changed
 * since the last successful build, answer without loading the compiler
 * (no YAML parser, no ajv, no commander). Never used with brokers (the
 * cluster may have changed); see build.ts.
 */
import { formatDiagnostics, type DiagnosticFormat } from "../../compiler/diagnostics/format.js";
import { upToDateEntry } from "../io/build-cache.js";
import type { CommandIo } from "../io/command-io.js";
import { displayPath } from "../io/read-specs.js";

/** Reports an up-to-date build of `specs` into `out` and returns 0, or returns undefined when a real build is needed. */
export function reportIfUpToDate(io: CommandIo, specs: string, out: string, check: boolean, format: DiagnosticFormat): 0 | undefined {
  const key = { cwd: io.cwd, specs: displayPath(io.cwd, specs), out: displayPath(io.cwd, out) };
  const entry = upToDateEntry(key);
  if (entry === undefined) return undefined;
  if (format === "json" || entry.diagnostics.length > 0) {
    const text = formatDiagnostics(entry.diagnostics, format);
    if (format === "text") io.stderr(text);
    else io.stdout(text);
  }
  if (format === "text")
    io.stdout(
      check ? `gokac: ${key.out} is up to date (${entry.files} files)\n` : `gokac: ${key.out}: 0 written, ${entry.files} unchanged\n`,
    );
  return 0;
}
