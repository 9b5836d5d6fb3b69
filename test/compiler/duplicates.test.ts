import { describe, expect, it } from "vitest";
import { check, found, yaml } from "./helpers.js";

const TOPICS = "topics:\n  a: { partitions: 1, codec: string }\n";

describe("duplicate declarations (GK206–GK208)", () => {
  it("GK206: a group declared in two files, at the second", () => {
    const spec = "group: g\ninputs: [{ topic: a, codec: string }]\npartitions: 1\n";
    const result = check({ "specs/a.yaml": spec, "specs/b.yaml": spec, "specs/c.yaml": TOPICS });
    expect(found(result)).toEqual(["GK206 specs/b.yaml:1:8"]);
    expect(result.diagnostics[0]?.hint).toContain("specs/a.yaml:1:8");
    expect(result.model?.groups.length).toBe(1);
  });

  it("GK206 passing: two groups", () => {
    const result = check({
      "specs/a.yaml": "group: g\ninputs: [{ topic: a, codec: string }]\npartitions: 1\n",
      "specs/b.yaml": "group: h\ninputs: [{ topic: a, codec: string }]\npartitions: 1\n",
      "specs/c.yaml": TOPICS,
    });
    expect(result.diagnostics).toEqual([]);
  });

  it("GK207: a topic declared twice, even identically", () => {
    const entry = "topics:\n  a: { partitions: 1, codec: string }\n";
    const result = check({ "specs/a.yaml": entry, "specs/b.yaml": `${entry}---\n${entry}` });
    expect(found(result)).toEqual(["GK207 specs/b.yaml:2:3", "GK207 specs/b.yaml:5:3"]);
  });

  it("GK207 passing: distinct topics", () => {
    const result = check({
      "specs/a.yaml": "topics:\n  a: { partitions: 1, codec: string }\n",
      "specs/b.yaml": "topics:\n  b: { partitions: 1, codec: string }\n",
    });
    expect(result.diagnostics).toEqual([]);
  });

  it("GK208: a type declared twice", () => {
    const result = check({
      "specs/a.yaml": yaml`
        types:
          Click: { type: object }
      `,
      "specs/b.yaml": yaml`
        types:
          Other: { type: string }
          Click: { type: object }
      `,
    });
    expect(found(result)).toEqual(["GK208 specs/b.yaml:3:3"]);
  });

  it("GK208 passing: distinct types", () => {
    const result = check({ "specs/a.yaml": "types:\n  Click: { type: object }\n", "specs/b.yaml": "types:\n  View: { type: object }\n" });
    expect(result.diagnostics).toEqual([]);
  });
});
