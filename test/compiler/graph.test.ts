import { describe, expect, it } from "vitest";
import { check, found, yaml } from "./helpers.js";

const TOPICS = yaml`
  topics:
    a: { partitions: 4, codec: string }
    b: { partitions: 4, codec: string }
    c: { partitions: 4, codec: string }
    users-table: { partitions: 4, codec: string }
    geo-table: { partitions: 1, codec: string }
`;

/** The group spec alone in specs/g.yaml, next to a catalogue; positions are in specs/g.yaml. */
function group(text: string) {
  return check({ "specs/topics.yaml": TOPICS, "specs/g.yaml": text });
}

describe("graph rules (GK201–GK205, GK210)", () => {
  it("GK201: a group without inputs, at `group:`", () => {
    expect(found(group("group: g\npersist: { codec: string }\n"))).toEqual(["GK201 specs/g.yaml:1:8"]);
    expect(found(group("group: g\ninputs: []\n"))).toEqual(["GK201 specs/g.yaml:1:8"]);
  });

  it("GK201 passing: one input", () => {
    expect(group("group: g\ninputs: [{ topic: a }]\n").diagnostics).toEqual([]);
  });

  it("GK202: a topic consumed twice, at the second", () => {
    const result = group(yaml`
      group: g
      inputs:
        - topic: a
        - topics: [b, a]
          handler: onOther
    `);
    expect(found(result)).toEqual(["GK202 specs/g.yaml:4:17"]);
    expect(result.diagnostics[0]?.hint).toContain("specs/g.yaml:3:12");
  });

  it("GK202 alone when the repeated input's default handler repeats too", () => {
    expect(found(group("group: g\ninputs:\n  - topic: a\n  - topic: a\n"))).toEqual(["GK202 specs/g.yaml:4:12"]);
  });

  it("GK202 passing: each topic once", () => {
    const result = group(yaml`
      group: g
      inputs:
        - topic: a
        - topics: [b, c]
          handler: onOther
    `);
    expect(result.diagnostics).toEqual([]);
  });

  it("GK203: edges naming the group's own table or loop", () => {
    const result = group(yaml`
      group: g
      inputs:
        - topic: a
        - topic: g-loop
          codec: string
      persist: { codec: string }
      loop: { codec: string }
      joins:
        - table: g-table
      lookups:
        - group: g
      outputs:
        - topic: g-table
    `);
    expect(found(result)).toEqual([
      "GK203 specs/g.yaml:4:12",
      "GK203 specs/g.yaml:9:5",
      "GK203 specs/g.yaml:11:5",
      "GK203 specs/g.yaml:13:5",
    ]);
  });

  it("GK203 passing: the table through persist, the loop through loop", () => {
    const result = group(yaml`
      group: g
      inputs: [{ topic: a }]
      persist: { codec: string }
      loop: { codec: string }
    `);
    expect(result.diagnostics).toEqual([]);
  });

  it("GK204: visitors without persist, at the first visitor", () => {
    const result = group(yaml`
      group: g
      inputs: [{ topic: a }]
      visitors:
        - name: reset
        - name: purge
    `);
    expect(found(result)).toEqual(["GK204 specs/g.yaml:4:5"]);
  });

  it("GK204 passing: visitors with persist", () => {
    const result = group(yaml`
      group: g
      inputs: [{ topic: a }]
      persist: { codec: string }
      visitors:
        - name: reset
    `);
    expect(result.diagnostics).toEqual([]);
  });

  it("GK211: standby without persist, at standby:", () => {
    const result = group(yaml`
      group: g
      inputs: [{ topic: a }]
      standby: 1
    `);
    expect(found(result)).toEqual(["GK211 specs/g.yaml:3:10"]);
  });

  it("GK211 passing: standby with persist, or standby: 0 without", () => {
    expect(
      group(yaml`
      group: g
      inputs: [{ topic: a }]
      persist: { codec: string }
      standby: 2
    `).diagnostics,
    ).toEqual([]);
    expect(
      group(yaml`
      group: g
      inputs: [{ topic: a }]
      standby: 0
    `).diagnostics,
    ).toEqual([]);
  });

  it("GK205: inputs, loop and visitors share one handler namespace", () => {
    const result = group(yaml`
      group: g
      inputs:
        - topic: a
          handler: onEvent
        - topic: b
          handler: onEvent
      persist: { codec: string }
      loop: { codec: string, handler: onEvent }
      visitors:
        - name: loop
    `);
    // the second input and the loop; the visitor `loop` defaults to `loop`, free since the loop's handler is onEvent
    expect(found(result)).toEqual(["GK205 specs/g.yaml:6:14", "GK205 specs/g.yaml:8:33"]);
  });

  it("GK205: default names collide too (topic default vs visitor default)", () => {
    const result = group(yaml`
      group: g
      inputs: [{ topic: a }]
      persist: { codec: string }
      loop: { codec: string }
      visitors:
        - name: loop
    `);
    expect(found(result)).toEqual(["GK205 specs/g.yaml:6:11"]);
  });

  it("GK205 passing: distinct handlers", () => {
    const result = group(yaml`
      group: g
      inputs:
        - topic: a
          handler: onA
        - topic: b
      persist: { codec: string }
      loop: { codec: string }
      visitors:
        - name: reset
    `);
    expect(result.diagnostics).toEqual([]);
    expect(result.model?.groups[0]?.inputs.map((i) => i.handler)).toEqual(["onA", "b"]);
    expect(result.model?.groups[0]?.loop?.handler).toBe("loop");
    expect(result.model?.groups[0]?.visitors[0]?.handler).toBe("reset");
  });

  it("GK210: a table joined twice, looked up twice, an output listed twice", () => {
    const result = group(yaml`
      group: g
      inputs: [{ topic: a }]
      joins:
        - table: users-table
        - table: users-table
      lookups:
        - table: geo-table
        - table: geo-table
      outputs:
        - topic: b
        - topic: b
    `);
    expect(found(result)).toEqual(["GK210 specs/g.yaml:5:5", "GK210 specs/g.yaml:8:5", "GK210 specs/g.yaml:11:5"]);
  });

  it("GK210: `group: users` and `table: users-table` name the same table", () => {
    const result = check({
      "specs/topics.yaml": TOPICS,
      "specs/users.yaml": "group: users\ninputs: [{ topic: c }]\npersist: { codec: string }\n",
      "specs/g.yaml": "group: g\ninputs: [{ topic: a }]\njoins:\n  - group: users\n  - table: users-table\n",
    });
    expect(found(result).filter((f) => f.startsWith("GK210"))).toEqual(["GK210 specs/g.yaml:5:5"]);
  });

  it("GK210 passing: each once", () => {
    const result = group(yaml`
      group: g
      inputs: [{ topic: a }]
      joins: [{ table: users-table }]
      lookups: [{ table: geo-table }]
      outputs: [{ topic: b }]
    `);
    expect(result.diagnostics).toEqual([]);
  });
});
