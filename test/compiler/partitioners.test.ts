/** `partitioner:` on topics and groups: the schema, GK503, and what the emitted code carries to the runtime. */
import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/compile.js";
import { check, found, yaml } from "./helpers.js";

const TOPICS = yaml`
  topics:
    goka-in: { partitions: 4, codec: string, partitioner: goka }
    goka-too: { partitions: 4, codec: string, partitioner: goka }
    plain-in: { partitions: 4, codec: string }
    kafka-in: { partitions: 4, codec: string, partitioner: kafka }
    ext-table: { partitions: 4, codec: string, partitioner: goka }
    out: { partitions: 2, codec: string, partitioner: goka }
`;

function build(spec: string): Map<string, string> {
  const result = compile({
    analyzeInput: {
      root: "specs",
      projectRoot: ".",
      files: [
        { path: "specs/topics.yaml", text: TOPICS },
        { path: "specs/g.yaml", text: spec },
      ],
      readFile: () => undefined,
    },
    outDir: "generated",
    existingFiles: () => undefined,
  });
  expect(found(result.diagnostics.filter((d) => d.severity === "error"))).toEqual([]);
  return new Map(result.files.map((f) => [f.path, f.content]));
}

describe("partitioners (GK503)", () => {
  it("GK503: a goka input next to a kafka input, at the odd one", () => {
    const result = check({ "specs/topics.yaml": TOPICS, "specs/g.yaml": "group: g\ninputs: [{ topic: goka-in }, { topic: plain-in }]\n" });
    expect(found(result)).toEqual(["GK503 specs/g.yaml:2:39"]);
  });

  it("GK503: goka inputs with a persisting group on the default partitioner, at the input; the hint offers the group's key", () => {
    const result = check({
      "specs/topics.yaml": TOPICS,
      "specs/g.yaml": "group: g\ninputs: [{ topic: goka-in }]\npersist: { codec: string }\n",
    });
    expect(found(result)).toEqual(["GK503 specs/g.yaml:2:19"]);
    expect(result.diagnostics[0]?.hint).toContain("partitioner: goka");
  });

  it("GK503: a kafka join against a goka group, and another group's table takes that group's partitioner", () => {
    const result = check({
      "specs/topics.yaml": TOPICS,
      "specs/users.yaml": "group: users\ninputs: [{ topic: kafka-in }]\npersist: { codec: string }\n",
      "specs/g.yaml": "group: g\ninputs: [{ topic: goka-in }]\njoins: [{ group: users }]\npartitioner: goka\n",
    });
    expect(found(result)).toEqual(["GK503 specs/g.yaml:3:9"]);
  });

  it("GK503 passing: goka inputs, a goka join and a goka group; outputs and lookups are not copartitioned", () => {
    const result = check({
      "specs/topics.yaml": TOPICS,
      "specs/g.yaml": yaml`
        group: g
        inputs: [{ topic: goka-in }, { topic: goka-too }]
        joins: [{ table: ext-table }]
        lookups: [{ table: plain-table, codec: string }]
        outputs: [{ topic: plain-in }]
        persist: { codec: string }
        loop: { codec: string }
        partitioner: goka
      `,
    });
    expect(found(result).filter((f) => f.startsWith("GK503"))).toEqual([]);
    // explicit kafka equals the default
    expect(
      found(
        check({
          "specs/topics.yaml": TOPICS,
          "specs/g.yaml": "group: g\ninputs: [{ topic: kafka-in }, { topic: plain-in }]\npersist: { codec: string }\n",
        }),
      ),
    ).toEqual([]);
  });

  it("an unknown partitioner is a schema error (GK103)", () => {
    const result = check({ "specs/topics.yaml": "topics:\n  t: { partitions: 1, codec: string, partitioner: fnv }\n" });
    expect(found(result)).toEqual(["GK103 specs/topics.yaml:2:51"]);
  });

  it("topics.ts and the graph carry goka to the runtime; the default stays implicit", () => {
    const files = build(yaml`
      group: g
      inputs: [{ topic: goka-in }]
      joins: [{ table: ext-table }]
      lookups: [{ table: plain-table, codec: string }]
      outputs: [{ topic: out }, { topic: plain-in }]
      persist: { codec: string }
      loop: { codec: string }
      partitioner: goka
    `);
    const topics = files.get("generated/topics.ts") ?? "";
    expect(topics).toContain(`defineTopic("goka-in", codecs.string, { partitioner: "goka" })`);
    expect(topics).toContain(`defineTopic("g-table", codecs.string, { partitioner: "goka" })`);
    expect(topics).toContain(`defineTopic("g-loop", codecs.string, { partitioner: "goka" })`);
    expect(topics).toContain(`defineTopic("plain-in", codecs.string);`);
    expect(topics).toContain(`defineTopic("plain-table", codecs.string);`);
    const graph = files.get("generated/g/graph.ts") ?? "";
    expect(graph).toContain(`partitioner: "goka",\n};`);
    expect(graph).toMatch(/\{ table: extTable\.name, codec: extTable\.codec, partitioner: "goka" \}/);
    expect(graph).toMatch(/\{ table: plainTable\.name, codec: plainTable\.codec \}/);
    expect(graph).toMatch(/\{ topic: out\.name, codec: out\.codec, partitioner: "goka" \}/);
    expect(graph).toMatch(/handler: "gokaIn", partitioner: "goka" \}/);
  });
});
