/**
 * Codecs left out in a spec are derived, in this order: the topic catalogue;
 * for `X-table` the persist codec of group X; for `X-loop` the loop codec of
 * group X. A join or lookup written `group: X` takes X's persist codec.
 * Checks (GK209, GK601) and emitters use the same resolver.
 */
import type { SourceLocation } from "../diagnostics/catalogue.js";
import type { CodecModel, GroupModel, InputModel, OutputModel, SpecModel, TableRefModel } from "./model.js";
import { loopTopic, tableTopicGroup } from "./model.js";
import { loopTopicGroup, modelLookup, type ModelLookup } from "./lookup.js";

/** Where a topic's implicit codec comes from. */
export interface CodecSource {
  readonly codec: CodecModel;
  readonly at: SourceLocation;
  readonly from: "catalogue" | "persist" | "loop";
}

/** Resolves omitted codecs against one model; build once, use many times. */
export interface CodecResolver {
  /** The codec a topic has when an edge does not write one, or undefined when it cannot be known. */
  topic(name: string): CodecSource | undefined;
  /** The input's codec: written, or that of its first topic. */
  input(input: InputModel): CodecModel | undefined;
  /** The output's codec: written, or derived from its topic. */
  output(output: OutputModel): CodecModel | undefined;
  /** A join's or lookup's codec: written, X's persist for `group: X`, or derived from its table topic. */
  table(ref: TableRefModel): CodecModel | undefined;
  /** The group of that name, if the specs declare it. */
  group(name: string): GroupModel | undefined;
}

/** Creates a resolver with the model's groups and table/loop topics indexed. */
export function createCodecResolver(model: SpecModel): CodecResolver {
  return codecResolverOver(modelLookup(model));
}

/** A resolver answering through `lookup` (see model/lookup.ts). */
export function codecResolverOver(lookup: ModelLookup): CodecResolver {
  const owned = (name: string): CodecSource | undefined => {
    const table = tableTopicGroup(name);
    if (table !== undefined) {
      const persist = lookup.group(table)?.persist;
      return persist === undefined ? undefined : { codec: persist.codec, at: persist.codecAt, from: "persist" };
    }
    const looped = loopTopicGroup(name);
    const loop = looped === undefined ? undefined : lookup.group(looped)?.loop;
    return loop === undefined || loopTopic(looped ?? "") !== name ? undefined : { codec: loop.codec, at: loop.codecAt, from: "loop" };
  };
  const topic = (name: string): CodecSource | undefined => {
    const decl = lookup.topic(name);
    if (decl !== undefined) return { codec: decl.codec, at: decl.codecAt, from: "catalogue" };
    return owned(name);
  };
  return {
    topic,
    input: (input) => input.codec ?? (input.topics[0] === undefined ? undefined : topic(input.topics[0].value)?.codec),
    output: (output) => output.codec ?? topic(output.topic)?.codec,
    table: (ref) => {
      if (ref.codec !== undefined) return ref.codec;
      if (ref.group !== undefined) return lookup.group(ref.group)?.persist?.codec;
      return topic(ref.table)?.codec;
    },
    group: (name) => lookup.group(name),
  };
}
