/**
 * Every topic the specs know (catalogue entries, inputs, outputs, joined and
 * looked-up tables, group tables, loops) with the codec generated code uses
 * for it, in a deterministic order: catalogue first, then each group's edges
 * in spec order. Shared by topics.ts, graph.ts and `gokac graph`.
 */
import type { CodecResolver } from "./resolve-codec.js";
import {
  loopTopic,
  tableTopic,
  type CodecModel,
  type GroupModel,
  type PartitionerName,
  type SpecModel,
  type TopicCompression,
  type TopicDecl,
} from "./model.js";
import { topicPartitioner } from "./partitioners.js";
import { modelLookup, type ModelLookup } from "./lookup.js";
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

/** The entry of topic `name`: its codec as the catalogue or its owner gives it, else `edgeCodec`; undefined when neither is known. */
function catalogueEntry(
  lookup: ModelLookup,
  codecs: CodecResolver,
  name: string,
  edgeCodec: () => CodecModel | undefined,
): CatalogueTopic | undefined {
  const resolved = codecs.topic(name)?.codec ?? edgeCodec();
  if (resolved === undefined) return undefined;
  const decl = lookup.topic(name);
  return {
    name,
    constName: topicConstName(name),
    codec: resolved,
    description: decl?.description,
    partitions: decl?.partitions,
    compression: decl?.compression,
    partitioner: topicPartitioner(lookup, name),
  };
}

/**
 * The entries group `g` would add, in edge order (inputs, outputs, joins,
 * lookups, its table, its loop), each name once: the first edge of a name
 * whose codec is known. `codecs` must answer through `lookup`.
 */
export function groupCatalogueEntries(g: GroupModel, lookup: ModelLookup, codecs: CodecResolver): CatalogueTopic[] {
  const entries = new Map<string, CatalogueTopic>();
  const add = (name: string, edgeCodec: () => CodecModel | undefined) => {
    if (entries.has(name)) return;
    const entry = catalogueEntry(lookup, codecs, name, edgeCodec);
    if (entry !== undefined) entries.set(name, entry);
  };
  for (const input of g.inputs) for (const t of input.topics) add(t.value, () => codecs.input(input));
  for (const o of g.outputs) add(o.topic, () => codecs.output(o));
  for (const j of g.joins) add(j.table, () => codecs.table(j));
  for (const l of g.lookups) add(l.table, () => codecs.table(l));
  const persist = g.persist;
  if (persist !== undefined) add(tableTopic(g.name), () => persist.codec);
  const loop = g.loop;
  if (loop !== undefined) add(loopTopic(g.name), () => loop.codec);
  return [...entries.values()];
}

/** A catalogue entry's topic entry depends on the entry alone (it is its own catalogue answer), so it is kept by entry. */
const declEntries = new WeakMap<TopicDecl, CatalogueTopic | undefined>();

/**
 * The topics of `model`, each once, with a codec; topics whose codec cannot be
 * known are left out (GK209 reported them). Catalogue entries come first, then
 * each group's (`groupCatalogueEntries`, or `perGroup` when given, e.g. kept
 * between watch builds); the first entry of a name wins.
 */
export function topicCatalogue(
  model: SpecModel,
  codecs: CodecResolver,
  perGroup?: (g: GroupModel) => readonly CatalogueTopic[],
): CatalogueTopic[] {
  const topics = new Map<string, CatalogueTopic>();
  const lookup = modelLookup(model);
  for (const t of model.topics.values()) {
    if (topics.has(t.name)) continue;
    if (!declEntries.has(t))
      declEntries.set(
        t,
        catalogueEntry(lookup, codecs, t.name, () => t.codec),
      );
    const entry = declEntries.get(t);
    if (entry !== undefined) topics.set(t.name, entry);
  }
  for (const g of model.groups) {
    for (const entry of perGroup?.(g) ?? groupCatalogueEntries(g, lookup, codecs))
      if (!topics.has(entry.name)) topics.set(entry.name, entry);
  }
  return [...topics.values()];
}
