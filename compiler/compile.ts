/**
 * The compiler as one pure function: spec sources in, generated files and
 * diagnostics out. `analyze` (the front half) checks the folder; the emitters
 * print the owned files as text; existing user handler files are merged.
 * No file system, no process: the CLI reads the inputs and writes the result.
 */
import { analyze, type AnalyzeInput } from "./analyze.js";
import { diagnostic, hasErrors, type Diagnostic } from "./diagnostics/catalogue.js";
import { emitGraph } from "./emit/emit-graph.js";
import { emitHandlers } from "./emit/emit-handlers.js";
import { emitIndex } from "./emit/emit-index.js";
import { emitTopics } from "./emit/emit-topics.js";
import { collectTypes, emitTypes } from "./emit/emit-types.js";
import { contextTypeName, groupHandlers } from "./emit/group-handlers.js";
import { outputLayout } from "./emit/layout.js";
import { mergeHandlers } from "./emit/merge-handlers.js";
import { groupCatalogueEntries, topicCatalogue } from "./model/topic-catalogue.js";
import { isOwnedText } from "./emit/ts-text.js";
import type { CodecModel, GroupModel, SpecModel } from "./model/model.js";
import { codecResolverOver, type CodecResolver } from "./model/resolve-codec.js";
import { modelLookup, type ModelLookup } from "./model/lookup.js";
import type { GroupOutput } from "./incremental/build-memos.js";

/** What `compile` needs: the front half's input, where output goes, and what is there now. */
export interface CompileInput {
  readonly analyzeInput: AnalyzeInput;
  /** Output folder, display-relative (e.g. `generated`). */
  readonly outDir: string;
  /** The current text of an output file by display-relative path, `undefined` when absent. */
  existingFiles(path: string): string | undefined;
  /** Display-relative paths of the `.ts` files now under `outDir`, to find owned files no build produces any more. */
  readonly existingPaths?: readonly string[];
}

/** One file to have under the output folder. */
export interface OutputFile {
  readonly path: string;
  readonly content: string;
  /** True for files gokac owns (DO-NOT-EDIT header); false for a user's handler file. */
  readonly owned: boolean;
}

/**
 * The outcome. When `diagnostics` hold an error, `files` and `deletes` are
 * empty: nothing may be written. Otherwise `files` holds every owned file
 * and each handler file that is new or changed by the merge; `deletes` the
 * owned files of groups that no longer exist.
 */
export interface CompileResult {
  readonly diagnostics: readonly Diagnostic[];
  readonly files: readonly OutputFile[];
  readonly deletes: readonly string[];
  readonly model: SpecModel | undefined;
}

function allCodecs(model: SpecModel): CodecModel[] {
  const codecs: CodecModel[] = [...[...model.topics.values()].map((t) => t.codec)];
  for (const g of model.groups) {
    for (const i of g.inputs) if (i.codec !== undefined) codecs.push(i.codec);
    for (const e of [...g.outputs, ...g.joins, ...g.lookups]) if (e.codec !== undefined) codecs.push(e.codec);
    if (g.persist !== undefined) codecs.push(g.persist.codec);
    if (g.loop !== undefined) codecs.push(g.loop.codec);
  }
  return codecs;
}

/** Analyzes the specs and, when they are free of errors, emits the output folder's files. */
export function compile(input: CompileInput): CompileResult {
  const analyzed = analyze(input.analyzeInput);
  const model = analyzed.model;
  if (model === undefined || hasErrors(analyzed.diagnostics)) return { diagnostics: analyzed.diagnostics, files: [], deletes: [], model };

  const root = input.analyzeInput.root;
  const layout = outputLayout(input.outDir);
  const lookup = modelLookup(model);
  const codecs = codecResolverOver(lookup);
  const memos = input.analyzeInput.cache?.memos;
  memos?.beginEmit([root, input.outDir]);
  /** A group's graph.ts and handler list, reaching the rest of the folder through `groupLookup` only. */
  const groupOutput = (g: GroupModel, groupLookup: ModelLookup, groupCodecs: CodecResolver): GroupOutput => {
    const file = layout.graph(g.name);
    return {
      graph: emitGraph(g, { lookup: groupLookup, codecs: groupCodecs, place: { specRoot: root, file }, source: g.at.file }),
      handlers: groupHandlers(g, groupCodecs, { specRoot: root, file: layout.handlers(g.name) }, "../types.js"),
    };
  };
  const outputs = model.groups.map((g) =>
    memos === undefined
      ? groupOutput(g, lookup, codecs)
      : memos.groupOutputs.get(g, lookup, (scope) => groupOutput(g, scope.lookup, codecResolverOver(scope.lookup))),
  );
  const files: OutputFile[] = [];
  const diagnostics: Diagnostic[] = [...analyzed.diagnostics];

  // 1. Owned files: types, topics, index, each group's graph.
  files.push({
    path: layout.types,
    content: emitTypes(root, collectTypes(model, allCodecs(model), input.analyzeInput.readFile), memos?.types),
    owned: true,
  });
  files.push({
    path: layout.topics,
    content: emitTopics(
      { specRoot: root, file: layout.topics },
      topicCatalogue(
        model,
        codecs,
        memos === undefined
          ? undefined
          : (g) => memos.catalogue.get(g, lookup, (scope) => groupCatalogueEntries(g, scope.lookup, codecResolverOver(scope.lookup))),
      ),
      memos?.topics,
    ),
    owned: true,
  });
  const groupNames = model.groups.map((g) => g.name);
  const keptIndex = memos?.index;
  const sameIndex =
    keptIndex !== undefined &&
    keptIndex.root === root &&
    keptIndex.groups.length === groupNames.length &&
    keptIndex.groups.every((name, i) => name === groupNames[i]);
  const indexText = sameIndex ? keptIndex.text : emitIndex(root, groupNames);
  if (memos !== undefined && !sameIndex) memos.index = { root, groups: groupNames, text: indexText };
  files.push({ path: layout.index, content: indexText, owned: true });
  model.groups.forEach((g, i) => files.push({ path: layout.graph(g.name), content: outputs[i]?.graph ?? "", owned: true }));

  // 2. The user's handler files: created once, merged afterwards.
  for (const [i, g] of model.groups.entries()) {
    const path = layout.handlers(g.name);
    const handlers = outputs[i]?.handlers ?? [];
    const contextName = contextTypeName(g.name);
    const existing = input.existingFiles(path);
    if (existing === undefined) {
      files.push({ path, content: emitHandlers(g.name, contextName, handlers), owned: false });
      continue;
    }
    const merged = mergeHandlers({ path, text: existing, group: g.name, contextName, handlers });
    diagnostics.push(...merged.diagnostics);
    if (merged.text !== undefined) files.push({ path, content: merged.text, owned: false });
  }

  if (hasErrors(diagnostics)) return { diagnostics, files: [], deletes: [], model };

  // 3. Owned files no build produces any more (a removed group's graph).
  const produced = new Set(files.map((f) => f.path));
  const deletes = (input.existingPaths ?? [])
    .filter((p) => !produced.has(p) && p.endsWith(".ts") && !p.endsWith("/handlers.ts") && isOwnedText(input.existingFiles(p) ?? ""))
    .sort();
  diagnostics.push(...orphanHandlerFiles(input, model));
  return { diagnostics, files, deletes, model };
}

/**
 * GK801 for each `<out>/<folder>/handlers.ts` of a group the specs no longer
 * declare: like a removed input's function, the user's file is left in place
 * (it no longer compiles once its graph.ts is gone, so say why).
 */
function orphanHandlerFiles(input: CompileInput, model: SpecModel): Diagnostic[] {
  const layout = outputLayout(input.outDir);
  const current = new Set(model.groups.map((g) => layout.handlers(g.name)));
  const prefix = input.outDir === "." ? "" : `${input.outDir}/`;
  return (input.existingPaths ?? [])
    .filter((p) => p.startsWith(prefix) && /^[^/]+\/handlers\.ts$/.test(p.slice(prefix.length)) && !current.has(p))
    .sort()
    .map((p) => {
      const group = p.slice(prefix.length, -"/handlers.ts".length);
      return diagnostic(
        "GK801",
        { file: p, line: 1, column: 1, pointer: "" },
        `handler file of group ${group} left in place: the specs no longer declare group ${group}`,
        `delete ${p} if the group is gone for good, or declare group ${group} again`,
      );
    });
}
