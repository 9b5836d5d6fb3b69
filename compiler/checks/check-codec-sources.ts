/** GK209: an edge without a written codec needs one the resolver can derive (catalogue, owner's persist/loop). */
import { diagnostic, type Diagnostic, type SourceLocation } from "../diagnostics.js";
import type { Check } from "./check-context.js";

function missing(topic: string, at: SourceLocation, role: string): Diagnostic {
  return diagnostic("GK209", at, `${role} \`${topic}\` has no codec and is not in the topic catalogue`,
    `add \`codec:\` here, or declare \`${topic}\` under \`topics:\` with its partitions and codec`);
}

/** Omitted codecs that cannot be derived. Codecs written but invalid are schema errors, not this. */
export const checkCodecSources: Check = (ctx) => {
  const out: Diagnostic[] = [];
  for (const g of ctx.model.groups) {
    for (const input of g.inputs) {
      if (input.codecAt !== undefined) continue;
      for (const t of input.topics) if (ctx.codecs.topic(t.value) === undefined) out.push(missing(t.value, t.at, "input"));
    }
    for (const o of g.outputs) {
      if (o.codecAt === undefined && ctx.codecs.topic(o.topic) === undefined) out.push(missing(o.topic, o.at, "output"));
    }
    for (const [role, refs] of [["join", g.joins], ["lookup", g.lookups]] as const) {
      for (const r of refs) {
        // `group: X` takes X's persist codec; a missing X or persist is GK702
        if (r.codecAt === undefined && r.group === undefined && ctx.codecs.topic(r.table) === undefined) out.push(missing(r.table, r.at, role));
      }
    }
  }
  return out;
};
