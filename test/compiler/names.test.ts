import { describe, expect, it } from "vitest";
import {
  camelCase,
  groupConstPrefix,
  groupTypePrefix,
  isLegalGroupName,
  isLegalTopicName,
  isReservedWord,
  isValidIdentifier,
  pascalCase,
  schemaFileTypeName,
  topicConstName,
} from "../../compiler/shared/names.js";
import { check, checkOne, found, yaml } from "./helpers.js";

describe("name helpers", () => {
  it("camelCase and pascalCase split at non-alphanumerics and keep inner capitals", () => {
    expect(camelCase("user-clicks")).toBe("userClicks");
    expect(camelCase("clicks-table")).toBe("clicksTable");
    expect(camelCase("a.b_c")).toBe("aBC");
    expect(camelCase("UserClicks")).toBe("userClicks");
    expect(camelCase("orders.v2-raw")).toBe("ordersV2Raw");
    expect(pascalCase("user-clicks")).toBe("UserClicks");
    expect(pascalCase("clicks")).toBe("Clicks");
  });

  it("generated identifiers are always usable", () => {
    expect(topicConstName("123-abc")).toBe("_123Abc");
    expect(topicConstName("delete")).toBe("delete_");
    expect(topicConstName("user-clicks")).toBe("userClicks");
    expect(groupConstPrefix("clicks")).toBe("clicks");
    expect(groupTypePrefix("click-counter")).toBe("ClickCounter");
    expect(schemaFileTypeName("specs/schemas/user-event.schema.json")).toBe("UserEvent");
    expect(schemaFileTypeName("order.json")).toBe("Order");
  });

  it("name rules", () => {
    expect(isLegalTopicName("a".repeat(249))).toBe(true);
    expect(isLegalTopicName("a".repeat(250))).toBe(false);
    expect(isLegalTopicName("..")).toBe(false);
    expect(isLegalTopicName("a b")).toBe(false);
    expect(isLegalGroupName("g".repeat(243))).toBe(true);
    expect(isLegalGroupName("g".repeat(244))).toBe(false);
    expect(isValidIdentifier("$on_1")).toBe(true);
    expect(isValidIdentifier("1on")).toBe(false);
    expect(isReservedWord("class")).toBe(true);
    expect(isReservedWord("onClick")).toBe(false);
  });
});

describe("name diagnostics (GK301–GK305)", () => {
  it("GK301: illegal topic names in the catalogue (at the key) and in edges (at the value)", () => {
    const result = checkOne(yaml`
      topics:
        bad topic: { partitions: 1, codec: string }
        ..: { partitions: 1, codec: string }
        a/b~c: { partitions: 1, codec: string }
      ---
      group: g
      inputs: [{ topic: "x/y", codec: string }]
    `);
    expect(found(result)).toEqual([
      "GK301 specs/spec.yaml:2:3",
      "GK301 specs/spec.yaml:3:3",
      "GK301 specs/spec.yaml:4:3",
      "GK301 specs/spec.yaml:7:19",
    ]);
    expect(result.diagnostics[2]?.pointer).toBe("/topics/a~1b~0c");
  });

  it("GK301 passing: legal topic names", () => {
    const result = checkOne(yaml`
      topics:
        good.topic_name-1: { partitions: 1, codec: string }
      ---
      group: g
      inputs: [{ topic: good.topic_name-1 }]
    `);
    expect(result.diagnostics).toEqual([]);
  });

  it("GK302: illegal group names, including ones too long for <group>-table", () => {
    const long = "g".repeat(244);
    const result = checkOne(
      `group: "clicks!"\ninputs: [{ topic: a, codec: string }]\n---\ngroup: ${long}\ninputs: [{ topic: a, codec: string }]\n`,
    );
    expect(found(result)).toEqual(["GK302 specs/spec.yaml:1:8", "GK302 specs/spec.yaml:4:8"]);
  });

  it("GK302 passing: the longest legal group name", () => {
    const result = checkOne(`topics:\n  a: { partitions: 1, codec: string }\n---\ngroup: ${"g".repeat(243)}\ninputs: [{ topic: a }]\n`);
    expect(result.diagnostics).toEqual([]);
  });

  it("GK303: written handler names that are not identifiers or are reserved", () => {
    const result = checkOne(yaml`
      topics:
        a: { partitions: 1, codec: string }
        b: { partitions: 1, codec: string }
      ---
      group: g
      inputs:
        - topic: a
          handler: on-a
        - topic: b
          handler: class
    `);
    expect(found(result)).toEqual(["GK303 specs/spec.yaml:8:14", "GK303 specs/spec.yaml:10:14"]);
  });

  it("GK303: a default handler name that is not an identifier points at the topic", () => {
    const result = checkOne(yaml`
      topics:
        1st-clicks: { partitions: 1, codec: string }
      ---
      group: g
      inputs:
        - topic: 1st-clicks
      persist: { codec: string }
      visitors:
        - name: delete
    `);
    expect(found(result)).toEqual(["GK303 specs/spec.yaml:6:12", "GK303 specs/spec.yaml:9:11"]);
  });

  it("GK303 passing: explicit handlers fix what defaults cannot", () => {
    const result = checkOne(yaml`
      topics:
        1st-clicks: { partitions: 1, codec: string }
      ---
      group: g
      inputs:
        - topic: 1st-clicks
          handler: onFirstClicks
      persist: { codec: string }
      visitors:
        - name: delete
          handler: deleteAll
    `);
    expect(result.diagnostics).toEqual([]);
  });

  it("GK304: type names must be PascalCase", () => {
    const result = checkOne(yaml`
      types:
        click: { type: object }
        Click_Count: { type: object }
    `);
    expect(found(result)).toEqual(["GK304 specs/spec.yaml:2:3", "GK304 specs/spec.yaml:3:3"]);
  });

  it("GK304 passing: PascalCase type names", () => {
    expect(checkOne("types:\n  Click: { type: object }\n  ClickCount2: { type: object }\n").diagnostics).toEqual([]);
  });

  it("GK305: topics whose constants collide, and groups whose prefixes collide", () => {
    const result = check({
      "specs/a.yaml": yaml`
        topics:
          a-b: { partitions: 1, codec: string }
          a_b: { partitions: 1, codec: string }
      `,
      "specs/b.yaml": yaml`
        group: click-count
        inputs: [{ topic: a-b }]
        ---
        group: click.count
        inputs: [{ topic: a-b }]
      `,
    });
    // one finding per colliding name, though `click.count` collides by type prefix and constant prefix alike
    expect(found(result)).toEqual(["GK305 specs/a.yaml:3:3", "GK305 specs/b.yaml:4:8"]);
  });

  it("GK305: a schema file type colliding with a declared type, and types named like generated ones", () => {
    const result = check(
      {
        "specs/a.yaml": yaml`
        types:
          Click: { type: object }
          ClicksContext: { type: object }
        ---
        topics:
          user-clicks: { partitions: 1, codec: { json: { schema: ./click.json } } }
        ---
        group: clicks
        inputs: [{ topic: user-clicks }]
      `,
      },
      { extraFiles: { "specs/click.json": '{ "type": "object" }' } },
    );
    expect(found(result)).toEqual(["GK305 specs/a.yaml:3:3", "GK305 specs/a.yaml:6:58"]);
  });

  it("GK305: a custom codec export named like a topic constant, or exported by two modules", () => {
    const result = check(
      {
        "specs/a.yaml": yaml`
        topics:
          money-codec: { partitions: 1, codec: { custom: { module: ./codecs/m.ts, export: moneyCodec } } }
          other: { partitions: 1, codec: { custom: { module: ./codecs/n.ts, export: moneyCodec } } }
      `,
      },
      { extraFiles: { "specs/codecs/m.ts": "export const moneyCodec = {};", "specs/codecs/n.ts": "export const moneyCodec = {};" } },
    );
    expect(found(result)).toEqual(["GK305 specs/a.yaml:2:40", "GK305 specs/a.yaml:3:34"]);
  });

  it("GK305 passes: distinct custom codec exports", () => {
    const result = check(
      {
        "specs/a.yaml": yaml`
        topics:
          money: { partitions: 1, codec: { custom: { module: ./codecs/m.ts, export: moneyCodec } } }
          other: { partitions: 1, codec: { custom: { module: ./codecs/m.ts, export: moneyCodec } } }
      `,
      },
      { extraFiles: { "specs/codecs/m.ts": "export const moneyCodec = {};" } },
    );
    expect(found(result)).toEqual([]);
  });

  it("GK305: a group folder differing only in case", () => {
    const result = checkOne(yaml`
      topics:
        a: { partitions: 1, codec: string }
      ---
      group: Clicks
      inputs: [{ topic: a }]
      ---
      group: clicks
      inputs: [{ topic: a }]
    `);
    expect(found(result)).toEqual(["GK305 specs/spec.yaml:7:8"]);
  });

  it("GK305: names that clash with bindings generated files declare or import", () => {
    const result = checkOne(yaml`
      topics:
        codecs: { partitions: 1, codec: string }
        clicks-graph: { partitions: 1, codec: string }
      types:
        GroupGraph: { type: object }
        Click: { type: object }
      ---
      group: clicks
      inputs:
        - topic: codecs
          handler: onCodecs
        - topic: clicks-graph
          handler: Click
    `);
    expect(found(result)).toEqual([
      "GK305 specs/spec.yaml:2:3", // topic const `codecs`
      "GK305 specs/spec.yaml:5:3", // type GroupGraph
      "GK305 specs/spec.yaml:12:12", // topic const `clicksGraph` in clicks' graph.ts
      "GK305 specs/spec.yaml:13:14", // handler named like an imported type
    ]);
  });

  it("GK305 passing: distinct generated names", () => {
    const result = check(
      {
        "specs/a.yaml": yaml`
        topics:
          a-b: { partitions: 1, codec: string }
          a-c: { partitions: 1, codec: { json: { schema: ./schemas/click-event.schema.json } } }
        types:
          Click: { type: object }
        ---
        group: click-count
        inputs: [{ topic: a-b }, { topic: a-c, codec: { json: { schema: ./schemas/click-event.schema.json } } }]
      `,
      },
      { extraFiles: { "specs/schemas/click-event.schema.json": '{ "type": "object" }' } },
    );
    expect(result.diagnostics).toEqual([]);
  });
});
