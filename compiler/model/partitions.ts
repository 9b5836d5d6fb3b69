/** Partitions per group: a derived view of the model, for emitters, the topology and the CLI. */
import type { GroupModel, SpecModel } from "./model.js";

/** The group's copartitioned partition count when the specs know it: its own `partitions:`, else an input's catalogue count. */
export function groupPartitions(model: SpecModel, g: GroupModel): number | undefined {
  if (g.partitions !== undefined) return g.partitions.value;
  for (const input of g.inputs) {
    for (const t of input.topics) {
      const n = model.topics.get(t.value)?.partitions;
      if (n !== undefined) return n;
    }
  }
  return undefined;
}
