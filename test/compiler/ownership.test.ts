import { describe, expect, it } from "vitest";
import { check, found } from "./helpers.js";

const TOPICS = "topics:\n  a: { partitions: 2, codec: string }\n  out: { partitions: 2, codec: string }\n";
const USERS = "group: users\ninputs: [{ topic: a }]\npersist: { codec: string }\n";

describe("table ownership (GK401)", () => {
  it("GK401: an output naming another group's table", () => {
    const result = check({
      "specs/topics.yaml": TOPICS,
      "specs/users.yaml": USERS,
      "specs/writer.yaml": "group: writer\ninputs: [{ topic: a }]\noutputs:\n  - topic: users-table\n",
    });
    expect(found(result)).toEqual(["GK401 specs/writer.yaml:4:5"]);
    expect(result.diagnostics[0]?.hint).toContain("specs/users.yaml:1:8");
  });

  it("GK401: also when the owner does not persist (the name is still its table's)", () => {
    const result = check({
      "specs/topics.yaml": `${TOPICS}  users-table: { partitions: 2, codec: string }\n`,
      "specs/users.yaml": "group: users\ninputs: [{ topic: a }]\n",
      "specs/writer.yaml": "group: writer\ninputs: [{ topic: a }]\noutputs:\n  - topic: users-table\n",
    });
    expect(found(result)).toEqual(["GK401 specs/writer.yaml:4:5"]);
  });

  it("GK401 passing: emitting to a stream, reading the table by join", () => {
    const result = check({
      "specs/topics.yaml": TOPICS,
      "specs/users.yaml": USERS,
      "specs/writer.yaml": "group: writer\ninputs: [{ topic: a }]\njoins: [{ group: users }]\noutputs:\n  - topic: out\n",
    });
    expect(result.diagnostics).toEqual([]);
  });

  it("consuming another group's table as an input is allowed", () => {
    const result = check({
      "specs/topics.yaml": TOPICS,
      "specs/users.yaml": USERS,
      "specs/reader.yaml": "group: reader\ninputs: [{ topic: users-table }]\n",
    });
    expect(result.diagnostics).toEqual([]);
  });
});
