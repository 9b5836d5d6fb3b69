/**
 * Merging into a user's existing `handlers.ts`. The file is the user's, so
 * the merge only ever adds: a stub for each handler the spec needs and the
 * file lacks, an updated parameter type where the spec's message type (or
 * context type) changed, and the type imports those need. Bodies, helpers,
 * comments and formatting are kept byte for byte: edits are text splices at
 * positions found with the TypeScript parser (ts-morph's bundled `ts`, no
 * type checking), never a reprint. Exported functions taking the group's
 * context that the spec no longer names are reported (GK801), never removed.
 *
 * The parser is loaded only when a cheap text scan cannot tell that the file
 * is already up to date, keeping no-op rebuilds fast.
 */
import { createRequire } from "node:module";
import type { ts as TS } from "ts-morph";
import { diagnostic, type Diagnostic } from "../diagnostics/catalogue.js";
import type { NeededImport } from "./codec-text.js";
import { handlerStub, typeImportLines } from "./emit-handlers.js";
import type { GroupHandler } from "./group-handlers.js";

/** What to merge: the file and what the group's spec needs from it. */
export interface MergeInput {
  /** Display-relative path of the handler file (for diagnostics). */
  readonly path: string;
  readonly text: string;
  readonly group: string;
  readonly contextName: string;
  readonly handlers: readonly GroupHandler[];
}

/** The merged text (undefined when nothing changes) and GK801/GK802 diagnostics. */
export interface MergeResult {
  readonly text: string | undefined;
  readonly diagnostics: readonly Diagnostic[];
}

let tsModule: typeof TS | undefined;
function typescript(): typeof TS {
  tsModule ??= (createRequire(import.meta.url)("ts-morph") as { ts: typeof TS }).ts;
  return tsModule;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

function loosePattern(text: string): string {
  return text.split(/\s+/).map(escapeRegExp).join("\\s+");
}

/**
 * The text with `//` and `/* … *\/` comments blanked. It may blank too much
 * (a `//` inside a string), which only ever hides a signature and so sends
 * the file to the full merge: safe. It never blanks too little, so a stub the
 * user commented out does not count as present.
 */
function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, " ");
}

/**
 * Handler files found up to date, by what the scan reads (the file's text,
 * the context type, each handler's name and message type): a watch build
 * checks every group's handler file again though almost none changed. Pure;
 * bounded, forgotten in whole when full.
 */
const upToDateFiles = new Map<string, string>();
const REMEMBERED_FILES = 5_000;

/** `isUpToDate`, remembering the files it found up to date. */
function upToDate(input: MergeInput): boolean {
  const key = `${input.contextName}\0${input.handlers.map((h) => `${h.name}\0${h.msgType}`).join("\0")}`;
  if (upToDateFiles.get(input.text) === key) return true;
  if (!isUpToDate(input)) return false;
  if (upToDateFiles.size >= REMEMBERED_FILES) upToDateFiles.clear();
  upToDateFiles.set(input.text, key);
  return true;
}

/** True when a text scan shows every handler with exactly the spec's signature and no other function taking the context. */
function isUpToDate(input: MergeInput): boolean {
  const ctx = loosePattern(input.contextName);
  const code = withoutComments(input.text);
  for (const h of input.handlers) {
    const signature = new RegExp(
      `export\\s+(?:async\\s+)?function\\s+${escapeRegExp(h.name)}\\s*\\(\\s*ctx\\s*:\\s*${ctx}\\s*,\\s*msg\\s*:\\s*${loosePattern(h.msgType)}\\s*\\)`,
    );
    if (!signature.test(code)) return false;
  }
  // Exported functions whose first parameter is the context, as the full merge's GK801 check sees them.
  const names = new Set(input.handlers.map((h) => h.name));
  const param = `\\(\\s*[A-Za-z_$][\\w$]*\\s*:\\s*${ctx}\\b`;
  const exported = new RegExp(
    `export\\s+(?:(?:async\\s+)?function\\s+([A-Za-z_$][\\w$]*)\\s*|const\\s+([A-Za-z_$][\\w$]*)\\s*=\\s*(?:async\\s*)?(?:function\\s*)?)${param}`,
    "g",
  );
  for (const m of input.text.matchAll(exported)) {
    if (!names.has(m[1] ?? m[2] ?? "")) return false;
  }
  return true;
}

interface ExportedFunction {
  readonly name: string;
  readonly nameNode: TS.Node;
  readonly parameters: readonly TS.ParameterDeclaration[];
}

function hasExport(ts: typeof TS, node: TS.Node): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}

function exportedFunctions(ts: typeof TS, sf: TS.SourceFile): { functions: Map<string, ExportedFunction>; reexported: Set<string> } {
  const functions = new Map<string, ExportedFunction>();
  const reexported = new Set<string>();
  for (const statement of sf.statements) {
    if (ts.isFunctionDeclaration(statement) && statement.name !== undefined && hasExport(ts, statement)) {
      functions.set(statement.name.text, { name: statement.name.text, nameNode: statement.name, parameters: statement.parameters });
    } else if (ts.isVariableStatement(statement) && hasExport(ts, statement)) {
      for (const d of statement.declarationList.declarations) {
        const init = d.initializer;
        if (ts.isIdentifier(d.name) && init !== undefined && (ts.isArrowFunction(init) || ts.isFunctionExpression(init))) {
          functions.set(d.name.text, { name: d.name.text, nameNode: d.name, parameters: init.parameters });
        } else if (ts.isIdentifier(d.name)) reexported.add(d.name.text);
      }
    } else if (ts.isExportDeclaration(statement) && statement.exportClause !== undefined && ts.isNamedExports(statement.exportClause)) {
      for (const e of statement.exportClause.elements) reexported.add(e.name.text);
    }
  }
  return { functions, reexported };
}

function importedNames(ts: typeof TS, sf: TS.SourceFile): Set<string> {
  const names = new Set<string>();
  for (const s of sf.statements) {
    if (!ts.isImportDeclaration(s) || s.importClause === undefined) continue;
    if (s.importClause.name !== undefined) names.add(s.importClause.name.text);
    const b = s.importClause.namedBindings;
    if (b !== undefined && ts.isNamespaceImport(b)) names.add(b.name.text);
    if (b !== undefined && ts.isNamedImports(b)) for (const e of b.elements) names.add(e.name.text);
  }
  return names;
}

interface Edit {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

function normalizeType(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** Plans the import edits that bind every `needed` name not bound yet. */
function importEdits(ts: typeof TS, sf: TS.SourceFile, needed: readonly NeededImport[]): Edit[] {
  const bound = importedNames(ts, sf);
  const missing = new Map<string, string[]>();
  for (const n of needed) {
    if (bound.has(n.name)) continue;
    bound.add(n.name);
    missing.set(n.from, [...(missing.get(n.from) ?? []), n.name]);
  }
  const edits: Edit[] = [];
  const fresh: NeededImport[] = [];
  const imports = sf.statements.filter(ts.isImportDeclaration);
  for (const [from, names] of missing) {
    const existing = imports.find(
      (s) =>
        ts.isStringLiteral(s.moduleSpecifier) &&
        s.moduleSpecifier.text === from &&
        s.importClause?.namedBindings !== undefined &&
        ts.isNamedImports(s.importClause.namedBindings),
    );
    const bindings = existing?.importClause?.namedBindings;
    if (existing === undefined || bindings === undefined || !ts.isNamedImports(bindings)) {
      fresh.push(...names.map((name) => ({ name, from })));
      continue;
    }
    const typeOnly = existing.importClause?.isTypeOnly === true;
    const specifiers = names.sort().map((n) => (typeOnly ? n : `type ${n}`));
    const last = bindings.elements[bindings.elements.length - 1];
    if (last === undefined)
      edits.push({ start: bindings.getStart(sf) + 1, end: bindings.getStart(sf) + 1, text: ` ${specifiers.join(", ")} ` });
    else edits.push({ start: last.getEnd(), end: last.getEnd(), text: `, ${specifiers.join(", ")}` });
  }
  if (fresh.length > 0) {
    const lines = typeImportLines(fresh).join("\n");
    const lastImport = imports[imports.length - 1];
    if (lastImport !== undefined) edits.push({ start: lastImport.getEnd(), end: lastImport.getEnd(), text: `\n${lines}` });
    else {
      const first = sf.statements[0];
      const at = first === undefined ? sf.getEnd() : first.getStart(sf);
      edits.push({ start: at, end: at, text: `${lines}\n${first === undefined ? "" : "\n"}` });
    }
  }
  return edits;
}

function apply(text: string, edits: readonly Edit[]): string {
  let out = text;
  for (const e of [...edits].sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}

/** Merges the spec's handlers into an existing handler file; see the module comment. */
export function mergeHandlers(input: MergeInput): MergeResult {
  if (upToDate(input)) return { text: undefined, diagnostics: [] };
  const ts = typescript();
  const sf = ts.createSourceFile(input.path, input.text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const parseErrors = (sf as unknown as { parseDiagnostics?: readonly TS.Diagnostic[] }).parseDiagnostics ?? [];
  const firstError = parseErrors[0];
  if (firstError !== undefined) {
    const pos = sf.getLineAndCharacterOfPosition(firstError.start ?? 0);
    return {
      text: undefined,
      diagnostics: [
        diagnostic(
          "GK802",
          { file: input.path, line: pos.line + 1, column: pos.character + 1, pointer: "" },
          `handler file of group ${input.group} cannot be merged: ${ts.flattenDiagnosticMessageText(firstError.messageText, " ")}`,
          "fix the syntax error in the handler file, then build again",
        ),
      ],
    };
  }

  const { functions, reexported } = exportedFunctions(ts, sf);
  const edits: Edit[] = [];
  const needed: NeededImport[] = [];
  const stubs: string[][] = [];
  for (const h of input.handlers) {
    const fn = functions.get(h.name);
    if (fn === undefined) {
      if (reexported.has(h.name)) continue;
      stubs.push(handlerStub(h, input.contextName));
      needed.push({ name: input.contextName, from: "./graph.js" }, ...h.imports);
      continue;
    }
    const [ctx, msg] = fn.parameters;
    if (ctx?.type !== undefined && normalizeType(ctx.type.getText(sf)) !== input.contextName && /Context$/.test(ctx.type.getText(sf))) {
      edits.push({ start: ctx.type.getStart(sf), end: ctx.type.getEnd(), text: input.contextName });
      needed.push({ name: input.contextName, from: "./graph.js" });
    }
    if (msg?.type !== undefined && normalizeType(msg.type.getText(sf)) !== normalizeType(h.msgType)) {
      edits.push({ start: msg.type.getStart(sf), end: msg.type.getEnd(), text: h.msgType });
      needed.push(...h.imports);
    }
  }

  const diagnostics: Diagnostic[] = [];
  const expected = new Set(input.handlers.map((h) => h.name));
  for (const fn of functions.values()) {
    const ctxType = fn.parameters[0]?.type;
    if (expected.has(fn.name) || ctxType === undefined || normalizeType(ctxType.getText(sf)) !== input.contextName) continue;
    const pos = sf.getLineAndCharacterOfPosition(fn.nameNode.getStart(sf));
    diagnostics.push(
      diagnostic(
        "GK801",
        { file: input.path, line: pos.line + 1, column: pos.character + 1, pointer: "" },
        `handler ${fn.name} of group ${input.group} handles no input, loop or visitor of the spec any more; it was left in place`,
        `delete ${fn.name} from the handler file if it is no longer needed`,
      ),
    );
  }

  edits.push(...importEdits(ts, sf, needed));
  let text = apply(input.text, edits);
  if (stubs.length > 0) {
    text = text.replace(/\n*$/, "\n");
    for (const stub of stubs) text += `\n${stub.join("\n")}\n`;
  }
  return { text: text === input.text ? undefined : text, diagnostics };
}
