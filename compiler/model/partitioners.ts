/**
 * Which partitioner (`partitioner:`) the specs give each topic: a catalogue
 * entry's own (default `kafka`), else for `<g>-table`/`<g>-loop` the owning
 * group's (default `kafka`). Other topics are unknown to the specs and use
 * `kafka` at run time. Shared by the GK503 check and the emitters.
 */
import type { SourceLocation } from "../diagnostics/catalogue.js";
import type { GroupModel, PartitionerName } from "./model.js";
import { ownerGroup, type ModelLookup } from "./lookup.js";

/** The default of topics and groups. */
export const DEFAULT_PARTITIONER: PartitionerName = "kafka";

/** A topic's partitioner with where it comes from. */
export interface DeclaredPartitioner {
  readonly value: PartitionerName;
  /** Where it was written, or the declaration that took the default. */
  readonly at: SourceLocation;
  /** `catalogue` or `group <name>`, with `(default)` when not written. */
  readonly source: string;
}

/** The partitioner of group `g`'s own table and loop. */
export function groupPartitioner(g: GroupModel): DeclaredPartitioner {
  return g.partitioner === undefined
    ? { value: DEFAULT_PARTITIONER, at: g.at, source: `group ${g.name} (default)` }
    : { value: g.partitioner.value, at: g.partitioner.at, source: `group ${g.name}` };
}

/** The partitioner the specs declare for `topic`, or undefined when no spec says anything about it. */
export function declaredPartitioner(lookup: ModelLookup, topic: string): DeclaredPartitioner | undefined {
  const decl = lookup.topic(topic);
  if (decl !== undefined) {
    return decl.partitioner === undefined
      ? { value: DEFAULT_PARTITIONER, at: decl.at, source: "catalogue (default)" }
      : { value: decl.partitioner.value, at: decl.partitioner.at, source: "catalogue" };
  }
  const owner = ownerGroup(lookup, topic);
  return owner === undefined ? undefined : groupPartitioner(owner);
}

/** The partitioner generated code uses for `topic` (the default when the specs do not say). */
export function topicPartitioner(lookup: ModelLookup, topic: string): PartitionerName {
  return declaredPartitioner(lookup, topic)?.value ?? DEFAULT_PARTITIONER;
}
