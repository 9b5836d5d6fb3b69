/**
 * Name lookups into a model: the catalogue topic, the group and the type of a
 * name. Rules that look at one group (and emitters of one group's file) reach
 * the rest of the folder only through a lookup, so a watch build can record
 * what they asked and reuse their result while the answers stay the same
 * (compiler/incremental/). `modelLookup` answers from a whole model.
 */
import { loopTopic, tableTopic, tableTopicGroup, type GroupModel, type SpecModel, type TopicDecl, type TypeDecl } from "./model.js";

/** The declarations of a folder by name. */
export interface ModelLookup {
  /** The catalogue entry (`topics:`) of a topic. */
  topic(name: string): TopicDecl | undefined;
  /** The group of that name (the first declared, like the model). */
  group(name: string): GroupModel | undefined;
  /** The type (`types:`) of that name. */
  type(name: string): TypeDecl | undefined;
}

const lookups = new WeakMap<SpecModel, ModelLookup>();

/** The lookup of `model`, its group index built once per model. */
export function modelLookup(model: SpecModel): ModelLookup {
  let lookup = lookups.get(model);
  if (lookup === undefined) {
    const groups = new Map<string, GroupModel>();
    for (const g of model.groups) if (!groups.has(g.name)) groups.set(g.name, g);
    lookup = {
      topic: (name) => model.topics.get(name),
      group: (name) => groups.get(name),
      type: (name) => model.types.get(name),
    };
    lookups.set(model, lookup);
  }
  return lookup;
}

/** The group whose `<group>-loop` `topic` would be, or undefined for other names. */
export function loopTopicGroup(topic: string): string | undefined {
  const suffix = loopTopic("");
  return topic.endsWith(suffix) ? topic.slice(0, -suffix.length) : undefined;
}

/** The group owning `topic` as its table (`<g>-table`) or loop (`<g>-loop`), when the specs declare it. */
export function ownerGroup(lookup: ModelLookup, topic: string): GroupModel | undefined {
  const name = tableTopicGroup(topic) ?? loopTopicGroup(topic);
  const owner = name === undefined ? undefined : lookup.group(name);
  return owner !== undefined && (tableTopic(owner.name) === topic || loopTopic(owner.name) === topic) ? owner : undefined;
}
