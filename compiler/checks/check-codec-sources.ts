/** GK209: an edge without a written codec needs one the resolver can derive (catalogue, owner's persist/loop). */
import { codecKey } from "../model/build-codec.js";
import { diagnostic, type Diagnostic, type SourceLocation } from "../diagnostics/catalogue.js";
import { where, type Check } from "./check-context.js";
import { codecPlaces, type CodecPlace } from "./codec-places.js";

/** Omitted codecs that cannot be derived. Codecs written but invalid are schema errors, not this. */
export const checkCodecSources: Check = (ctx) => {
  // where another edge writes the topic's codec, the hint can offer it
  const written = new Map<string, CodecPlace>();
  for (const place of codecPlaces(ctx.model)) if (!written.has(place.topic)) written.set(place.topic, place);

  const out: Diagnostic[] = [];
  const missing = (topic: string, at: SourceLocation, role: string) => {
    const elsewhere = written.get(topic);
    const hint =
      elsewhere === undefined
        ? `add \`codec:\` here, or declare \`${topic}\` under \`topics:\` with its partitions and codec`
        : `add \`codec: ${codecKey(elsewhere.codec)}\` as written at ${where(elsewhere.at)}, or declare \`${topic}\` under \`topics:\``;
    out.push(diagnostic("GK209", at, `${role} \`${topic}\` has no codec and is not in the topic catalogue`, hint));
  };
  for (const g of ctx.model.groups) {
    for (const input of g.inputs) {
      if (input.codecAt !== undefined) continue;
      for (const t of input.topics) if (ctx.codecs.topic(t.value) === undefined) missing(t.value, t.at, "input");
    }
    for (const o of g.outputs) {
      if (o.codecAt === undefined && ctx.codecs.topic(o.topic) === undefined) missing(o.topic, o.at, "output");
    }
    for (const [role, refs] of [
      ["join", g.joins],
      ["lookup", g.lookups],
    ] as const) {
      for (const r of refs) {
        // `group: X` takes X's persist codec; a missing X or persist is GK702
        if (r.codecAt === undefined && r.group === undefined && ctx.codecs.topic(r.table) === undefined) missing(r.table, r.at, role);
      }
    }
  }
  return out;
};
