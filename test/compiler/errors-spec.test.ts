/** The group spec's `errors:` (contract part 2): schema, model (durations in ms), and the generated graph passing it to the runtime. */
import { describe, expect, it } from "vitest";
import { compile } from "../../compiler/compile.js";
import { parseDuration } from "../../compiler/model/build-errors.js";
import { check, codes, yaml } from "./helpers.js";

const TOPICS = yaml`
  topics:
    payments: { partitions: 4, codec: string }
`;

function group(text: string) {
  return check({ "specs/topics.yaml": TOPICS, "specs/g.yaml": text });
}

const LEDGER = yaml`
  group: ledger
  inputs: [{ topic: payments }]
  errors:
    decode: dead-letter
    handler: skip
    retries: 3
    backoff: 200ms
    timeout: 30s
    dead-letter: ledger-dlq
`;

describe("errors: in a group spec", () => {
  it("the contract's example is accepted and modelled with durations in milliseconds", () => {
    const result = group(LEDGER);
    expect(result.diagnostics).toEqual([]);
    const errors = result.model?.groups[0]?.errors;
    expect(errors).toMatchObject({
      decode: "dead-letter",
      handler: "skip",
      retries: 3,
      backoffMs: 200,
      timeoutMs: 30_000,
      deadLetter: "ledger-dlq",
    });
  });

  it("an illegal dead-letter topic name is GK301", () => {
    expect(codes(group("group: ledger\ninputs: [{ topic: payments }]\nerrors:\n  dead-letter: 'bad topic'\n"))).toEqual(["GK301"]);
  });

  it("an unknown policy, a negative retry count, a duration without unit, a zero timeout and an unknown key are schema errors", () => {
    const base = "group: ledger\ninputs: [{ topic: payments }]\nerrors:\n";
    for (const body of ["  decode: ignore\n", "  retries: -1\n", "  backoff: 200\n", "  timeout: 0s\n", "  retry: 3\n"]) {
      const found = codes(group(base + body));
      expect(found.length, body).toBeGreaterThan(0);
      expect(
        found.every((c) => c.startsWith("GK1")),
        `${body}: ${found.join(",")}`,
      ).toBe(true);
    }
  });

  it("without errors: the model has none and the graph passes none (the runtime defaults apply)", () => {
    const result = group("group: ledger\ninputs: [{ topic: payments }]\n");
    expect(result.model?.groups[0]?.errors).toBeUndefined();
  });

  it("the generated graph carries the policy for the runtime", () => {
    const result = compile({
      analyzeInput: {
        root: "specs",
        projectRoot: ".",
        files: [
          { path: "specs/topics.yaml", text: TOPICS },
          { path: "specs/g.yaml", text: LEDGER },
        ],
        readFile: () => undefined,
      },
      outDir: "generated",
      existingFiles: () => undefined,
      existingPaths: [],
    });
    expect(result.diagnostics).toEqual([]);
    const graph = result.files.find((f) => f.path.endsWith("ledger/graph.ts"))?.content ?? "";
    expect(graph).toContain(
      `errors: { decode: "dead-letter", handler: "skip", retries: 3, backoffMs: 200, timeoutMs: 30000, deadLetter: "ledger-dlq" },`,
    );
  });

  it("durations: ms, s, m and h", () => {
    expect([parseDuration("0ms"), parseDuration("200ms"), parseDuration("30s"), parseDuration("5m"), parseDuration("1h")]).toEqual([
      0, 200, 30_000, 300_000, 3_600_000,
    ]);
    expect([parseDuration("1.5s"), parseDuration("10"), parseDuration(10)]).toEqual([undefined, undefined, undefined]);
  });
});
