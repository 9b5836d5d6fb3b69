/** Partitions per group: a derived view of the model, for emitters, the topology and the CLI. */
import { modelLookup, type ModelLookup } from "./lookup.js";
import type { GroupModel, SpecModel } from "./model.js";

/** The group's copartitioned partition count when the specs know it: its own `partitions:`, else an input's catalogue count. */
export function groupPartitions(model: SpecModel, g: GroupModel): number | undefined {
  return groupPartitionsIn(modelLookup(model), g);
}

/** `groupPartitions`, looking topics up through `lookup`. */
export function groupPartitionsIn(lookup: ModelLookup, g: GroupModel): number | undefined {
  if (g.partitions !== undefined) return g.partitions.value;
  for (const input of g.inputs) {
    for (const t of input.topics) {
      const n = lookup.topic(t.value)?.partitions;
      if (n !== undefined) return n;
    }
  }
  return undefined;
}
