/**
 * Robustness: thousands of random and mutated spec documents never make
 * `analyze` throw; each gives a model or diagnostics, and every diagnostic is
 * well-formed. Deterministic (seeded), so a failure is reproducible.
 */
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { analyze, type AnalyzeResult } from "../../compiler/analyze.js";
import { CATALOGUE } from "../../compiler/diagnostics/catalogue.js";
import { CATALOGUE_FILE, yaml } from "./helpers.js";
import { prng } from "../prng.js";

const GROUP = yaml`
  group: clicks
  description: Counts clicks per user.
  inputs:
    - topic: user-clicks
      codec: { json: Click }
      handler: onClick
    - topics: [ad-clicks]
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
    - group: accounts
  lookups:
    - table: geo-table
      codec: string
  outputs:
    - topic: alerts
      codec: { json: Alert }
    - topic: raw
      codec: { custom: { module: ./codecs/raw.ts, export: rawCodec } }
  visitors:
    - name: reset
      handler: onReset
  partitions: 8
`;

const ACCOUNTS = "group: accounts\ninputs: [{ topic: user-clicks }]\npersist: { codec: { json: { schema: ./schemas/account.json } } }\n";
/** The valid rest of the folder the fuzzed document lives in. */
const CONTEXT = `${CATALOGUE_FILE}\n---\n${ACCOUNTS}`;
const SEEDS = [parse(GROUP) as unknown, parse(CATALOGUE_FILE) as unknown, parse(ACCOUNTS) as unknown];
const KEYS = [
  "group",
  "inputs",
  "persist",
  "persit",
  "loop",
  "joins",
  "lookups",
  "outputs",
  "visitors",
  "partitions",
  "topic",
  "topics",
  "codec",
  "handler",
  "table",
  "json",
  "custom",
  "module",
  "export",
  "schema",
  "name",
  "types",
  "$ref",
  "type",
  "description",
];
const SCALARS: unknown[] = [
  null,
  true,
  false,
  0,
  -1,
  1.5,
  8,
  // eslint-disable-next-line no-loss-of-precision -- 1e309 is Infinity on purpose: specs may hold numbers JavaScript cannot
  1e309,
  "",
  "string",
  "int64",
  "json",
  "clicks",
  "clicks-table",
  "clicks-loop",
  "users-table",
  "..",
  "a b",
  "x".repeat(300),
  "#/types/Click",
  "#/types/Nope",
  "../../etc/passwd",
  "/abs.json",
  "delete",
  "Click",
  [],
  {},
];

function pick<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)] as T;
}

/** One random structural mutation somewhere inside `value` (returns a new value). */
function mutate(value: unknown, rand: () => number, depth = 0): unknown {
  if (Array.isArray(value)) {
    const copy = [...value];
    const i = Math.floor(rand() * (copy.length + 1));
    const r = rand();
    if (copy.length > 0 && r < 0.25) copy.splice(i % copy.length, 1);
    else if (copy.length > 0 && r < 0.45) copy.push(copy[i % copy.length]);
    else if (copy.length > 0 && r < 0.85) copy[i % copy.length] = mutate(copy[i % copy.length], rand, depth + 1);
    else copy.push(pick(rand, SCALARS));
    return copy;
  }
  if (typeof value === "object" && value !== null && depth < 8) {
    const entries = Object.entries(value);
    const r = rand();
    const i = Math.floor(rand() * Math.max(entries.length, 1));
    if (entries.length > 0 && r < 0.2) entries.splice(i, 1);
    else if (entries.length > 0 && r < 0.35) {
      const [k, v] = entries[i] as [string, unknown];
      entries[i] = [pick(rand, KEYS) === k ? `${k}x` : pick(rand, KEYS), v];
    } else if (entries.length > 0 && r < 0.85) {
      const [k, v] = entries[i] as [string, unknown];
      entries[i] = [k, mutate(v, rand, depth + 1)];
    } else entries.push([pick(rand, KEYS), pick(rand, SCALARS)]);
    return Object.fromEntries(entries);
  }
  return rand() < 0.5 ? pick(rand, SCALARS) : pick(rand, SEEDS);
}

/** Text-level damage: random characters, deleted or duplicated lines, broken indentation. */
function damage(text: string, rand: () => number): string {
  const lines = text.split("\n");
  const i = Math.floor(rand() * lines.length);
  const r = rand();
  if (r < 0.25) lines.splice(i, 1);
  else if (r < 0.45) lines.splice(i, 0, lines[i] ?? "");
  else if (r < 0.65) lines[i] = ` ${lines[i] ?? ""}`;
  else {
    const line = lines[i] ?? "";
    const at = Math.floor(rand() * (line.length + 1));
    lines[i] =
      line.slice(0, at) + pick(rand, [":", "-", "[", "]", "{", "}", "&a", "*a", "!!", "'", '"', "#", "---", "\t", "? "]) + line.slice(at);
  }
  return lines.join("\n");
}

function randomText(rand: () => number): string {
  const alphabet = "ab:-[]{}, \n\t'\"#&*!|>?%@`0123456789.";
  let out = "";
  const n = Math.floor(rand() * 200);
  for (let i = 0; i < n; i++) out += alphabet[Math.floor(rand() * alphabet.length)];
  return out;
}

function run(spec: string): AnalyzeResult {
  return analyze({
    root: "specs",
    projectRoot: ".",
    files: [
      { path: "specs/catalogue.yaml", text: CONTEXT },
      { path: "specs/fuzz.yaml", text: spec },
    ],
    readFile: (path) =>
      path === "specs/schemas/account.json"
        ? '{"type":"object"}'
        : path === "specs/codecs/raw.ts"
          ? "export const rawCodec = {};"
          : undefined,
    clusterPartitions: new Map([["raw", 8]]),
  });
}

/** Why a result is malformed, or undefined when it is fine. */
function malformed(result: AnalyzeResult, spec: string): string | undefined {
  if (result.model === undefined && result.diagnostics.length === 0) return "neither a model nor diagnostics";
  const lines = new Map([
    ["specs/catalogue.yaml", CONTEXT.split("\n").length],
    ["specs/fuzz.yaml", spec.split("\n").length],
  ]);
  for (const d of result.diagnostics) {
    if (CATALOGUE[d.code] === undefined) return `unknown code ${d.code}`;
    if (!(d.line >= 1 && d.column >= 1)) return `bad position ${d.line}:${d.column}`;
    if (d.line > (lines.get(d.file) ?? 0)) return `position ${d.file}:${d.line} beyond the end of the file`;
    if (typeof d.message !== "string" || d.message.length === 0) return "empty message";
  }
  return undefined;
}

describe("fuzz: analyze never throws", () => {
  it("the unmutated seeds analyze cleanly (so mutations start from valid specs)", () => {
    const result = run(GROUP);
    expect(result.diagnostics.map((d) => `${d.code} ${d.line}:${d.column} ${d.message}`)).toEqual([]);
  });

  it("absurdly deep nesting is a GK001, not a stack overflow", () => {
    const depth = 5000;
    const result = run(`types:\n  T: ${"{ a: ".repeat(depth)}1${" }".repeat(depth)}\n`);
    expect(result.diagnostics.map((d) => d.code)).toEqual(["GK001"]);
  });

  it("3000 mutated and random documents", () => {
    const rand = prng(20261128);
    let withErrors = 0;
    for (let n = 0; n < 3000; n++) {
      let spec: string;
      const kind = n % 4;
      if (kind === 3) spec = randomText(rand);
      else {
        let value = pick(rand, SEEDS);
        const rounds = 1 + Math.floor(rand() * 4);
        for (let r = 0; r < rounds; r++) value = mutate(value, rand);
        spec = stringify(value);
        if (kind === 2) spec = damage(spec, rand);
      }
      let result: AnalyzeResult;
      try {
        result = run(spec);
      } catch (error) {
        throw new Error(`analyze threw on document #${n}:\n${spec}`, { cause: error });
      }
      const problem = malformed(result, spec);
      if (problem !== undefined) expect.fail(`${problem} for document #${n}:\n${spec}`);
      if (result.diagnostics.some((d) => d.severity === "error")) withErrors++;
    }
    // the mutations must actually break things most of the time, or this test proves little
    expect(withErrors).toBeGreaterThan(1500);
  }, 180_000); // a CPU-bound loop: on a loaded 2-core machine it can take far longer than the 30 s default
});
