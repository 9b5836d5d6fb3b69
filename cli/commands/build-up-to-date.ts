/**
 * The fast path of `gokac build`: when the build cache says nothing changed
 * since the last successful build, answer without loading the compiler
 * (no YAML parser, no ajv, no commander). Anything unusual — brokers (`--brokers` or `GOKAC_BROKERS`),
 * `--help`, odd arguments, no cache — returns undefined and the full command
 * runs instead, so this path never decides about usage errors.
 */
import { parseArgs } from "node:util";
import { formatDiagnostics, isDiagnosticFormat, type DiagnosticFormat } from "../../compiler/diagnostics/format.js";
import { displayPath } from "../io/read-specs.js";
import { upToDateEntry } from "../io/build-cache.js";
import type { CommandIo } from "./cluster-common.js";

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
  if (format === "text") io.stdout(check ? `gokac: ${key.out} is up to date (${entry.files} files)\n` : `gokac: ${key.out}: 0 written, ${entry.files} unchanged\n`);
  return 0;
}

/** `gokac build …` arguments (after `build`) answered from the cache, or undefined. */
export function upToDateBuild(args: readonly string[], io: CommandIo): 0 | undefined {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: { out: { type: "string" }, check: { type: "boolean" }, format: { type: "string" }, brokers: { type: "string" } },
    });
  } catch {
    return undefined;
  }
  const { values, positionals } = parsed;
  const format = values.format ?? "text";
  const specs = positionals[0];
  const envBrokers = io.env["GOKAC_BROKERS"]?.trim();
  const brokers = values.brokers ?? (envBrokers === "" ? undefined : envBrokers);
  if (positionals.length !== 1 || specs === undefined || brokers !== undefined || !isDiagnosticFormat(format)) return undefined;
  return reportIfUpToDate(io, specs, values.out ?? "generated", values.check === true, format);
}
