/** `gokac topics` reads the runtime's one topic policy; each requirement keeps the spec position that names its topic. */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as runtime from "gokac/runtime";
import { analyze } from "../../compiler/index.js";
import { readSpecFolder } from "../../cli/io/read-specs.js";
import { specTopicNeeds } from "../../cli/commands/topics.js";

const root = join(import.meta.dirname, "../..");
const folders = readdirSync(join(root, "specs"), { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => `specs/${d.name}`);

describe("topic needs of the example specs", () => {
  it.each(folders)("%s: every requirement is positioned where its topic (or its group's persist/loop) is written", (folder) => {
    const { model } = analyze(readSpecFolder(root, folder));
    expect(model).toBeDefined();
    const needs = specTopicNeeds(runtime, model!);
    expect(needs.length).toBeGreaterThan(0);
    for (const { requirement, at } of needs) {
      const lines = readFileSync(join(root, at.file), "utf8").split("\n");
      // a group's table and loop are positioned at their `persist:` / `loop:` value (the line below the key)
      const own = requirement.role === "table" ? "persist:" : requirement.role === "loop" ? "loop:" : undefined;
      const text = own === undefined ? (lines[at.line - 1] ?? "") : `${lines[at.line - 2] ?? ""}\n${lines[at.line - 1] ?? ""}`;
      // a join or lookup may name the owning group instead of its table (`- group: blocker`)
      const named = own ?? (text.includes(requirement.topic) ? requirement.topic : requirement.topic.replace(/-table$/, ""));
      expect(text, `${requirement.role} ${requirement.topic} at ${at.file}:${at.line}`).toContain(named);
    }
  });

  it("the processor and the CLI share the policy: a group's own requirements agree", () => {
    const { model } = analyze(readSpecFolder(root, "specs/3-messaging"));
    const cli = specTopicNeeds(runtime, model!).map((n) => n.requirement);
    const group = model!.groups.find((g) => g.persist !== undefined)!;
    const table = cli.find((r) => r.group === group.name && r.role === "table");
    expect(table).toMatchObject({ topic: runtime.tableTopic(group.name), compacted: true, required: true, create: true });
  });
});
