import { describe, expect, it } from "vitest";
import { check, found, yaml } from "./helpers.js";

const TOPICS = yaml`
  topics:
    a8: { partitions: 8, codec: string }
    b8: { partitions: 8, codec: string }
    c4: { partitions: 4, codec: string }
    ext-table: { partitions: 4, codec: string }
    geo-table: { partitions: 1, codec: string }
`;

describe("copartitioning (GK501, GK502)", () => {
  it("GK501: inputs with different counts, at the first odd one, naming every count and where", () => {
    const result = check({ "specs/topics.yaml": TOPICS, "specs/g.yaml": "group: g\ninputs: [{ topic: a8 }, { topic: c4 }]\n" });
    expect(found(result)).toEqual(["GK501 specs/g.yaml:2:34"]);
    const [d] = result.diagnostics;
    expect(d?.message).toContain("specs/topics.yaml:2:21");
    expect(d?.message).toContain("specs/topics.yaml:4:21");
    expect(d?.hint).toContain("`c4` 8");
  });

  it("GK501: a join against the group's partitions", () => {
    const result = check({
      "specs/topics.yaml": TOPICS,
      "specs/g.yaml": "group: g\ninputs: [{ topic: c4 }]\njoins: [{ table: ext-table }]\npartitions: 8\n",
    });
    expect(found(result)).toEqual(["GK501 specs/g.yaml:2:19"]);
  });

  it("GK501: another group's table takes that group's partitions", () => {
    const result = check({
      "specs/topics.yaml": TOPICS,
      "specs/users.yaml": "group: users\ninputs: [{ topic: c4 }]\npersist: { codec: string }\npartitions: 4\n",
      "specs/g.yaml": "group: g\ninputs: [{ topic: a8 }]\njoins: [{ group: users }]\n",
    });
    expect(found(result)).toEqual(["GK501 specs/g.yaml:3:9"]);
    expect(result.diagnostics[0]?.message).toContain("specs/users.yaml:4:13");
  });

  it("GK501: another group's table count derives from its inputs when it has no partitions", () => {
    const result = check({
      "specs/topics.yaml": TOPICS,
      "specs/users.yaml": "group: users\ninputs: [{ topic: c4 }]\npersist: { codec: string }\n",
      "specs/g.yaml": "group: g\ninputs: [{ topic: a8 }]\njoins: [{ group: users }]\n",
    });
    expect(found(result)).toEqual(["GK501 specs/g.yaml:3:9"]);
  });

  it("GK501: live cluster counts count when the specs do not say", () => {
    const result = check(
      {
        "specs/topics.yaml": TOPICS,
        "specs/g.yaml": "group: g\ninputs: [{ topic: a8 }, { topic: live, codec: string }]\n",
      },
      { clusterPartitions: new Map([["live", 3]]) },
    );
    expect(found(result)).toEqual(["GK501 specs/g.yaml:2:34"]);
  });

  it("GK501: a catalogue count for the group's own table disagreeing with its partitions", () => {
    const result = check({
      "specs/topics.yaml": `${TOPICS}  g-table: { partitions: 2, codec: string }\n`,
      "specs/g.yaml": "group: g\ninputs: [{ topic: a8 }]\npersist: { codec: string }\npartitions: 8\n",
    });
    expect(found(result)).toEqual(["GK501 specs/g.yaml:3:10"]);
  });

  it("GK501 passing: inputs, joins, table and loop agree; lookups are not copartitioned", () => {
    const result = check({
      "specs/topics.yaml": TOPICS,
      "specs/users.yaml": "group: users\ninputs: [{ topic: b8 }]\npersist: { codec: string }\npartitions: 8\n",
      "specs/g.yaml": yaml`
        group: g
        inputs: [{ topic: a8 }, { topic: b8 }]
        joins: [{ group: users }]
        lookups: [{ table: geo-table }]
        persist: { codec: string }
        loop: { codec: string }
        partitions: 8
      `,
    });
    expect(result.diagnostics).toEqual([]);
  });

  it("GK502: a count nobody declares is a warning at the edge", () => {
    const result = check({
      "specs/topics.yaml": TOPICS,
      "specs/g.yaml":
        "group: g\ninputs: [{ topic: a8 }, { topic: mystery, codec: string }]\njoins: [{ table: other-table, codec: string }]\n",
    });
    expect(result.diagnostics.map((d) => `${d.code} ${d.severity} ${d.line}:${d.column}`)).toEqual([
      "GK502 warning 2:34",
      "GK502 warning 3:9",
      "GK703 warning 3:9",
    ]);
  });

  it("GK502 passing: the cluster knows the count", () => {
    const result = check(
      {
        "specs/topics.yaml": TOPICS,
        "specs/g.yaml": "group: g\ninputs: [{ topic: a8 }, { topic: mystery, codec: string }]\n",
      },
      { clusterPartitions: new Map([["mystery", 8]]) },
    );
    expect(result.diagnostics).toEqual([]);
  });

  it("cycles of groups reading each other's tables terminate", () => {
    const result = check({
      "specs/x.yaml": "group: x\ninputs: [{ topic: y-table }]\npersist: { codec: string }\n",
      "specs/y.yaml": "group: y\ninputs: [{ topic: x-table }]\npersist: { codec: string }\n",
    });
    expect(result.diagnostics.map((d) => d.code)).toEqual(["GK502", "GK502"]);
  });
});

describe("copartitioning with live counts (--brokers)", () => {
  it("GK501: the cluster disagrees with the catalogue for one input", () => {
    const result = check(
      {
        "specs/topics.yaml": TOPICS,
        "specs/g.yaml": "group: g\ninputs: [{ topic: a8 }, { topic: b8 }]\n",
      },
      {
        clusterPartitions: new Map([
          ["a8", 8],
          ["b8", 4],
        ]),
      },
    );
    expect(found(result)).toEqual(["GK501 specs/g.yaml:2:34"]);
  });

  it("GK501: the live group table has another count than the group's partitions", () => {
    const result = check(
      {
        "specs/topics.yaml": TOPICS,
        "specs/g.yaml": "group: g\ninputs: [{ topic: a8 }]\npersist: { codec: string }\npartitions: 8\n",
      },
      {
        clusterPartitions: new Map([
          ["a8", 8],
          ["g-table", 6],
        ]),
      },
    );
    expect(found(result)).toEqual(["GK501 specs/g.yaml:3:10"]);
  });

  it("live counts that agree with the specs pass", () => {
    const result = check(
      {
        "specs/topics.yaml": TOPICS,
        "specs/g.yaml": "group: g\ninputs: [{ topic: a8 }]\npersist: { codec: string }\nloop: { codec: string }\n",
      },
      {
        clusterPartitions: new Map([
          ["a8", 8],
          ["g-table", 8],
          ["g-loop", 8],
        ]),
      },
    );
    expect(result.diagnostics).toEqual([]);
  });
});
