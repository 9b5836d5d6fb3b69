/**
 * Printing diagnostics in the three output formats of the CLI:
 * `text` (`file:line:col: severity GKxxx: message` plus a hint line),
 * `json` (an array of `{ code, severity, file, line, column, pointer, message, hint? }`)
 * and `github` (workflow commands: `::error file=…,line=…,col=…,title=GK…::message`).
 */
import type { Diagnostic } from "./catalogue.js";

/** The output formats `--format` accepts. */
export const DIAGNOSTIC_FORMATS = ["text", "json", "github"] as const;
/** One of DIAGNOSTIC_FORMATS. */
export type DiagnosticFormat = (typeof DIAGNOSTIC_FORMATS)[number];

/** True for a known format name. */
export function isDiagnosticFormat(value: string): value is DiagnosticFormat {
  return (DIAGNOSTIC_FORMATS as readonly string[]).includes(value);
}

/** One diagnostic as text: a line, plus `  hint: …` when there is a hint. */
export function formatText(d: Diagnostic): string {
  const head = `${d.file}:${d.line}:${d.column}: ${d.severity} ${d.code}: ${d.message}\n`;
  return d.hint === undefined ? head : `${head}  hint: ${d.hint}\n`;
}

function escapeData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

/** What a GitHub Actions annotation says and where. */
export interface Annotation {
  readonly severity: Diagnostic["severity"];
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly title: string;
  readonly message: string;
}

/** One GitHub Actions annotation line (`::error file=…,line=…,col=…,title=…::message`), escaped. */
export function githubAnnotation(a: Annotation): string {
  const props = `file=${escapeProperty(a.file)},line=${a.line},col=${a.column},title=${escapeProperty(a.title)}`;
  return `::${a.severity === "error" ? "error" : "warning"} ${props}::${escapeData(a.message)}\n`;
}

/** One diagnostic as a GitHub Actions annotation line (titled with its code, the hint appended to the message). */
export function formatGithub(d: Diagnostic): string {
  const message = d.hint === undefined ? d.message : `${d.message}\nhint: ${d.hint}`;
  return githubAnnotation({ severity: d.severity, file: d.file, line: d.line, column: d.column, title: d.code, message });
}

/** The JSON form: the diagnostics as an array, fields in a fixed order. */
export function formatJson(diagnostics: readonly Diagnostic[]): string {
  const rows = diagnostics.map((d) => ({
    code: d.code,
    severity: d.severity,
    file: d.file,
    line: d.line,
    column: d.column,
    pointer: d.pointer,
    message: d.message,
    ...(d.hint === undefined ? {} : { hint: d.hint }),
  }));
  return `${JSON.stringify(rows, null, 2)}\n`;
}

/** All diagnostics in `format`. */
export function formatDiagnostics(diagnostics: readonly Diagnostic[], format: DiagnosticFormat): string {
  if (format === "json") return formatJson(diagnostics);
  return diagnostics.map(format === "github" ? formatGithub : formatText).join("");
}
