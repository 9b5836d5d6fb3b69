/** Helpers for compiler tests: inline YAML in, diagnostics out. */
import { analyze, type AnalyzeResult } from "../../compiler/analyze.js";
import type { Diagnostic } from "../../compiler/diagnostics/catalogue.js";

/** Strips the common indentation of a template literal so specs can be written inline. */
export function yaml(strings: TemplateStringsArray, ...values: unknown[]): string {
  const text = strings.reduce((acc, s, i) => acc + s + (i < values.length ? String(values[i]) : ""), "");
  const lines = text.replace(/^\n/, "").split("\n");
  const indents = lines.filter((l) => l.trim() !== "").map((l) => /^ */.exec(l)?.[0].length ?? 0);
  const cut = indents.length === 0 ? 0 : Math.min(...indents);
  return lines.map((l) => l.slice(cut)).join("\n");
}

/** Options for `check`: extra files readable through `readFile`, live partition counts. */
export interface CheckOptions {
  readonly extraFiles?: Readonly<Record<string, string>>;
  readonly clusterPartitions?: ReadonlyMap<string, number>;
  readonly root?: string;
  readonly projectRoot?: string;
}

/** Analyzes spec files given as `{ "specs/x.yaml": text }` (sorted by path, like the CLI does). */
export function check(files: Readonly<Record<string, string>>, options: CheckOptions = {}): AnalyzeResult {
  const sources = Object.entries(files)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([path, text]) => ({ path, text }));
  const extra = options.extraFiles ?? {};
  return analyze({
    root: options.root ?? "specs",
    projectRoot: options.projectRoot ?? ".",
    files: sources,
    readFile: (path) => extra[path],
    ...(options.clusterPartitions === undefined ? {} : { clusterPartitions: options.clusterPartitions }),
  });
}

/** Analyzes one spec file `specs/spec.yaml`. */
export function checkOne(text: string, options: CheckOptions = {}): AnalyzeResult {
  return check({ "specs/spec.yaml": text }, options);
}

/** `CODE file:line:col` of each diagnostic, for compact assertions. */
export function found(result: AnalyzeResult | readonly Diagnostic[]): string[] {
  const list = "diagnostics" in result ? result.diagnostics : result;
  return list.map((d) => `${d.code} ${d.file}:${d.line}:${d.column}`);
}

/** The codes of the diagnostics, in order. */
export function codes(result: AnalyzeResult): string[] {
  return result.diagnostics.map((d) => d.code);
}

/** A small valid catalogue + types file other tests build on. */
export const CATALOGUE_FILE = yaml`
  topics:
    user-clicks: { partitions: 8, codec: { json: Click } }
    ad-clicks: { partitions: 8, codec: string }
    users-table: { partitions: 8, codec: { json: User } }
    geo-table: { partitions: 1, codec: string }
    alerts: { partitions: 2, codec: { json: Alert } }
  types:
    Click: { type: object, properties: { user: { type: string } }, required: [user] }
    ClickCount: { type: object, properties: { n: { type: integer }, last: { $ref: "#/types/Click" } } }
    User: { type: object, properties: { name: { type: string } } }
    Alert: { type: object }
`;
