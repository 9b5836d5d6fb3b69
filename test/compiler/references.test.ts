import { describe, expect, it } from "vitest";
import { check, found, yaml } from "./helpers.js";

const TOPICS = "topics:\n  a: { partitions: 2, codec: string }\n";

describe("references (GK701–GK708)", () => {
  it("GK701: an unknown type, with a did-you-mean", () => {
    const result = check({
      "specs/a.yaml": yaml`
        types:
          Click: { type: object }
        ---
        topics:
          clicks: { partitions: 1, codec: { json: Clik } }
      `,
    });
    expect(found(result)).toEqual(["GK701 specs/a.yaml:5:43"]);
    expect(result.diagnostics[0]?.hint).toContain("`Click`");
  });

  it("GK701 passing: the type declared in another file", () => {
    const result = check({
      "specs/a.yaml": "topics:\n  clicks: { partitions: 1, codec: { json: Click } }\n",
      "specs/b.yaml": "types:\n  Click: { type: object }\n",
    });
    expect(result.diagnostics).toEqual([]);
  });

  it("GK702: a join naming an unknown group, and a group without persist", () => {
    const result = check({
      "specs/topics.yaml": TOPICS,
      "specs/users.yaml": "group: users\ninputs: [{ topic: a }]\n",
      "specs/g.yaml": "group: g\ninputs: [{ topic: a }]\njoins:\n  - group: user\n  - group: users\n",
    });
    expect(found(result)).toEqual(["GK702 specs/g.yaml:4:5", "GK702 specs/g.yaml:5:5"]);
    expect(result.diagnostics[0]?.hint).toContain("`users`");
    expect(result.diagnostics[1]?.hint).toContain("specs/users.yaml:1:8");
  });

  it("GK702 passing: the group persists", () => {
    const result = check({
      "specs/topics.yaml": TOPICS,
      "specs/users.yaml": "group: users\ninputs: [{ topic: a }]\npersist: { codec: string }\n",
      "specs/g.yaml": "group: g\ninputs: [{ topic: a }]\njoins:\n  - group: users\n",
    });
    expect(result.diagnostics).toEqual([]);
  });

  it("GK703: joining or looking up a table no spec defines is a warning", () => {
    const result = check({
      "specs/topics.yaml": TOPICS,
      "specs/g.yaml": yaml`
        group: g
        inputs: [{ topic: a }]
        lookups:
          - table: nowhere-table
            codec: string
        joins:
          - table: users-table
            codec: string
        ---
        group: users
        inputs: [{ topic: a }]
      `,
    });
    expect(result.diagnostics.map((d) => `${d.code} ${d.severity} ${d.line}:${d.column}`)).toEqual([
      "GK703 warning 4:5",
      "GK703 warning 7:5",
    ]);
    expect(result.diagnostics[1]?.hint).toContain("specs/g.yaml:10:8");
  });

  it("GK703 passing: tables from the catalogue or a persisting group", () => {
    const result = check({
      "specs/topics.yaml": `${TOPICS}  geo-table: { partitions: 1, codec: string }\n`,
      "specs/g.yaml":
        "group: g\ninputs: [{ topic: a }]\nlookups: [{ table: geo-table }, { table: users-table }]\n---\ngroup: users\ninputs: [{ topic: a }]\npersist: { codec: string }\n",
    });
    expect(result.diagnostics).toEqual([]);
  });

  it("GK704: a $ref to an unknown type, and to something outside the types", () => {
    const result = check({
      "specs/a.yaml": yaml`
        types:
          Click:
            type: object
            properties:
              user: { $ref: "#/types/Usr" }
              meta: { $ref: "https://example.com/meta.json" }
          User: { type: object }
      `,
    });
    expect(found(result)).toEqual(["GK704 specs/a.yaml:5:21", "GK704 specs/a.yaml:6:21"]);
    expect(result.diagnostics[0]?.hint).toContain("`User`");
  });

  it("GK704 passing: refs to declared types and the type's own $defs", () => {
    const result = check({
      "specs/a.yaml": yaml`
        types:
          Click:
            type: object
            properties:
              user: { $ref: "#/types/User" }
              at: { $ref: "#/$defs/Instant" }
            $defs:
              Instant: { type: string, format: date-time }
          User: { type: object }
      `,
    });
    expect(result.diagnostics).toEqual([]);
  });

  it("GK705: absolute paths and paths leaving the project", () => {
    const result = check({
      "specs/a.yaml": yaml`
        topics:
          x: { partitions: 1, codec: { json: { schema: /etc/x.json } } }
          y: { partitions: 1, codec: { json: { schema: ../../y.json } } }
          z: { partitions: 1, codec: { custom: { module: "C:\\\\codecs\\\\z.ts", export: zCodec } } }
      `,
    });
    expect(found(result)).toEqual(["GK705 specs/a.yaml:2:48", "GK705 specs/a.yaml:3:48", "GK705 specs/a.yaml:4:50"]);
  });

  it("GK705 passing: a path outside the spec folder but inside the project", () => {
    const result = check(
      {
        "specs/a.yaml": "topics:\n  y: { partitions: 1, codec: { json: { schema: ../schemas/y.json } } }\n",
      },
      { extraFiles: { "schemas/y.json": "{}" } },
    );
    expect(result.diagnostics).toEqual([]);
    expect([...(result.model?.topics.values() ?? [])][0]?.codec).toEqual({ kind: "json-schema", path: "../schemas/y.json", typeName: "Y" });
  });

  it("GK706: missing schema file and custom module", () => {
    const result = check({
      "specs/a.yaml": yaml`
        topics:
          x: { partitions: 1, codec: { json: { schema: ./x.json } } }
          z: { partitions: 1, codec: { custom: { module: ./codecs/z.js, export: zCodec } } }
      `,
    });
    expect(found(result)).toEqual(["GK706 specs/a.yaml:2:48", "GK706 specs/a.yaml:3:50"]);
  });

  it("GK706 passing: files present (a `.js` module name finds its `.ts` source)", () => {
    const result = check(
      {
        "specs/a.yaml": yaml`
        topics:
          x: { partitions: 1, codec: { json: { schema: ./x.json } } }
          z: { partitions: 1, codec: { custom: { module: ./codecs/z.js, export: zCodec } } }
      `,
      },
      { extraFiles: { "specs/x.json": '{"type":"object"}', "specs/codecs/z.ts": "export const zCodec = {};" } },
    );
    expect(result.diagnostics).toEqual([]);
    expect(result.model?.topics.get("z")?.codec).toEqual({ kind: "custom", module: "codecs/z.js", export: "zCodec" });
  });

  it("GK707: a schema file that is not JSON, or not a JSON Schema; each reference is reported", () => {
    const result = check(
      {
        "specs/a.yaml": yaml`
        topics:
          x: { partitions: 1, codec: { json: { schema: ./x.json } } }
          y: { partitions: 1, codec: { json: { schema: ./y.json } } }
          y2: { partitions: 1, codec: { json: { schema: ./y.json } } }
      `,
      },
      { extraFiles: { "specs/x.json": "{ not json", "specs/y.json": '{"type": "strin"}' } },
    );
    expect(found(result)).toEqual(["GK707 specs/a.yaml:2:48", "GK707 specs/a.yaml:3:48", "GK707 specs/a.yaml:4:49"]);
  });

  it("GK707 passing: a valid schema file", () => {
    const result = check(
      {
        "specs/a.yaml": "topics:\n  y: { partitions: 1, codec: { json: { schema: ./y.json } } }\n",
      },
      { extraFiles: { "specs/y.json": '{"type": "string", "minLength": 1}' } },
    );
    expect(result.diagnostics).toEqual([]);
  });

  it("GK708: a type whose schema ajv rejects", () => {
    const result = check({
      "specs/a.yaml": yaml`
        types:
          Good: { type: object }
          Bad: { type: objekt }
          Worse: { type: string, pattern: "([" }
      `,
    });
    expect(found(result)).toEqual(["GK708 specs/a.yaml:3:16", "GK708 specs/a.yaml:4:3"]); // at the bad keyword when the meta-schema says which; else at the type
  });

  it("GK708 passing: valid schemas, also with refs to other types", () => {
    const result = check({
      "specs/a.yaml": yaml`
        types:
          Good: { type: object, properties: { other: { $ref: "#/types/Other" } }, required: [other] }
          Other: { type: string, pattern: "^[a-z]+$", format: email }
      `,
    });
    expect(result.diagnostics).toEqual([]);
  });
});
