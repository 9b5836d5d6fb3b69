/**
 * Diagnostics are data, never thrown strings: every phase returns them.
 * The catalogue below is the single source of truth for codes; the README's
 * diagnostics table is written from it (see test/compiler/catalogue.test.ts).
 */

export type Severity = "error" | "warning";

/** A position in a spec file (1-based line and column) plus the JSON pointer of the node. */
export interface SourceLocation {
  /** Path of the spec file, relative to the current working directory, with `/` separators. */
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** JSON pointer of the node inside its YAML document, e.g. `/inputs/0/topic`. */
  readonly pointer: string;
}

/** One finding of the compiler. */
export interface Diagnostic extends SourceLocation {
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  readonly message: string;
  /** How to fix it, when there is something useful to say. */
  readonly hint?: string;
}

/** The catalogue: every code gokac can report, its default severity and what it means. */
export const CATALOGUE = {
  // 0xx — reading files
  GK001: { severity: "error", title: "YAML syntax error" },
  GK002: { severity: "error", title: "no spec files found, or the spec folder cannot be read" },
  GK003: { severity: "error", title: "a spec file cannot be read" },
  // 1xx — the JSON Schema of spec files
  GK101: { severity: "error", title: "unknown key" },
  GK102: { severity: "error", title: "missing required key" },
  GK103: { severity: "error", title: "value has the wrong type or shape" },
  // 2xx — Goka's graph rules and duplicate declarations
  GK201: { severity: "error", title: "group has no inputs" },
  GK202: { severity: "error", title: "topic consumed twice in one group" },
  GK203: { severity: "error", title: "edge names the group's own table or loop topic" },
  GK204: { severity: "error", title: "visitors need persist" },
  GK205: { severity: "error", title: "handler name used twice in one group" },
  GK206: { severity: "error", title: "group declared twice" },
  GK207: { severity: "error", title: "topic declared twice in the catalogue" },
  GK208: { severity: "error", title: "type declared twice" },
  GK209: { severity: "error", title: "codec unknown: topic has no codec and is not in the catalogue" },
  GK210: { severity: "error", title: "table or topic joined, looked up or emitted twice in one group" },
  GK211: { severity: "error", title: "standby needs persist" },
  // 3xx — names
  GK301: { severity: "error", title: "illegal topic name" },
  GK302: { severity: "error", title: "illegal group name" },
  GK303: { severity: "error", title: "illegal handler name" },
  GK304: { severity: "error", title: "illegal type name" },
  GK305: { severity: "error", title: "names collide in generated code" },
  // 4xx — table ownership
  GK401: { severity: "error", title: "output writes another group's table" },
  // 5xx — copartitioning
  GK501: { severity: "error", title: "copartitioned topics have different partition counts" },
  GK502: { severity: "warning", title: "partition count cannot be known at build time" },
  GK503: { severity: "error", title: "copartitioned topics have different partitioners" },
  // 6xx — cross-spec codec consistency
  GK601: { severity: "error", title: "topic has different codecs in different places" },
  // 7xx — references
  GK701: { severity: "error", title: "unknown type" },
  GK702: { severity: "error", title: "join names a group that does not exist or does not persist" },
  GK703: { severity: "warning", title: "joined or looked-up table is defined by no spec" },
  GK704: { severity: "error", title: "$ref to an unknown type" },
  GK705: { severity: "error", title: "unsafe path: absolute or escaping the project root" },
  GK706: { severity: "error", title: "referenced file not found" },
  GK707: { severity: "error", title: "schema file is not valid JSON or not a valid JSON Schema" },
  GK708: { severity: "error", title: "invalid JSON Schema in a type" },
  // 8xx — user-owned handler files
  GK801: { severity: "warning", title: "handler for a removed input, loop or visitor left in place" },
  GK802: { severity: "error", title: "handler file cannot be merged" },
  // 9xx — the live cluster (--brokers)
  GK901: { severity: "error", title: "cannot reach the cluster" },
  GK902: { severity: "warning", title: "topic does not exist on the cluster" },
  GK903: { severity: "warning", title: "table topic on the cluster is not compacted" },
  // 95x — breaking changes against the specs at a git ref (`gokac breaking`; compiler/breaking/)
  GK951: { severity: "error", title: "table codec changed incompatibly with the values already stored" },
  GK952: { severity: "error", title: "partition count of a table or copartitioned topic changed" },
  GK953: { severity: "error", title: "group removed or no longer persisting while its table is joined or looked up" },
  GK954: { severity: "error", title: "partitioner of a topic or group changed" },
  GK955: { severity: "error", title: "codec of an input, output, loop or external table changed" },
  GK956: { severity: "error", title: "JSON type: new required property" },
  GK957: { severity: "error", title: "JSON type: property removed" },
  GK958: { severity: "error", title: "JSON type: type narrowed (fewer values allowed)" },
  GK959: { severity: "error", title: "JSON type: enum value removed" },
  // 96x — declarative test files (*.test.yaml), reported by gokac test
  GK961: { severity: "error", title: "test names a topic or table the build does not have" },
  GK962: { severity: "error", title: "test value refused by the topic's codec" },
} as const satisfies Record<string, { severity: Severity; title: string }>;

export type DiagnosticCode = keyof typeof CATALOGUE;

/** Builds a diagnostic with the catalogue's severity unless one is given. */
export function diagnostic(
  code: DiagnosticCode,
  at: SourceLocation,
  message: string,
  hint?: string,
  severity: Severity = CATALOGUE[code].severity,
): Diagnostic {
  return hint === undefined
    ? { code, severity, file: at.file, line: at.line, column: at.column, pointer: at.pointer, message }
    : { code, severity, file: at.file, line: at.line, column: at.column, pointer: at.pointer, message, hint };
}

export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}
