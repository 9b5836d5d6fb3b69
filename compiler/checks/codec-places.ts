/** Every place a codec is written in the specs, with the topic it applies to. */
import type { SourceLocation } from "../diagnostics/catalogue.js";
import { loopTopic, tableTopic, type CodecModel, type SpecModel } from "../model/model.js";

/** A codec written in a spec, the topic it is for, and what kind of place it is. */
export interface CodecPlace {
  readonly topic: string;
  readonly codec: CodecModel;
  readonly at: SourceLocation;
  readonly role: "catalogue" | "input" | "output" | "join" | "lookup" | "persist" | "loop";
  readonly group: string | undefined;
}

/**
 * Written codecs, most authoritative first: the catalogue, then each group's
 * persist and loop (the owners of `X-table`/`X-loop`), then every edge in model order.
 */
export function codecPlaces(model: SpecModel): CodecPlace[] {
  const out: CodecPlace[] = [];
  const edges: CodecPlace[] = [];
  for (const t of model.topics.values()) out.push({ topic: t.name, codec: t.codec, at: t.codecAt, role: "catalogue", group: undefined });
  for (const g of model.groups) {
    const group = g.name;
    if (g.persist !== undefined)
      out.push({ topic: tableTopic(g.name), codec: g.persist.codec, at: g.persist.codecAt, role: "persist", group });
    if (g.loop !== undefined) out.push({ topic: loopTopic(g.name), codec: g.loop.codec, at: g.loop.codecAt, role: "loop", group });
    for (const i of g.inputs) {
      if (i.codec === undefined || i.codecAt === undefined) continue;
      for (const t of i.topics) edges.push({ topic: t.value, codec: i.codec, at: i.codecAt, role: "input", group });
    }
    for (const o of g.outputs) {
      if (o.codec !== undefined && o.codecAt !== undefined)
        edges.push({ topic: o.topic, codec: o.codec, at: o.codecAt, role: "output", group });
    }
    for (const j of g.joins) {
      if (j.codec !== undefined && j.codecAt !== undefined)
        edges.push({ topic: j.table, codec: j.codec, at: j.codecAt, role: "join", group });
    }
    for (const l of g.lookups) {
      if (l.codec !== undefined && l.codecAt !== undefined)
        edges.push({ topic: l.table, codec: l.codec, at: l.codecAt, role: "lookup", group });
    }
  }
  return [...out, ...edges];
}
