/** GK209: an edge without a written codec needs one the resolver can derive (catalogue, owner's persist/loop). */
import { codecKey } from "../model/build-codec.js";
import { diagnostic, type Diagnostic, type SourceLocation } from "../diagnostics/catalogue.js";
import type { GroupModel } from "../model/model.js";
import type { CodecResolver } from "../model/resolve-codec.js";
import { folderHints, where, type Check, type FolderHints } from "./check-context.js";

/** GK209 for group `g`: omitted codecs that cannot be derived. Codecs written but invalid are schema errors, not this. */
export function codecSourceRules(g: GroupModel, codecs: CodecResolver, hints: FolderHints): Diagnostic[] {
  const out: Diagnostic[] = [];
  const missing = (topic: string, at: SourceLocation, role: string) => {
    // where another edge writes the topic's codec, the hint can offer it
    const elsewhere = hints.writtenCodec(topic);
    const hint =
      elsewhere === undefined
        ? `add \`codec:\` here, or declare \`${topic}\` under \`topics:\` with its partitions and codec`
        : `add \`codec: ${codecKey(elsewhere.codec)}\` as written at ${where(elsewhere.at)}, or declare \`${topic}\` under \`topics:\``;
    out.push(diagnostic("GK209", at, `${role} \`${topic}\` has no codec and is not in the topic catalogue`, hint));
  };
  for (const input of g.inputs) {
    if (input.codecAt !== undefined) continue;
    for (const t of input.topics) if (codecs.topic(t.value) === undefined) missing(t.value, t.at, "input");
  }
  for (const o of g.outputs) {
    if (o.codecAt === undefined && codecs.topic(o.topic) === undefined) missing(o.topic, o.at, "output");
  }
  for (const [role, refs] of [
    ["join", g.joins],
    ["lookup", g.lookups],
  ] as const) {
    for (const r of refs) {
      // `group: X` takes X's persist codec; a missing X or persist is GK702
      if (r.codecAt === undefined && r.group === undefined && codecs.topic(r.table) === undefined) missing(r.table, r.at, role);
    }
  }
  return out;
}

/** Omitted codecs that cannot be derived, in every group. */
export const checkCodecSources: Check = (ctx) => {
  const hints = folderHints(ctx.model);
  return ctx.model.groups.flatMap((g) => codecSourceRules(g, ctx.codecs, hints));
};
