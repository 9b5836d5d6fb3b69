/**
 * Which partitioner (`partitioner:`) the specs give each topic: a catalogue
 * entry's own (default `kafka`), else for `<g>-table`/`<g>-loop` the owning
 * group's (default `kafka`). Other topics are unknown to the specs and use
 * `kafka` at run time. Shared by the GK503 check and the emitters.
 */
import type { SourceLocation } from "../diagnostics/catalogue.js";
import { loopTopic, tableTopic, type GroupModel, type PartitionerName, type SpecModel } from "./model.js";

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
export function declaredPartitioner(model: SpecModel, topic: string): DeclaredPartitioner | undefined {
  const decl = model.topics.get(topic);
  if (decl !== undefined) {
    return decl.partitioner === undefined
      ? { value: DEFAULT_PARTITIONER, at: decl.at, source: "catalogue (default)" }
      : { value: decl.partitioner.value, at: decl.partitioner.at, source: "catalogue" };
  }
  const owner = ownerOf(model, topic);
  return owner === undefined ? undefined : groupPartitioner(owner);
}

/** Per groups list (by identity and length): each `<g>-table` and `<g>-loop` topic's group, the first in order as a search would find. */
const owners = new WeakMap<readonly GroupModel[], { readonly size: number; readonly byTopic: ReadonlyMap<string, GroupModel> }>();

/** The group owning `topic` as its table or loop; an index built once per model instead of a search per call (watch builds of 500 groups). */
function ownerOf(model: SpecModel, topic: string): GroupModel | undefined {
  let entry = owners.get(model.groups);
  if (entry === undefined || entry.size !== model.groups.length) {
    const byTopic = new Map<string, GroupModel>();
    for (const g of model.groups) {
      for (const t of [tableTopic(g.name), loopTopic(g.name)]) if (!byTopic.has(t)) byTopic.set(t, g);
    }
    entry = { size: model.groups.length, byTopic };
    owners.set(model.groups, entry);
  }
  return entry.byTopic.get(topic);
}

/** The partitioner generated code uses for `topic` (the default when the specs do not say). */
export function topicPartitioner(model: SpecModel, topic: string): PartitionerName {
  return declaredPartitioner(model, topic)?.value ?? DEFAULT_PARTITIONER;
}
