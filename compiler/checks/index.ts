/** All check rules, in the order they run (the output is sorted afterwards). */
import { checkCodecSources } from "./check-codec-sources.js";
import { checkCodecs } from "./check-codecs.js";
import type { Check } from "./check-context.js";
import { checkCopartitioning } from "./check-copartitioning.js";
import { checkDuplicates } from "./check-duplicates.js";
import { checkFiles } from "./check-files.js";
import { checkGraph } from "./check-graph.js";
import { checkHandlerNames } from "./check-handler-names.js";
import { checkIdentifiers } from "./check-identifiers.js";
import { checkOwnership } from "./check-ownership.js";
import { checkPartitioners } from "./check-partitioners.js";
import { checkReferences } from "./check-references.js";
import { checkTypes } from "./check-types.js";

export type { Check, CheckContext } from "./check-context.js";

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
