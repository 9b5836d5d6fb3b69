/**
 * A topic's `compression:` (contract v2, "New spec keys"): accepted in the
 * catalogue, anything else a schema error, and carried by generated code to
 * the runtime: `defineTopic(..., { compression })` in topics.ts and the
 * group graph's `compression` for the topics the group writes.
 */
import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/compile.js";
import { checkOne, codes, yaml } from "./helpers.js";

const SPEC = yaml`
  topics:
    payments: { partitions: 4, codec: string, compression: zstd }
    alerts: { partitions: 4, codec: string, compression: snappy }
    audit: { partitions: 4, codec: string, compression: none }
    ledger-table: { partitions: 4, codec: int64, compression: lz4 }
  ---
  group: ledger
  inputs: [{ topic: payments, handler: onPayment }]
  persist: { codec: int64 }
  outputs: [{ topic: alerts }, { topic: audit }]
`;

function generated(spec: string): Map<string, string> {
  const result = compile({
    analyzeInput: { root: "specs", projectRoot: ".", files: [{ path: "specs/app.yaml", text: spec }], readFile: () => undefined },
    outDir: "generated",
    existingFiles: () => undefined,
    existingPaths: [],
  });
  expect(result.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return new Map(result.files.map((f) => [f.path, f.content]));
}

describe("topic compression", () => {
  it("accepts none, gzip, snappy, lz4 and zstd; any other value is GK103 (a value off the schema)", () => {
    for (const codec of ["none", "gzip", "snappy", "lz4", "zstd"]) {
      expect(codes(checkOne(`topics:\n  t: { partitions: 1, codec: string, compression: ${codec} }\n`))).toEqual([]);
    }
    expect(codes(checkOne("topics:\n  t: { partitions: 1, codec: string, compression: brotli }\n"))).toEqual(["GK103"]);
  });

  it("is in the model when not none", () => {
    const model = checkOne(SPEC).model;
    expect(model?.topics.get("payments")?.compression).toBe("zstd");
    expect(model?.topics.get("audit")?.compression).toBeUndefined();
  });

  it("reaches topics.ts and the graph of the group writing the topics", () => {
    const files = generated(SPEC);
    const topics = files.get("generated/topics.ts") ?? "";
    expect(topics).toContain(`defineTopic("payments", codecs.string, { compression: "zstd" })`);
    expect(topics).toContain(`defineTopic("audit", codecs.string);`);
    const graph = [...files].find(([path]) => path.endsWith("ledger/graph.ts"))?.[1] ?? "";
    // The table and one output are compressed; the input is not written by the group, audit says none.
    expect(graph).toContain(`compression: { "ledger-table": "lz4", "alerts": "snappy" },`);
  });

  it("leaves generated code as before when no topic says compression", () => {
    const files = generated(SPEC.replace(/, compression: \w+/g, ""));
    expect([...files.values()].some((text) => text.includes("compression"))).toBe(false);
  });
});
