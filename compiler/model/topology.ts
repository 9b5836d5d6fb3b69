/**
 * The whole topology of a spec folder, as `gokac graph` shows it: groups,
 * topics (streams, group tables, loops) with their codecs and partition
 * counts, the edges between them (Goka's Input, Output, Persist, Loop, Join,
 * Lookup) and, derived from those, which group feeds which: a group writing
 * a topic (output, table, loop) feeds every group reading it (input, join,
 * lookup, loop).
 */
import { codecKey } from "./build-codec.js";
import { groupPartitions } from "./partitions.js";
import { topicCatalogue } from "./topic-catalogue.js";
import { loopTopic, tableTopic, type SpecModel } from "./model.js";
import { createCodecResolver } from "./resolve-codec.js";

/** A group of the topology. */
export interface TopologyGroup {
  readonly name: string;
  readonly description?: string;
  readonly file: string;
  readonly partitions?: number;
  readonly visitors: readonly string[];
}

/** A topic of the topology. `table`: some group's `<group>-table` or a joined/looked-up table; `loop`: a `<group>-loop`. */
export interface TopologyTopic {
  readonly name: string;
  readonly kind: "stream" | "table" | "loop";
  readonly codec?: string;
  readonly partitions?: number;
  /** The group that writes this table or loop, when the specs define it. */
  readonly owner?: string;
}

/** What an edge means, in Goka's words. */
export type EdgeKind = "input" | "output" | "persist" | "loopback" | "loop" | "join" | "lookup";

/** A directed edge between a group and a topic (`from`/`to` are `group:<name>` or `topic:<name>`). */
export interface TopologyEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: EdgeKind;
}

/** Group `from` writes `topic`, which group `to` reads as `as`. */
export interface TopologyFeed {
  readonly from: string;
  readonly to: string;
  readonly topic: string;
  readonly as: "input" | "loop" | "join" | "lookup";
}

/** The whole topology; every list in spec order. */
export interface Topology {
  readonly groups: readonly TopologyGroup[];
  readonly topics: readonly TopologyTopic[];
  readonly edges: readonly TopologyEdge[];
  readonly feeds: readonly TopologyFeed[];
}

/** Node id of a group. */
export const groupNode = (name: string): string => `group:${name}`;
/** Node id of a topic. */
export const topicNode = (name: string): string => `topic:${name}`;

/** Builds the topology of a (checked) model. */
export function buildTopology(model: SpecModel): Topology {
  const codecs = createCodecResolver(model);
  const edges: TopologyEdge[] = [];
  const writers = new Map<string, string[]>();
  const readers: { topic: string; group: string; as: TopologyFeed["as"] }[] = [];
  const tables = new Set<string>();
  const loops = new Map<string, string>();
  const owners = new Map<string, string>();
  const write = (group: string, topic: string, kind: EdgeKind) => {
    edges.push({ from: groupNode(group), to: topicNode(topic), kind });
    writers.set(topic, [...(writers.get(topic) ?? []), group]);
  };
  const read = (topic: string, group: string, kind: EdgeKind, as: TopologyFeed["as"]) => {
    edges.push({ from: topicNode(topic), to: groupNode(group), kind });
    readers.push({ topic, group, as });
  };

  for (const g of model.groups) {
    for (const input of g.inputs) for (const t of input.topics) read(t.value, g.name, "input", "input");
    if (g.persist !== undefined) {
      tables.add(tableTopic(g.name));
      owners.set(tableTopic(g.name), g.name);
      write(g.name, tableTopic(g.name), "persist");
    }
    if (g.loop !== undefined) {
      loops.set(loopTopic(g.name), g.name);
      owners.set(loopTopic(g.name), g.name);
      write(g.name, loopTopic(g.name), "loopback");
      read(loopTopic(g.name), g.name, "loop", "loop");
    }
    for (const j of g.joins) {
      tables.add(j.table);
      read(j.table, g.name, "join", "join");
    }
    for (const l of g.lookups) {
      tables.add(l.table);
      read(l.table, g.name, "lookup", "lookup");
    }
    for (const o of g.outputs) write(g.name, o.topic, "output");
  }

  const topics: TopologyTopic[] = topicCatalogue(model, codecs).map((t) => {
    const owner = owners.get(t.name);
    const ownerGroup = owner === undefined ? undefined : model.groups.find((g) => g.name === owner);
    const partitions = t.partitions ?? (ownerGroup === undefined ? undefined : groupPartitions(model, ownerGroup));
    return {
      name: t.name,
      kind: loops.has(t.name) ? "loop" : tables.has(t.name) ? "table" : "stream",
      codec: codecKey(t.codec),
      ...(partitions === undefined ? {} : { partitions }),
      ...(owner === undefined ? {} : { owner }),
    };
  });
  const feeds: TopologyFeed[] = [];
  for (const r of readers) {
    for (const w of writers.get(r.topic) ?? []) feeds.push({ from: w, to: r.group, topic: r.topic, as: r.as });
  }
  const groups = model.groups.map((g): TopologyGroup => {
    const partitions = groupPartitions(model, g);
    return {
      name: g.name,
      file: g.at.file,
      visitors: g.visitors.map((v) => v.name),
      ...(g.description === undefined ? {} : { description: g.description }),
      ...(partitions === undefined ? {} : { partitions }),
    };
  });
  return { groups, topics, edges, feeds };
}
