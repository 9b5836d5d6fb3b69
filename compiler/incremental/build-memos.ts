/**
 * Everything a watch build keeps from one build of a folder for the next
 * (held by `AnalyzeCache`): per-document model contributions, and per-group
 * and per-type results valid while what they looked up is unchanged
 * (lookup-memo.ts). Results also depend on the build's settings (spec root,
 * project root, output folder, live partition counts); when those change, the
 * results are forgotten.
 */
import type { Diagnostic } from "../diagnostics/catalogue.js";
import type { ContributionMemo } from "../model/build.js";
import type { GroupModel, TypeDecl } from "../model/model.js";
import type { GroupHandler } from "../emit/group-handlers.js";
import type { TypesMemo } from "../emit/emit-types.js";
import type { TopicsMemo } from "../emit/emit-topics.js";
import type { CatalogueTopic } from "../model/topic-catalogue.js";
import { LookupMemo } from "./lookup-memo.js";

/** A group's part of the output: its graph.ts text and what its handler file must hold. */
export interface GroupOutput {
  readonly graph: string;
  readonly handlers: readonly GroupHandler[];
}

/** The memos of one folder's builds. */
export class BuildMemos {
  /** Model pieces per parsed document (model/build.ts). */
  readonly contributions: ContributionMemo = new WeakMap();
  /** Each group's findings (checks/index.ts `groupRules`). */
  readonly groupRules = new LookupMemo<GroupModel, readonly Diagnostic[]>();
  /** Each type's findings (checks/check-types.ts). */
  readonly typeRules = new LookupMemo<TypeDecl, readonly Diagnostic[]>();
  /** Each group's emitted graph and handler list. */
  readonly groupOutputs = new LookupMemo<GroupModel, GroupOutput>();
  /** Each type's pieces of types.ts (emit/emit-types.ts). */
  readonly types: TypesMemo = { file: { lines: [], text: "\n" }, declarations: new WeakMap(), schemas: new WeakMap() };
  /** index.ts, by the spec root and the group names it was printed from. */
  index: { readonly root: string; readonly groups: readonly string[]; readonly text: string } | undefined = undefined;
  /** Each topic's piece of topics.ts (emit/emit-topics.ts). */
  readonly topics: TopicsMemo = { pieces: new WeakMap(), file: { lines: [], text: "\n" } };
  /** Each group's topic catalogue entries (model/topic-catalogue.ts). */
  readonly catalogue = new LookupMemo<GroupModel, readonly CatalogueTopic[]>();
  #analysisSettings: readonly unknown[] | undefined;
  #emitSettings: readonly unknown[] | undefined;

  /** Starts an analysis with these settings, forgetting the findings of other settings. */
  beginAnalysis(settings: readonly unknown[]): void {
    if (!sameSettings(this.#analysisSettings, settings)) {
      this.groupRules.clear();
      this.typeRules.clear();
    }
    this.#analysisSettings = settings;
    this.groupRules.resetCount();
    this.typeRules.resetCount();
  }

  /** Starts emitting with these settings, forgetting the output of other settings. */
  beginEmit(settings: readonly unknown[]): void {
    if (!sameSettings(this.#emitSettings, settings)) {
      this.groupOutputs.clear();
      this.catalogue.clear();
    }
    this.#emitSettings = settings;
    this.groupOutputs.resetCount();
  }
}

function sameSettings(a: readonly unknown[] | undefined, b: readonly unknown[]): boolean {
  return a !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);
}
