/**
 * The compiler's front half: parse → validate → model → checks. Pure: all
 * file access goes through `AnalyzeInput.readFile`; nothing reads the process state.
 */
import { buildModel } from "./model/build.js";
import { FOLDER_CHECKS, folderHints, groupRules, typeRules, type FolderHints } from "./checks/index.js";
import { BuildMemos } from "./incremental/build-memos.js";
import type { MemoScope } from "./incremental/lookup-memo.js";
import { modelLookup } from "./model/lookup.js";
import { diagnostic, type Diagnostic, type DiagnosticCode } from "./diagnostics/catalogue.js";
import type { SpecModel } from "./model/model.js";
import { parseSpecFile, type SpecDocument } from "./parse/parse.js";
import { codecResolverOver } from "./model/resolve-codec.js";
import { validateDocument } from "./validate/validate.js";

export { specSchema } from "./validate/schema.js";

/** One spec file; `path` is as displayed in diagnostics (relative to cwd, `/` separators). */
export interface SpecSource {
  readonly path: string;
  readonly text: string;
}

/** Everything `analyze` needs; see the field comments for the path conventions. */
export interface AnalyzeInput {
  /** The spec folder as displayed (relative to cwd, e.g. `specs`). */
  readonly root: string;
  /** Display-relative path of the project root (`.` usually); referenced files must stay inside it (GK705). */
  readonly projectRoot: string;
  /** The spec files, sorted by path. */
  readonly files: readonly SpecSource[];
  /** Reads a referenced file (schema files, custom codec modules) by display-relative path; `undefined` when absent. */
  readFile(path: string): string | undefined;
  /**
   * True when an existing file at `path` really lies outside the project root
   * once symbolic links are resolved (GK705). The pure compiler cannot see
   * links; the CLI answers with real paths. Absent: paths are taken as written.
   */
  leavesProject?(path: string): boolean;
  /** Live partition counts (topic → partitions) when `--brokers` is used. */
  readonly clusterPartitions?: ReadonlyMap<string, number>;
  /** Per-file results of earlier analyses to reuse (watch mode); absent: every file is parsed. */
  readonly cache?: AnalyzeCache;
}

/** What parsing and validating one spec file gave: its documents and their diagnostics. */
interface FileAnalysis {
  readonly text: string;
  readonly documents: readonly SpecDocument[];
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Parse and validate results per spec file, kept in memory between analyses
 * of the same folder (`gokac build --watch`): a file whose path and text are
 * unchanged is not parsed again. Pure: holds only what `analyze` computed.
 * Entries of files no longer analyzed are dropped after each analysis.
 */
export class AnalyzeCache {
  readonly #files = new Map<string, FileAnalysis>();
  #hits = 0;
  /** Model pieces, findings and emitted text kept for unchanged documents, groups and types (incremental/build-memos.ts). */
  readonly memos = new BuildMemos();

  /** How many files the last analysis took from the cache (for tests and benchmarks). */
  get hits(): number {
    return this.#hits;
  }

  /** The analysis of `file`, reused when its text is the one cached. */
  analyzeFile(file: SpecSource): FileAnalysis {
    const cached = this.#files.get(file.path);
    if (cached !== undefined && cached.text === file.text) {
      this.#hits++;
      return cached;
    }
    const analysis = analyzeFile(file);
    this.#files.set(file.path, analysis);
    return analysis;
  }

  /** Starts an analysis of `files`: forgets the other files' entries and resets `hits`. */
  begin(files: readonly SpecSource[]): void {
    this.#hits = 0;
    const current = new Set(files.map((f) => f.path));
    for (const path of this.#files.keys()) if (!current.has(path)) this.#files.delete(path);
  }
}

function analyzeFile(file: SpecSource): FileAnalysis {
  const parsed = parseSpecFile(file.path, file.text);
  const diagnostics: Diagnostic[] = [...parsed.diagnostics];
  for (const doc of parsed.documents) diagnostics.push(...validateDocument(doc));
  return { text: file.text, documents: parsed.documents, diagnostics };
}

/** The model (undefined only when nothing could be built) and every diagnostic, sorted by file, line, column, code. */
export interface AnalyzeResult {
  readonly model: SpecModel | undefined;
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Findings that assume the rest of the folder is complete. While a document
 * is unreadable or off-schema they are likely echoes of that (a skipped
 * catalogue entry makes every use of it look codec-less, a skipped input
 * leaves a group without inputs), so they wait until those errors are fixed.
 */
const CROSS_SPEC_CODES: ReadonlySet<DiagnosticCode> = new Set(["GK201", "GK209", "GK501", "GK502", "GK503", "GK601", "GK702", "GK703"]);

/** Parses, validates, models and checks a spec folder. Never throws on bad input. */
export function analyze(input: AnalyzeInput): AnalyzeResult {
  const diagnostics: Diagnostic[] = [];
  if (input.files.length === 0) {
    diagnostics.push(
      diagnostic(
        "GK002",
        { file: input.root, line: 1, column: 1, pointer: "" },
        `no spec files (*.yaml, *.yml) found in ${input.root}`,
        "put group specs into the folder, or name the right folder",
      ),
    );
    return { model: undefined, diagnostics };
  }

  const documents: SpecDocument[] = [];
  const cache = input.cache;
  cache?.begin(input.files);
  for (const file of input.files) {
    const analysis = cache === undefined ? analyzeFile(file) : cache.analyzeFile(file);
    documents.push(...analysis.documents);
    diagnostics.push(...analysis.diagnostics);
  }
  const structural = diagnostics.some((d) => d.severity === "error");

  const memos = cache?.memos;
  memos?.beginAnalysis([input.root, input.projectRoot, input.clusterPartitions]);
  const built = buildModel(documents, { root: input.root, projectRoot: input.projectRoot }, memos?.contributions);
  const lookup = modelLookup(built.model);
  const clusterPartitions = input.clusterPartitions;
  const ctx = {
    ...built,
    codecs: codecResolverOver(lookup),
    readFile: (path: string) => input.readFile(path),
    leavesProject: (path: string) => input.leavesProject?.(path) ?? false,
    clusterPartitions,
  };
  const keep = (d: Diagnostic) => {
    if (!structural || !CROSS_SPEC_CODES.has(d.code)) diagnostics.push(d);
  };
  for (const check of FOLDER_CHECKS) for (const d of check(ctx)) keep(d);
  const typeNames = () => [...built.model.types.keys()];
  for (const type of built.model.types.values()) {
    const doc = built.typeDocuments.get(type.name);
    const found =
      memos === undefined
        ? typeRules(type, doc, lookup, typeNames)
        : memos.typeRules.get(type, lookup, (scope) => typeRules(type, doc, scope.lookup, () => (scope.keepNot(), typeNames())));
    for (const d of found) keep(d);
  }
  const hints = folderHints(built.model);
  for (const g of built.model.groups) {
    const found =
      memos === undefined
        ? groupRules(g, { lookup, codecs: ctx.codecs, hints, clusterPartitions })
        : memos.groupRules.get(g, lookup, (scope) =>
            groupRules(g, {
              lookup: scope.lookup,
              codecs: codecResolverOver(scope.lookup),
              hints: scoped(hints, scope),
              clusterPartitions,
            }),
          );
    for (const d of found) keep(d);
  }
  return { model: built.model, diagnostics: sortDiagnostics(diagnostics) };
}

/** `hints` that keep a memoised result from being reused once it asked for any (they look at the whole folder). */
function scoped(hints: FolderHints, scope: MemoScope): FolderHints {
  return {
    writtenCodec: (topic) => (scope.keepNot(), hints.writtenCodec(topic)),
    groupNames: () => (scope.keepNot(), hints.groupNames()),
    tableNames: () => (scope.keepNot(), hints.tableNames()),
  };
}

function compare(a: string | number, b: string | number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorted by file, line, column, code; exact repeats removed. */
function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const sorted = [...diagnostics].sort(
    (a, b) =>
      compare(a.file, b.file) ||
      compare(a.line, b.line) ||
      compare(a.column, b.column) ||
      compare(a.code, b.code) ||
      compare(a.message, b.message),
  );
  return sorted.filter((d, i) => {
    const prev = sorted[i - 1];
    return (
      prev === undefined ||
      prev.code !== d.code ||
      prev.file !== d.file ||
      prev.line !== d.line ||
      prev.column !== d.column ||
      prev.message !== d.message
    );
  });
}
