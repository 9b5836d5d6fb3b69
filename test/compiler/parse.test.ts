import { describe, expect, it } from "vitest";
import { parseSpecFile } from "../../compiler/parse/parse.js";
import { check, checkOne, found, yaml } from "./helpers.js";

describe("parse (GK001, GK002)", () => {
  it("GK001: a YAML syntax error is reported at its position", () => {
    const result = checkOne(yaml`
      group: clicks
      inputs:
        - topic: [unclosed
    `);
    expect(found(result)).toEqual(["GK001 specs/spec.yaml:4:1"]); // where the flow sequence should have ended
  });

  it("GK001: a duplicate key is an error at the second key", () => {
    const result = checkOne(yaml`
      group: clicks
      inputs:
        - topic: user-clicks
          codec: string
      group: other
    `);
    expect(found(result)).toEqual(["GK001 specs/spec.yaml:5:1"]);
  });

  it("GK001: a duplicate key deep inside a mapping is found too", () => {
    const result = checkOne(yaml`
      topics:
        a:
          partitions: 1
          codec: string
          partitions: 2
    `);
    expect(found(result)).toEqual(["GK001 specs/spec.yaml:5:5"]);
  });

  it("GK001 passing: the same document without the duplicate is clean", () => {
    const result = checkOne(yaml`
      group: clicks
      inputs:
        - topic: user-clicks
          codec: string
    `);
    expect(result.diagnostics.filter((d) => d.code === "GK001")).toEqual([]);
  });

  it("GK001: only the broken document of a multi-document file is left out", () => {
    const result = checkOne(yaml`
      topics:
        a: { partitions: 1, codec: string }
      ---
      group: [broken
      ---
      group: g
      inputs: [{ topic: a }]
    `);
    expect(result.diagnostics.map((d) => d.code)).toEqual(["GK001"]);
    expect(result.diagnostics[0]?.line).toBe(5); // where the flow sequence should have ended
    expect(result.model?.groups.map((g) => g.name)).toEqual(["g"]);
    expect([...(result.model?.topics.keys() ?? [])]).toEqual(["a"]);
  });

  it("GK001: alias bombs are refused instead of expanded", () => {
    const lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"];
    for (let i = 1; i < 8; i++)
      lines.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [*${String.fromCharCode(96 + i)}, *${String.fromCharCode(96 + i)}, *${String.fromCharCode(96 + i)}, *${String.fromCharCode(96 + i)}, *${String.fromCharCode(96 + i)}, *${String.fromCharCode(96 + i)}, *${String.fromCharCode(96 + i)}, *${String.fromCharCode(96 + i)}, *${String.fromCharCode(96 + i)}, *${String.fromCharCode(96 + i)}]`,
      );
    const result = checkOne(lines.join("\n"));
    expect(result.diagnostics.map((d) => d.code)).toEqual(["GK001"]);
  });

  it("GK001: tabs as indentation", () => {
    expect(found(checkOne("group: g\ninputs:\n\t- topic: a\n"))).toEqual(["GK001 specs/spec.yaml:3:1"]);
  });

  it("a byte order mark and CRLF line ends do not shift positions", () => {
    const result = checkOne("\uFEFFgroup: g\r\ninputs: [{ topic: a, codec: strin }]\r\n");
    expect(found(result)).toEqual(["GK103 specs/spec.yaml:2:29"]);
  });

  it("GK002: no spec files at all", () => {
    const result = check({});
    expect(found(result)).toEqual(["GK002 specs:1:1"]);
    expect(result.model).toBeUndefined();
  });

  it("GK002 passing: an empty file (only comments) declares nothing and is fine", () => {
    const result = check({ "specs/empty.yaml": "# nothing here yet\n" });
    expect(result.diagnostics).toEqual([]);
    expect(result.model?.groups).toEqual([]);
  });

  it("maps pointers to 1-based positions, keys or values", () => {
    const text = yaml`
      group: clicks
      inputs:
        - topic: user-clicks
          handler: onClick
    `;
    const [doc] = parseSpecFile("a.yaml", text).documents;
    expect(doc?.locate("/inputs/0/handler")).toMatchObject({ line: 4, column: 14, pointer: "/inputs/0/handler" });
    expect(doc?.locate("/inputs/0/handler", "key")).toMatchObject({ line: 4, column: 5 });
    expect(doc?.locate("/inputs/0")).toMatchObject({ line: 3, column: 5 });
    // a missing node falls back to its deepest existing ancestor
    expect(doc?.locate("/inputs/0/codec")).toMatchObject({ line: 3, column: 5 });
    expect(doc?.locate("")).toMatchObject({ line: 1, column: 1 });
  });

  it("keeps positions in later documents of a file", () => {
    const text = "topics: {}\n---\ngroup: g\ninputs:\n  - topic: x\n";
    const { documents } = parseSpecFile("a.yaml", text);
    expect(documents[1]?.locate("/inputs/0/topic")).toMatchObject({ line: 5, column: 12 });
  });
});
