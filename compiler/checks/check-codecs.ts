/**
 * GK601: a topic has one codec everywhere it is written (catalogue, inputs,
 * outputs, joins, lookups, the owner's persist/loop); and the topics of one
 * `topics:` input without a written codec must derive the same codec.
 */
import { codecKey } from "../model/build-codec.js";
import { diagnostic, type Diagnostic } from "../diagnostics/catalogue.js";
import type { GroupModel } from "../model/model.js";
import type { CodecResolver } from "../model/resolve-codec.js";
import { where, type Check } from "./check-context.js";
import { codecPlaces, type CodecPlace } from "./codec-places.js";

function describePlace(p: CodecPlace): string {
  const owner = p.group === undefined ? "" : ` of group ${p.group}`;
  return `${codecKey(p.codec)} (${p.role}${owner}, ${where(p.at)})`;
}

/** GK601 across the folder: each topic's written codecs agree. */
export const checkCodecConsistency: Check = (ctx) => {
  const byTopic = new Map<string, CodecPlace[]>();
  for (const place of codecPlaces(ctx.model)) {
    const list = byTopic.get(place.topic);
    if (list === undefined) byTopic.set(place.topic, [place]);
    else list.push(place);
  }
  const out: Diagnostic[] = [];
  for (const [topic, places] of byTopic) {
    const reference = places[0];
    if (reference === undefined) continue;
    const referenceKey = codecKey(reference.codec);
    const odd = places.filter((p) => codecKey(p.codec) !== referenceKey);
    if (odd.length === 0) continue;
    const all = places.map(describePlace).join("; ");
    for (const p of odd) {
      out.push(
        diagnostic(
          "GK601",
          p.at,
          `\`${topic}\` has codec ${codecKey(p.codec)} here but ${referenceKey} at ${where(reference.at)}`,
          `use one codec for \`${topic}\` everywhere (or leave it out where the catalogue or owner has it); it appears as: ${all}`,
        ),
      );
    }
  }
  return out;
};

/** GK601 for group `g`: the topics of one `topics:` input without a written codec derive the same codec. */
export function inputCodecRules(g: GroupModel, codecs: CodecResolver): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const input of g.inputs) {
    if (input.codec !== undefined || input.topics.length < 2) continue;
    const derived = input.topics.flatMap((t) => {
      const source = codecs.topic(t.value);
      return source === undefined ? [] : [{ topic: t.value, key: codecKey(source.codec), at: source.at }];
    });
    const first = derived[0];
    const other = derived.find((d) => d.key !== first?.key);
    if (first !== undefined && other !== undefined) {
      out.push(
        diagnostic(
          "GK601",
          input.at,
          `the topics of this input have different codecs: \`${first.topic}\` ${first.key} (${where(first.at)}), \`${other.topic}\` ${other.key} (${where(other.at)})`,
          "one input has one codec: split it into one input per codec",
        ),
      );
    }
  }
  return out;
}

/** Codec consistency across the whole folder. */
export const checkCodecs: Check = (ctx) => [
  ...checkCodecConsistency(ctx),
  ...ctx.model.groups.flatMap((g) => inputCodecRules(g, ctx.codecs)),
];
