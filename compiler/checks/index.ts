/** All check rules, in the order they run (the output is sorted afterwards). */
import type { Diagnostic } from "../diagnostics/catalogue.js";
import type { ModelLookup } from "../model/lookup.js";
import type { GroupModel } from "../model/model.js";
import type { CodecResolver } from "../model/resolve-codec.js";
import { checkCodecSources, codecSourceRules } from "./check-codec-sources.js";
import { checkCodecConsistency, checkCodecs, inputCodecRules } from "./check-codecs.js";
import type { Check, FolderHints } from "./check-context.js";
import { checkCopartitioning, copartitioningRules } from "./check-copartitioning.js";
import { checkDuplicates } from "./check-duplicates.js";
import { checkFiles } from "./check-files.js";
import { checkGraph, graphRules } from "./check-graph.js";
import { checkHandlerNames, handlerNameRules } from "./check-handler-names.js";
import { checkIdentifiers } from "./check-identifiers.js";
import { checkOwnership, ownershipRules } from "./check-ownership.js";
import { checkPartitioners, partitionerRules } from "./check-partitioners.js";
import { checkReferences, checkTypeReferences, tableReferenceRules } from "./check-references.js";
import { checkTypes } from "./check-types.js";

export type { Check, CheckContext, FolderHints } from "./check-context.js";
export { folderHints } from "./check-context.js";

/** Every rule; each is independent of the others. */
export const CHECKS: readonly Check[] = [
  checkDuplicates,
  checkGraph,
  checkHandlerNames,
  checkIdentifiers,
  checkOwnership,
  checkCopartitioning,
  checkPartitioners,
  checkCodecSources,
  checkCodecs,
  checkReferences,
  checkTypes,
  checkFiles,
];

/**
 * The same rules split in two: the folder-wide parts (names across the
 * folder, codecs per topic, types, referenced files), and `groupRules`, the
 * parts about one group, which see the rest of the folder only through a
 * lookup, and `typeRules` for each declared type (likewise). Together they
 * find exactly what `CHECKS` finds.
 */
export const FOLDER_CHECKS: readonly Check[] = [checkDuplicates, checkIdentifiers, checkCodecConsistency, checkTypeReferences, checkFiles];

export { typeRules } from "./check-types.js";

/** What the rules about one group may use besides the group. */
export interface GroupRuleContext {
  readonly lookup: ModelLookup;
  /** A resolver answering through `lookup`. */
  readonly codecs: CodecResolver;
  readonly hints: FolderHints;
  readonly clusterPartitions: ReadonlyMap<string, number> | undefined;
}

/** Every rule's findings about group `g`. */
export function groupRules(g: GroupModel, ctx: GroupRuleContext): Diagnostic[] {
  return [
    ...graphRules(g),
    ...handlerNameRules(g),
    ...ownershipRules(g, ctx.lookup),
    ...copartitioningRules(g, ctx.lookup, ctx.clusterPartitions),
    ...partitionerRules(g, ctx.lookup),
    ...codecSourceRules(g, ctx.codecs, ctx.hints),
    ...inputCodecRules(g, ctx.codecs),
    ...tableReferenceRules(g, ctx.lookup, ctx.hints),
  ];
}
