import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { specSchema } from "../../compiler/analyze.js";
import { checkOne, found, yaml } from "./helpers.js";

const TOPICS = yaml`
  topics:
    user-clicks: { partitions: 8, codec: string }
`;

function group(body: string): string {
  return `${TOPICS}---\n${body}`;
}

describe("spec schema (GK101, GK102, GK103)", () => {
  it("is itself a valid draft 2020-12 schema", () => {
    const ajv = new Ajv2020({ strict: false });
    expect(ajv.validateSchema(specSchema as object)).toBe(true);
  });

  it("an editor's validator accepts every section of a full spec and rejects a typo", () => {
    const validate = new Ajv2020({ strict: false }).compile(specSchema as object);
    const spec = {
      topics: { "user-clicks": { partitions: 8, codec: { json: "Click" }, description: "clicks" } },
      types: { Click: { type: "object" } },
      group: "clicks",
      description: "Counts clicks per user.",
      inputs: [
        { topic: "user-clicks", handler: "onClick" },
        { topics: ["a", "b"], codec: "string", handler: "onOther" },
      ],
      persist: { codec: { json: { schema: "./count.json" } } },
      loop: { codec: "int64", handler: "onLoop" },
      joins: [{ table: "users-table", codec: { json: "User" } }, { group: "geo" }],
      lookups: [{ table: "geo-table", codec: "string" }],
      outputs: [{ topic: "alerts", codec: { custom: { module: "./codecs/alert.ts", export: "alertCodec" } } }],
      visitors: [{ name: "reset", handler: "onReset" }],
      partitions: 8,
    };
    expect(validate(spec)).toBe(true);
    expect(validate({ ...spec, persit: {} })).toBe(false);
  });

  it("GK101: an unknown key points at the key, with a did-you-mean hint", () => {
    const result = checkOne(yaml`
      group: clicks
      inputs: [{ topic: user-clicks, codec: string }]
      persit:
        codec: string
    `);
    expect(found(result)).toEqual(["GK101 specs/spec.yaml:3:1"]);
    expect(result.diagnostics[0]?.pointer).toBe("/persit");
    expect(result.diagnostics[0]?.hint).toContain("`persist`");
  });

  it("GK101: an unknown key deep inside an input", () => {
    const result = checkOne(yaml`
      group: clicks
      inputs:
        - topic: user-clicks
          codec: string
          handlr: onClick
    `);
    expect(found(result)).toEqual(["GK101 specs/spec.yaml:5:5"]);
    expect(result.diagnostics[0]?.hint).toContain("`handler`");
  });

  it("GK101 passing: the key spelt right", () => {
    const result = checkOne(
      group(yaml`
      group: clicks
      inputs: [{ topic: user-clicks, codec: string }]
      persist:
        codec: string
    `),
    );
    expect(result.diagnostics).toEqual([]);
  });

  it("GK102: a catalogue entry without partitions", () => {
    const result = checkOne(yaml`
      topics:
        user-clicks:
          codec: string
    `);
    expect(found(result)).toEqual(["GK102 specs/spec.yaml:3:5"]);
    expect(result.diagnostics[0]?.pointer).toBe("/topics/user-clicks");
  });

  it("GK102: an input with neither topic nor topics is one finding, not ajv's oneOf cascade", () => {
    const result = checkOne(
      group(yaml`
      group: clicks
      inputs:
        - codec: string
    `),
    );
    expect(found(result)).toEqual(["GK102 specs/spec.yaml:6:5"]);
  });

  it("a misspelt `group` key is one finding, not also a missing `group`", () => {
    const result = checkOne("Group: g\ninputs: [{ topic: user-clicks, codec: string }]\n");
    expect(result.diagnostics.map((d) => d.code)).toEqual(["GK101"]);
    expect(result.diagnostics[0]?.hint).toContain("`group`");
  });

  it("top-level `x-` keys hold YAML anchors; `<<` merges them", () => {
    const result = checkOne(yaml`
      x-topic: &topic { partitions: 3, codec: string }
      topics:
        a: { <<: *topic }
        b:
          <<: *topic
          partitions: 4
    `);
    expect(result.diagnostics).toEqual([]);
    expect([...(result.model?.topics.values() ?? [])].map((t) => [t.name, t.partitions])).toEqual([
      ["a", 3],
      ["b", 4],
    ]);
  });

  it("GK102: group keys without `group:`", () => {
    const result = checkOne(yaml`
      inputs: [{ topic: user-clicks, codec: string }]
    `);
    expect(found(result)).toEqual(["GK102 specs/spec.yaml:1:1"]);
  });

  it("GK102 passing: the entry complete", () => {
    const result = checkOne(yaml`
      topics:
        user-clicks:
          partitions: 3
          codec: string
    `);
    expect(result.diagnostics).toEqual([]);
  });

  it("GK103: wrong scalar types", () => {
    const result = checkOne(
      group(yaml`
      group: clicks
      inputs: [{ topic: user-clicks }]
      partitions: eight
      visitors: { name: reset }
    `),
    );
    expect(found(result)).toEqual(["GK103 specs/spec.yaml:6:13", "GK103 specs/spec.yaml:7:11"]);
  });

  it("GK103: a name YAML reads as a number, with a hint to quote it", () => {
    const result = checkOne("group: 2024\ninputs: [{ topic: user-clicks, codec: string }]\n");
    expect(found(result)).toEqual(["GK103 specs/spec.yaml:1:8"]);
    expect(result.diagnostics[0]?.hint).toContain('"2024"');
  });

  it("GK103: a document that is not a mapping", () => {
    expect(found(checkOne("- just\n- a list\n"))).toEqual(["GK103 specs/spec.yaml:1:1"]);
  });

  it("GK103: both topic and topics", () => {
    const result = checkOne(
      group(yaml`
      group: clicks
      inputs:
        - topic: user-clicks
          topics: [user-clicks]
    `),
    );
    expect(found(result)).toEqual(["GK103 specs/spec.yaml:7:5"]);
  });

  it("GK103 passing: partitions as an integer", () => {
    const result = checkOne(
      group(yaml`
      group: clicks
      inputs: [{ topic: user-clicks }]
      partitions: 8
    `),
    );
    expect(result.diagnostics).toEqual([]);
  });
});

describe("codec union errors are the single most specific finding", () => {
  const withCodec = (codec: string) =>
    checkOne(yaml`
    group: clicks
    inputs:
      - topic: user-clicks
        codec: ${codec}
  `);

  it("misspelt codec name → GK103 at the value with a suggestion", () => {
    const result = withCodec("strng");
    expect(found(result)).toEqual(["GK103 specs/spec.yaml:4:12"]);
    expect(result.diagnostics[0]?.hint).toContain("`string`");
  });

  it("misspelt union key → GK101 at the key", () => {
    const result = withCodec("{ jsn: Click }");
    expect(found(result)).toEqual(["GK101 specs/spec.yaml:4:14"]);
    expect(result.diagnostics[0]?.hint).toContain("`json`");
  });

  it("{ json: { schem: x } } → GK101 at schem (GK102 for the missing schema is reported too)", () => {
    const result = withCodec("{ json: { schem: ./x.json } }");
    expect(result.diagnostics.map((d) => `${d.code} ${d.pointer}`)).toEqual([
      "GK102 /inputs/0/codec/json",
      "GK101 /inputs/0/codec/json/schem",
    ]);
  });

  it("{ custom: { module } } without export → GK102", () => {
    const result = withCodec("{ custom: { module: ./c.ts } }");
    expect(result.diagnostics.map((d) => `${d.code} ${d.pointer}`)).toEqual(["GK102 /inputs/0/codec/custom"]);
  });

  it("{ custom: { module, export: 1x } } → GK103 at export", () => {
    const result = withCodec("{ custom: { module: ./c.ts, export: 1x } }");
    expect(result.diagnostics.filter((d) => d.code.startsWith("GK1")).map((d) => `${d.code} ${d.pointer}`)).toEqual([
      "GK103 /inputs/0/codec/custom/export",
    ]);
  });

  it("json and custom together → one GK103", () => {
    const result = withCodec("{ json: A, custom: { module: ./c.ts, export: c } }");
    expect(result.diagnostics.map((d) => `${d.code} ${d.pointer}`)).toEqual(["GK103 /inputs/0/codec"]);
  });

  it("a list → GK103", () => {
    expect(withCodec("[string]").diagnostics.map((d) => d.code)).toEqual(["GK103"]);
  });

  it("every valid form passes the schema", () => {
    for (const codec of ["string", "int64", "float64", "boolean", "bytes", "json"]) {
      expect(withCodec(codec).diagnostics.filter((d) => d.code.startsWith("GK1"))).toEqual([]);
    }
    expect(withCodec("{ json: { schema: ./x.json } }").diagnostics.filter((d) => d.code.startsWith("GK1"))).toEqual([]);
    expect(withCodec("{ custom: { module: ./c.ts, export: cCodec } }").diagnostics.filter((d) => d.code.startsWith("GK1"))).toEqual([]);
  });
});
