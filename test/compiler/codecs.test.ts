import { describe, expect, it } from "vitest";
import { createCodecResolver } from "../../compiler/model/resolve-codec.js";
import { check, found, yaml } from "./helpers.js";

const TOPICS = yaml`
  topics:
    a: { partitions: 2, codec: string }
    b: { partitions: 2, codec: int64 }
    events: { partitions: 2, codec: { json: Event } }
  types:
    Event: { type: object }
`;

describe("codec sources (GK209)", () => {
  it("GK209: omitted codecs on topics the catalogue does not know", () => {
    const result = check({
      "specs/topics.yaml": TOPICS,
      "specs/g.yaml": yaml`
        group: g
        inputs: [{ topic: a }, { topic: unknown-in }]
        lookups: [{ table: some-table }]
        outputs: [{ topic: unknown-out }]
      `,
    });
    expect(found(result).filter((f) => f.startsWith("GK209"))).toEqual([
      "GK209 specs/g.yaml:2:33",
      "GK209 specs/g.yaml:3:11",
      "GK209 specs/g.yaml:4:11",
    ]);
  });

  it("GK209 passing: derived from the catalogue, a group's persist and loop, or written", () => {
    const result = check({
      "specs/topics.yaml": TOPICS,
      "specs/users.yaml": "group: users\ninputs: [{ topic: b }]\npersist: { codec: { json: Event } }\nloop: { codec: string }\n",
      "specs/g.yaml": yaml`
        group: g
        inputs: [{ topic: a }, { topic: users-loop }]
        joins: [{ group: users }]
        lookups: [{ table: users-table }]
        outputs: [{ topic: new-out, codec: bytes }]
      `,
    });
    expect(result.diagnostics).toEqual([]);
    const model = result.model;
    if (model === undefined) throw new Error("no model");
    const resolver = createCodecResolver(model);
    const g = model.groups.find((x) => x.name === "g");
    expect(g?.inputs.map((i) => resolver.input(i))).toEqual([{ kind: "string" }, { kind: "string" }]);
    expect(g?.joins.map((j) => resolver.table(j))).toEqual([{ kind: "json-type", type: "Event" }]);
    expect(g?.lookups.map((j) => resolver.table(j))).toEqual([{ kind: "json-type", type: "Event" }]);
    expect(g?.joins[0]).toMatchObject({ table: "users-table", group: "users", codec: undefined });
  });
});

describe("codec consistency (GK601)", () => {
  it("GK601: a topic with a different codec than the catalogue, at each odd place", () => {
    const result = check({
      "specs/topics.yaml": TOPICS,
      "specs/g.yaml": yaml`
        group: g
        inputs:
          - topic: a
            codec: bytes
        outputs:
          - topic: events
            codec: { json: Other }
        ---
        types:
          Other: { type: object }
      `,
    });
    expect(found(result)).toEqual(["GK601 specs/g.yaml:4:12", "GK601 specs/g.yaml:7:12"]);
    expect(result.diagnostics[0]?.message).toContain("specs/topics.yaml:2:30");
  });

  it("GK601: a group's persist codec against a join's codec for its table", () => {
    const result = check({
      "specs/topics.yaml": TOPICS,
      "specs/users.yaml": "group: users\ninputs: [{ topic: b }]\npersist: { codec: string }\n",
      "specs/g.yaml": "group: g\ninputs: [{ topic: a }]\njoins:\n  - table: users-table\n    codec: int64\n",
    });
    expect(found(result)).toEqual(["GK601 specs/g.yaml:5:12"]);
    expect(result.diagnostics[0]?.hint).toContain("specs/users.yaml:3:19");
  });

  it("GK601: the topics of one input derive different codecs", () => {
    const result = check({
      "specs/topics.yaml": TOPICS,
      "specs/g.yaml": "group: g\ninputs:\n  - topics: [a, b]\n    handler: onAny\n",
    });
    expect(found(result)).toEqual(["GK601 specs/g.yaml:3:5"]);
  });

  it("GK601 passing: the same codec written everywhere (schema paths compared after resolving)", () => {
    const result = check(
      {
        "specs/topics.yaml": "topics:\n  s: { partitions: 1, codec: { json: { schema: ./schemas/s.json } } }\n",
        "specs/sub/g.yaml": "group: g\ninputs:\n  - topic: s\n    codec: { json: { schema: ../schemas/s.json } }\n",
      },
      { extraFiles: { "specs/schemas/s.json": '{"type":"string"}' } },
    );
    expect(result.diagnostics).toEqual([]);
    expect(result.model?.groups[0]?.inputs[0]?.codec).toEqual({ kind: "json-schema", path: "schemas/s.json", typeName: "S" });
  });
});

describe("GK209 hints", () => {
  it("offer the codec another group writes for the topic", () => {
    const result = check({
      "specs/topics.yaml": TOPICS,
      "specs/a.yaml": "group: a\ninputs: [{ topic: a }]\noutputs: [{ topic: alerts, codec: { json: Event } }]\n",
      "specs/b.yaml": "group: b\ninputs: [{ topic: alerts }]\n",
    });
    expect(found(result).filter((f) => f.startsWith("GK209"))).toEqual(["GK209 specs/b.yaml:2:19"]);
    expect(result.diagnostics.find((d) => d.code === "GK209")?.hint).toContain("specs/a.yaml:3:35");
  });
});
