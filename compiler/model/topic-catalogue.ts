/**
 * Every topic the specs know (catalogue entries, inputs, outputs, joined and
 * looked-up tables, group tables, loops) with the codec generated code uses
 * for it, in a deterministic order: catalogue first, then each group's edges
 * in spec order. Shared by topics.ts, graph.ts and `gokac graph`.
 */
import type { CodecResolver } from "./resolve-codec.js";
import { loopTopic, tableTopic, type CodecModel, type PartitionerName, type SpecModel, type TopicCompression } from "./model.js";
import { topicPartitioner } from "./partitioners.js";
import { modelLookup } from "./lookup.js";
import { topicConstName } from "../shared/names.js";

/** One topic of generated `topics.ts`. */
export interface CatalogueTopic {
  readonly name: string;
  /** The constant naming it in `topics.ts`. */
  readonly constName: string;
  readonly codec: CodecModel;
  readonly description: string | undefined;
  readonly partitions: number | undefined;
  /** The catalogue's `compression:` when not `none`. */
  readonly compression: TopicCompression | undefined;
  /** How keys are placed on it (catalogue, else the owning group's; default `kafka`). */
  readonly partitioner: PartitionerName;
}

/** The topics of `model`, each once, with a codec; topics whose codec cannot be known are left out (GK209 reported them). */
export function topicCatalogue(model: SpecModel, codecs: CodecResolver): CatalogueTopic[] {
  const topics = new Map<string, CatalogueTopic>();
  const lookup = modelLookup(model);
  /** `edgeCodec` is asked only for a topic not added yet (most edges name a topic seen before). */
  const add = (name: string, edgeCodec: () => CodecModel | undefined) => {
    if (topics.has(name)) return;
    const resolved = codecs.topic(name)?.codec ?? edgeCodec();
    if (resolved === undefined) return;
    const decl = model.topics.get(name);
    topics.set(name, {
      name,
      constName: topicConstName(name),
      codec: resolved,
      description: decl?.description,
      partitions: decl?.partitions,
      compression: decl?.compression,
      partitioner: topicPartitioner(lookup, name),
    });
  };
  for (const t of model.topics.values()) add(t.name, () => t.codec);
  for (const g of model.groups) {
    for (const input of g.inputs) for (const t of input.topics) add(t.value, () => codecs.input(input));
    for (const o of g.outputs) add(o.topic, () => codecs.output(o));
    for (const j of g.joins) add(j.table, () => codecs.table(j));
    for (const l of g.lookups) add(l.table, () => codecs.table(l));
    const persist = g.persist;
    if (persist !== undefined) add(tableTopic(g.name), () => persist.codec);
    const loop = g.loop;
    if (loop !== undefined) add(loopTopic(g.name), () => loop.codec);
  }
  return [...topics.values()];
}
