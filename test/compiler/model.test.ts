import { describe, expect, it } from "vitest";
import { createCodecResolver } from "../../compiler/model/resolve-codec.js";
import { CATALOGUE_FILE, check, found, yaml } from "./helpers.js";

/** The group from the spec-language contract, with what it needs around it. */
const CLICKS = yaml`
  group: clicks                     # Kafka consumer group; also names <group>-table, <group>-loop
  description: Counts clicks per user.
  inputs:
    - topic: user-clicks
      codec: { json: Click }
      handler: onClick
    - topics: [ad-clicks, promo-clicks]
      codec: string
      handler: onOtherClick
  persist:
    codec: { json: ClickCount }
  loop:
    codec: string
    handler: onLoop
  joins:
    - table: users-table
      codec: { json: User }
  lookups:
    - table: geo-table
      codec: string
  outputs:
    - topic: alerts
      codec: { json: Alert }
  visitors:
    - name: reset
      handler: onReset
  partitions: 8
`;

const MORE_TOPICS = "topics:\n  promo-clicks: { partitions: 8, codec: string }\n";

describe("model building", () => {
  it("the contract's example builds cleanly into the model", () => {
    const result = check({ "specs/catalogue.yaml": CATALOGUE_FILE, "specs/more.yaml": MORE_TOPICS, "specs/clicks/clicks.yaml": CLICKS });
    expect(result.diagnostics).toEqual([]);
    const model = result.model;
    expect(model?.root).toBe("specs");
    expect([...(model?.topics.keys() ?? [])]).toEqual(["user-clicks", "ad-clicks", "users-table", "geo-table", "alerts", "promo-clicks"]);
    expect([...(model?.types.keys() ?? [])]).toEqual(["Click", "ClickCount", "User", "Alert"]);
    const g = model?.groups[0];
    expect(g).toMatchObject({
      name: "clicks",
      description: "Counts clicks per user.",
      file: "clicks/clicks.yaml",
      at: { file: "specs/clicks/clicks.yaml", line: 1, column: 8, pointer: "/group" },
      persist: { codec: { kind: "json-type", type: "ClickCount" } },
      loop: { codec: { kind: "string" }, handler: "onLoop" },
      joins: [{ table: "users-table", group: undefined, codec: { kind: "json-type", type: "User" } }],
      lookups: [{ table: "geo-table", group: undefined, codec: { kind: "string" } }],
      outputs: [{ topic: "alerts", codec: { kind: "json-type", type: "Alert" } }],
      visitors: [{ name: "reset", handler: "onReset" }],
      partitions: { value: 8, at: { line: 27, column: 13 } },
    });
    expect(g?.inputs.map((i) => ({ topics: i.topics.map((t) => t.value), handler: i.handler, codec: i.codec }))).toEqual([
      { topics: ["user-clicks"], handler: "onClick", codec: { kind: "json-type", type: "Click" } },
      { topics: ["ad-clicks", "promo-clicks"], handler: "onOtherClick", codec: { kind: "string" } },
    ]);
    expect(model?.topics.get("users-table")).toMatchObject({
      partitions: 8,
      codec: { kind: "json-type", type: "User" },
      at: { file: "specs/catalogue.yaml", line: 4, column: 3, pointer: "/topics/users-table" },
      partitionsAt: { line: 4, column: 30 },
    });
    expect(model?.types.get("ClickCount")?.schema).toMatchObject({ type: "object" });
  });

  it("defaults: handler from the (first) topic, loop handler `loop`, visitor handler from its name, join group → table", () => {
    const result = check({
      "specs/catalogue.yaml": `${CATALOGUE_FILE}\n---\n${MORE_TOPICS}`,
      "specs/users.yaml": "group: users\ninputs: [{ topic: ad-clicks }]\npersist: { codec: { json: User } }\n",
      "specs/g.yaml": yaml`
        group: g
        inputs:
          - topic: user-clicks
          - topics: [promo-clicks]
        persist: { codec: string }
        loop: { codec: string }
        joins: [{ group: users }]
        visitors: [{ name: reset-all }]
      `,
    });
    expect(result.diagnostics).toEqual([]);
    const g = result.model?.groups.find((x) => x.name === "g");
    expect(g?.inputs.map((i) => i.handler)).toEqual(["userClicks", "promoClicks"]);
    expect(g?.inputs[0]?.codec).toBeUndefined();
    expect(g?.loop?.handler).toBe("loop");
    expect(g?.visitors[0]?.handler).toBe("resetAll");
    expect(g?.joins[0]).toMatchObject({ table: "users-table", group: "users", codec: undefined });
    const model = result.model;
    if (model === undefined || g === undefined) throw new Error("no model");
    const resolve = createCodecResolver(model);
    expect(resolve.input(g.inputs[0] as never)).toEqual({ kind: "json-type", type: "Click" });
    expect(resolve.table(g.joins[0] as never)).toEqual({ kind: "json-type", type: "User" });
    expect(resolve.topic("g-loop")).toMatchObject({ codec: { kind: "string" }, from: "loop" });
  });

  it("several documents in one file, groups in file order, first declaration wins", () => {
    const result = check({
      "specs/b.yaml": "group: b\ninputs: [{ topic: ad-clicks }]\n---\ngroup: a\ninputs: [{ topic: ad-clicks }]\n",
      "specs/a.yaml": CATALOGUE_FILE,
    });
    expect(result.diagnostics).toEqual([]);
    expect(result.model?.groups.map((g) => g.name)).toEqual(["b", "a"]);
  });

  it("the model is still built when some documents are broken", () => {
    const result = check({ "specs/a.yaml": CATALOGUE_FILE, "specs/b.yaml": "group: g\ninputs: [{ topic: ad-clicks }]\nbogus: 1\n" });
    expect(result.diagnostics.map((d) => d.code)).toEqual(["GK101"]);
    expect(result.model?.groups.map((g) => g.name)).toEqual(["g"]);
  });

  it("while a document is off-schema, cross-spec findings that would only echo it wait", () => {
    const result = check({
      "specs/a.yaml": "topics:\n  t: { partitions: many, codec: string }\n",
      "specs/b.yaml": "group: g\ninputs: [{ topic: t }]\n",
    });
    // without the first error there would also be GK209 (no codec for t) and GK502 (unknown count)
    expect(found(result)).toEqual(["GK103 specs/a.yaml:2:20"]);
  });

  it("diagnostics are sorted by file, line, column, code", () => {
    const result = check({
      "specs/z.yaml": "group: z\ninputs: []\n",
      "specs/a.yaml": "group: a\ninputs: []\nvisitors: [{ name: v }]\n",
    });
    expect(result.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.code}`)).toEqual([
      "specs/a.yaml:1:8 GK201",
      "specs/a.yaml:3:12 GK204",
      "specs/z.yaml:1:8 GK201",
    ]);
  });

  it("is deterministic", () => {
    const files = { "specs/catalogue.yaml": CATALOGUE_FILE, "specs/more.yaml": MORE_TOPICS, "specs/clicks.yaml": CLICKS };
    expect(JSON.stringify(check(files).diagnostics)).toBe(JSON.stringify(check(files).diagnostics));
  });
});
