/** `gokac graph` on the example specs shows who feeds whom in Goka's 3-messaging. */
import { describe, expect, it } from "vitest";
import { analyze } from "../../compiler/analyze.js";
import { renderDot, renderMermaid } from "../../compiler/emit/render-topology.js";
import { readSpecFolder } from "../../cli/io/read-specs.js";
import { buildTopology } from "../../compiler/model/topology.js";
import { repoRoot } from "./golden-helpers.js";

describe("topology of the examples", () => {
  const model = analyze(readSpecFolder(repoRoot, "specs")).model;
  if (model === undefined) throw new Error("the example specs do not analyze");
  const topology = buildTopology(model);

  it("lists every group and table", () => {
    expect(topology.groups.map((g) => g.name).sort()).toEqual([
      "blocker",
      "collector",
      "detector",
      "example-group",
      "example-visit-group",
      "message_filter",
      "mini-group",
      "multiInput",
      "translator",
    ]);
    expect(topology.topics.filter((t) => t.kind === "table").map((t) => t.name)).toContain("blocker-table");
    expect(topology.topics.find((t) => t.name === "detector-loop")).toMatchObject({ kind: "loop", owner: "detector", partitions: 8 });
  });

  it("derives which group feeds which", () => {
    const feeds = topology.feeds.map((f) => `${f.from} -> ${f.to} via ${f.topic} (${f.as})`).sort();
    expect(feeds).toEqual([
      "blocker -> message_filter via blocker-table (join)",
      "detector -> blocker via block_user (input)",
      "detector -> detector via detector-loop (loop)",
      "message_filter -> collector via message_received (input)",
      "translator -> message_filter via translator-table (lookup)",
    ]);
  });

  it("renders one node per group and topic and one edge per edge", () => {
    const mermaid = renderMermaid(topology);
    const dot = renderDot(topology);
    const nodes = topology.groups.length + topology.topics.length;
    expect(mermaid.split("\n").filter((l) => /^ {2}n\d+[[(]/.test(l))).toHaveLength(nodes);
    expect(mermaid.split("\n").filter((l) => l.includes("-->"))).toHaveLength(topology.edges.length);
    expect(dot.split("\n").filter((l) => / -> /.test(l))).toHaveLength(topology.edges.length);
  });
});
