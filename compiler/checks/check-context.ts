/** What every check rule receives, and the shape of a rule. */
import type { Diagnostic, SourceLocation } from "../diagnostics/catalogue.js";
import type { Declarations } from "../model/build.js";
import type { FileRef } from "../model/build-codec.js";
import type { Located, SpecModel } from "../model/model.js";
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

/** A check rule: pure, returns its diagnostics in any order. */
export type Check = (ctx: CheckContext) => Diagnostic[];

/** `file:line:col` of a location, for naming other places in messages and hints. */
export function where(at: SourceLocation): string {
  return `${at.file}:${at.line}:${at.column}`;
}
