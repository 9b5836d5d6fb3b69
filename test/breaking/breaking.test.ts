/** Breaking-change rules: one fixture pair per rule (code and line), additive changes reporting nothing, and edge cases inline. */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { analyze, type AnalyzeInput } from "../../compiler/analyze.js";
import { BREAKING_CODES, findBreakingChanges } from "../../compiler/breaking/find-breaking-changes.js";
import { CATALOGUE } from "../../compiler/diagnostics/catalogue.js";
import { yaml } from "../compiler/helpers.js";
import { compareFixture, located } from "./breaking-helpers.js";

/** Analysis errors of a fixture (every fixture must analyse cleanly). */
function errorsOf(result: ReturnType<typeof compareFixture>["next"]): string[] {
  return result.diagnostics.filter((d) => d.severity === "error").map((d) => `${d.code} ${d.file}:${d.line}`);
}

/** Inline spec texts (`{ "specs/x.yaml": text }`) as an AnalyzeInput. */
function input(files: Readonly<Record<string, string>>, extra: Readonly<Record<string, string>> = {}): AnalyzeInput {
  return {
    root: "specs",
    projectRoot: ".",
    files: Object.entries(files)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([path, text]) => ({ path, text })),
    readFile: (path) => extra[path],
  };
}

/** The breaking changes between two inline spec folders (both must analyse without errors). */
function breaking(old: AnalyzeInput, next: AnalyzeInput): string[] {
  const oldResult = analyze(old);
  const nextResult = analyze(next);
  expect(oldResult.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  expect(nextResult.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  if (oldResult.model === undefined || nextResult.model === undefined) throw new Error("no model");
  return located(findBreakingChanges({ input: old, model: oldResult.model }, { input: next, model: nextResult.model }));
}

describe("breaking-change fixtures", () => {
  const cases: readonly [string, readonly string[]][] = [
    ["gk951-table-codec", ["GK951 counter.yaml:8:10"]],
    ["gk952-partitions", ["GK952 counter.yaml:3:17"]],
    // a removal points at the old spec: the group's declaration there
    ["gk953-group-removed", ["GK953 users.yaml:5:8"]],
    ["gk954-partitioner", ["GK954 counter.yaml:5:18", "GK954 counter.yaml:8:14"]],
    ["gk955-topic-codec", ["GK955 counter.yaml:2:35", "GK955 counter.yaml:9:12"]],
    ["gk956-required-property", ["GK956 clicks.yaml:11:22"]],
    ["gk957-removed-property", ["GK957 clicks.yaml:7:7"]],
    // inside a referenced JSON Schema file, at the `properties` that lost one
    ["gk957-schema-file", ["GK957 order.schema.json:3:17"]],
    ["gk958-narrowed-type", ["GK958 clicks.yaml:9:22"]],
    ["gk959-removed-enum-value", ["GK959 clicks.yaml:10:21"]],
  ];
  for (const [rule, expected] of cases) {
    it(`${rule}: ${expected.map((e) => e.split(" ")[0]).join(", ")} at the changed line`, () => {
      const result = compareFixture(rule);
      expect(errorsOf(result.old)).toEqual([]);
      expect(errorsOf(result.next)).toEqual([]);
      expect(located(result.findings)).toEqual(expected);
      for (const f of result.findings) expect(f.severity).toBe("error");
    });
  }

  it("has a fixture pair for every rule", () => {
    const dirs = readdirSync(fileURLToPath(new URL("./fixtures/", import.meta.url)));
    for (const code of BREAKING_CODES)
      expect(
        dirs.some((d) => d.startsWith(code.toLowerCase())),
        code,
      ).toBe(true);
    for (const code of BREAKING_CODES) expect(CATALOGUE[code].severity).toBe("error");
  });

  it("additive: a new group, topic, output, optional property, enum value and a widened type report nothing", () => {
    const result = compareFixture("additive");
    expect(errorsOf(result.next)).toEqual([]);
    expect(result.findings).toEqual([]);
  });

  it("identical specs report nothing", () => {
    for (const rule of ["gk951-table-codec", "gk957-schema-file", "gk953-group-removed"]) {
      const dir = fileURLToPath(new URL(`./fixtures/${rule}/old`, import.meta.url));
      const side = compareFixture(rule).old;
      const files = readdirSync(dir)
        .filter((f) => f.endsWith(".yaml"))
        .sort()
        .map((f) => ({ path: f, text: readFileSync(`${dir}/${f}`, "utf8") }));
      const same: AnalyzeInput = { root: ".", projectRoot: ".", files, readFile: (p) => readFileSync(`${dir}/${p}`, "utf8") };
      if (side.model === undefined) throw new Error("no model");
      expect(findBreakingChanges({ input: same, model: side.model }, { input: same, model: side.model })).toEqual([]);
    }
  });
});

describe("breaking-change rules, inline", () => {
  const group = (persist: string, extra = "") =>
    `topics:\n  clicks: { partitions: 4, codec: string }\n---\ngroup: counter\ninputs:\n  - topic: clicks\npersist:\n  codec: ${persist}\n${extra}\n`;

  it("GK952: a group's own `partitions:` changing its table's count", () => {
    const spec = (n: number) => yaml`
      group: counter
      inputs:
        - topic: clicks
          codec: string
      persist:
        codec: int64
      partitions: ${n}
    `;
    expect(breaking(input({ "specs/a.yaml": spec(4) }), input({ "specs/a.yaml": spec(6) }))).toEqual(["GK952 specs/a.yaml:7:13"]);
  });

  it("GK952 passing: a stateless one-input group's topic may change its count", () => {
    const spec = (n: number) =>
      `topics:\n  clicks: { partitions: ${n}, codec: string }\n---\ngroup: relay\ninputs:\n  - topic: clicks\noutputs:\n  - topic: out\n    codec: string\n`;
    expect(breaking(input({ "specs/a.yaml": spec(4) }), input({ "specs/a.yaml": spec(8) }))).toEqual([]);
  });

  it("GK953: a group that stops persisting while another looks its table up, pointing at the new group", () => {
    const reader = "group: reader\ninputs:\n  - topic: q\n    codec: string\nlookups:\n  - table: counter-table\n    codec: int64\n";
    const stateless = "group: counter\ninputs:\n  - topic: clicks\n    codec: string\n";
    expect(
      breaking(
        input({ "specs/a.yaml": group("int64"), "specs/r.yaml": reader }),
        input({ "specs/a.yaml": stateless, "specs/r.yaml": reader }),
      ),
    ).toEqual(["GK953 specs/a.yaml:1:8"]);
  });

  it("GK953 passing: a removed group whose table nobody reads", () => {
    const other = "group: other\ninputs:\n  - topic: q\n    codec: string\n";
    expect(breaking(input({ "specs/a.yaml": group("int64"), "specs/o.yaml": other }), input({ "specs/o.yaml": other }))).toEqual([]);
  });

  it("GK955: a loop's codec", () => {
    expect(
      breaking(
        input({ "specs/a.yaml": group("int64", "loop:\n  codec: string") }),
        input({ "specs/a.yaml": group("int64", "loop:\n  codec: bytes") }),
      ),
    ).toEqual(["GK955 specs/a.yaml:10:10"]);
  });

  it("GK958: untyped `json` becoming a type; widening a type back to `json` is fine", () => {
    const typed = group("{ json: Count }", "types:\n  Count: { type: integer }");
    expect(breaking(input({ "specs/a.yaml": group("json") }), input({ "specs/a.yaml": typed }))).toEqual(["GK958 specs/a.yaml:10:18"]);
    expect(breaking(input({ "specs/a.yaml": typed }), input({ "specs/a.yaml": group("json") }))).toEqual([]);
  });

  it("GK958: a type closed with additionalProperties: false, and a raised minimum", () => {
    const type = (extra: string) =>
      group(
        "{ json: C }",
        `types:\n  C: { type: object, properties: { n: { type: integer${extra} } }${extra === "" ? "" : ", additionalProperties: false"} }`,
      );
    expect(breaking(input({ "specs/a.yaml": type("") }), input({ "specs/a.yaml": type(", minimum: 1") }))).toEqual([
      "GK958 specs/a.yaml:10:65", // minimum: 1
      "GK958 specs/a.yaml:10:94", // additionalProperties: false
    ]);
  });

  it("a renamed type with the same schema, and recursive types, report nothing", () => {
    const tree = (name: string) =>
      group(
        `{ json: ${name} }`,
        `types:\n  ${name}: { type: object, properties: { children: { type: array, items: { $ref: "#/types/${name}" } } } }`,
      );
    expect(breaking(input({ "specs/a.yaml": tree("Node") }), input({ "specs/a.yaml": tree("TreeNode") }))).toEqual([]);
  });

  it("a JSON change in a recursive type is found once, below the recursion", () => {
    const tree = (required: string) =>
      group(
        "{ json: Node }",
        `types:\n  Node: { type: object, properties: { v: { type: string }, children: { type: array, items: { $ref: "#/types/Node" } } }${required} }`,
      );
    expect(breaking(input({ "specs/a.yaml": tree("") }), input({ "specs/a.yaml": tree(", required: [v]") }))).toEqual([
      "GK956 specs/a.yaml:10:133",
    ]);
  });

  it("a custom codec is compared by module and export", () => {
    const custom = (exp: string) => `${group(`{ custom: { module: ./c.ts, export: ${exp} } }`)}`;
    const files = { "specs/c.ts": "export const a = 1; export const b = 2;" };
    expect(breaking(input({ "specs/a.yaml": custom("a") }, files), input({ "specs/a.yaml": custom("a") }, files))).toEqual([]);
    expect(breaking(input({ "specs/a.yaml": custom("a") }, files), input({ "specs/a.yaml": custom("b") }, files))).toEqual([
      "GK951 specs/a.yaml:8:10",
    ]);
  });
});

describe("breaking is pure", () => {
  it("no module of compiler/breaking touches the file system, the process or the clock", () => {
    const dir = fileURLToPath(new URL("../../compiler/breaking/", import.meta.url));
    const sources = readdirSync(dir).filter((f) => f.endsWith(".ts"));
    expect(sources.length).toBeGreaterThan(2);
    const offenders = sources.filter((f) =>
      /from "node:(fs|child_process|os)"|\bprocess\.[a-z]|\bDate\.now\(|Math\.random\(/.test(readFileSync(`${dir}${f}`, "utf8")),
    );
    expect(offenders).toEqual([]);
  });
});
