/** What every check rule receives, and the shape of a rule. */
import type { Diagnostic, SourceLocation } from "../diagnostics/catalogue.js";
import type { Declarations } from "../model/build.js";
import type { FileRef } from "../model/build-codec.js";
import { tableTopic, type Located, type SpecModel } from "../model/model.js";
import { codecPlaces, type CodecPlace } from "./codec-places.js";
import type { SpecDocument } from "../parse/parse.js";
import type { CodecResolver } from "../model/resolve-codec.js";

/** The built model plus the facts rules need beyond it. */
export interface CheckContext {
  readonly model: SpecModel;
  readonly declarations: Declarations;
  readonly fileRefs: readonly FileRef[];
  /** Type names referenced by `{ json: TypeName }` codecs, located at the name. */
  readonly typeRefs: readonly Located<string>[];
  /** The document that declared each type (first declaration), to position findings inside its schema. */
  readonly typeDocuments: ReadonlyMap<string, SpecDocument>;
  readonly codecs: CodecResolver;
  readFile(path: string): string | undefined;
  /** True when the file at `path` resolves (through symbolic links) outside the project (see AnalyzeInput). */
  leavesProject(path: string): boolean;
  readonly clusterPartitions: ReadonlyMap<string, number> | undefined;
}

/**
 * Folder-wide facts that only the hints of per-group rules need (a name to
 * suggest, where else a codec is written). A watch build does not reuse a
 * group's findings that asked for them.
 */
export interface FolderHints {
  /** The first place the specs write a codec for `topic` (catalogue, owner, then edges in model order). */
  writtenCodec(topic: string): CodecPlace | undefined;
  /** Every group name, in model order. */
  groupNames(): readonly string[];
  /** Every table the specs define: group tables, then catalogue topics. */
  tableNames(): readonly string[];
}

/** The hints of `model`, each computed on first use. */
export function folderHints(model: SpecModel): FolderHints {
  let written: Map<string, CodecPlace> | undefined;
  let tables: string[] | undefined;
  return {
    writtenCodec: (topic) => {
      if (written === undefined) {
        written = new Map();
        for (const place of codecPlaces(model)) if (!written.has(place.topic)) written.set(place.topic, place);
      }
      return written.get(topic);
    },
    groupNames: () => model.groups.map((g) => g.name),
    tableNames: () =>
      (tables ??= [...model.groups.filter((x) => x.persist !== undefined).map((x) => tableTopic(x.name)), ...model.topics.keys()]),
  };
}

/** A check rule: pure, returns its diagnostics in any order. */
export type Check = (ctx: CheckContext) => Diagnostic[];

/** `file:line:col` of a location, for naming other places in messages and hints. */
export function where(at: SourceLocation): string {
  return `${at.file}:${at.line}:${at.column}`;
}
