/** Printing a topology as Mermaid, Graphviz DOT or JSON (`gokac graph --format`). */
import { groupNode, topicNode, type EdgeKind, type Topology } from "../model/topology.js";

/** The formats `gokac graph` prints. */
export const GRAPH_FORMATS = ["mermaid", "dot", "json"] as const;
/** One of GRAPH_FORMATS. */
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

const EDGE_LABELS: Readonly<Record<EdgeKind, string>> = {
  input: "input",
  output: "output",
  persist: "persist",
  loopback: "loopback",
  loop: "loop",
  join: "join",
  lookup: "lookup",
};

/** Node ids valid in both Mermaid and DOT (`n0`, `n1`, …), by `group:x` / `topic:x` id. */
function nodeIds(t: Topology): Map<string, string> {
  const ids = new Map<string, string>();
  for (const g of t.groups) ids.set(groupNode(g.name), `n${ids.size}`);
  for (const topic of t.topics) ids.set(topicNode(topic.name), `n${ids.size}`);
  for (const e of t.edges) for (const id of [e.from, e.to]) if (!ids.has(id)) ids.set(id, `n${ids.size}`);
  return ids;
}

function label(id: string): string {
  return id.slice(id.indexOf(":") + 1);
}

function mermaidText(text: string): string {
  return `"${text.replace(/"/g, "#quot;")}"`;
}

/** A Mermaid flowchart: groups as boxes, streams as stadiums, tables and loops as cylinders. */
export function renderMermaid(t: Topology): string {
  const ids = nodeIds(t);
  const lines = ["flowchart LR"];
  for (const [id, node] of ids) {
    const topic = t.topics.find((x) => topicNode(x.name) === id);
    const text = mermaidText(topic?.codec === undefined ? label(id) : `${label(id)}<br/>${topic.codec}`);
    if (id.startsWith("group:")) lines.push(`  ${node}[${text}]`);
    else if (topic !== undefined && topic.kind !== "stream") lines.push(`  ${node}[(${text})]`);
    else lines.push(`  ${node}([${text}])`);
  }
  for (const e of t.edges) lines.push(`  ${ids.get(e.from)} -->|${EDGE_LABELS[e.kind]}| ${ids.get(e.to)}`);
  return `${lines.join("\n")}\n`;
}

function dotString(text: string): string {
  return JSON.stringify(text);
}

/** A Graphviz digraph: groups as boxes, streams as ellipses, tables and loops as cylinders. */
export function renderDot(t: Topology): string {
  const ids = nodeIds(t);
  const lines = ["digraph gokac {", "  rankdir=LR;"];
  for (const [id, node] of ids) {
    const topic = t.topics.find((x) => topicNode(x.name) === id);
    const shape = id.startsWith("group:") ? "box" : topic !== undefined && topic.kind !== "stream" ? "cylinder" : "ellipse";
    const text = topic?.codec === undefined ? label(id) : `${label(id)}\n${topic.codec}`;
    lines.push(`  ${node} [label=${dotString(text)}, shape=${shape}];`);
  }
  for (const e of t.edges) lines.push(`  ${ids.get(e.from)} -> ${ids.get(e.to)} [label=${dotString(EDGE_LABELS[e.kind])}];`);
  lines.push("}");
  return `${lines.join("\n")}\n`;
}

/** The topology as pretty JSON. */
export function renderJson(t: Topology): string {
  return `${JSON.stringify(t, null, 2)}\n`;
}

/** The topology in `format`. */
export function renderTopology(t: Topology, format: GraphFormat): string {
  return format === "dot" ? renderDot(t) : format === "json" ? renderJson(t) : renderMermaid(t);
}
