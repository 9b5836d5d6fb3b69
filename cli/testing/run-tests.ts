/**
 * Runs declarative test cases on the in-memory broker (or, with a cluster
 * tester, on a real cluster): a fresh tester per
 * case with every built group registered, the `given` messages sent one by
 * one (each processed before the next), then the listed table keys and the
 * emitted messages compared. Values are read as `gokac emit` reads them
 * (JSON; int64 as a number or a string of digits) and compared canonically
 * (object keys sorted, int64 exact).
 */
import { diagnostic, type Diagnostic } from "../../compiler/diagnostics/catalogue.js";
import type { GeneratedGroup, GeneratedTopic } from "../io/load-generated.js";
import type { SourceLocation } from "../../compiler/diagnostics/catalogue.js";
import type { TestCase } from "./test-file.js";

/** One difference between what a test expects and what happened. */
export interface Mismatch {
  readonly at: SourceLocation;
  readonly what: string;
  readonly expected: string;
  readonly actual: string;
}

/** The result of one case: its mismatches, or the diagnostics that stopped it (GK961, GK962). */
export interface CaseResult {
  readonly name: string;
  readonly at: SourceLocation;
  readonly mismatches: readonly Mismatch[];
  readonly diagnostics: readonly Diagnostic[];
}

/** JSON with object keys sorted and bigints as exact numbers: equal values give equal texts. */
export function canonicalJson(value: unknown): string {
  if (value === undefined || value === null) return "null";
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Uint8Array) return JSON.stringify(new TextDecoder().decode(value));
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** A test value as the topic's codec holds it; throws with the reason when the codec refuses it. */
export function codecValue(topic: GeneratedTopic, value: unknown): unknown {
  const name = topic.codec.name;
  let out: unknown;
  if (name === "int64") {
    const text =
      typeof value === "number" && Number.isSafeInteger(value) ? String(value) : typeof value === "string" ? value.trim() : undefined;
    if (text === undefined || !/^-?\d+$/.test(text)) throw new Error("int64 takes an integer or a string of digits");
    out = BigInt(text);
  } else if (name === "bytes") {
    if (typeof value !== "string") throw new Error("bytes take a string (its UTF-8 bytes)");
    out = new TextEncoder().encode(value);
  } else if (name === "string" || name === "float64" || name === "boolean") {
    const want = name === "float64" ? "number" : name;
    if (typeof value !== want) throw new Error(`${name} takes a ${want}`);
    out = value;
  } else {
    // JSON codecs read the value as their consumers will: decode checks the schema
    out = topic.codec.decode(new TextEncoder().encode(JSON.stringify(value)));
  }
  topic.codec.encode(out);
  return out;
}

/** The tester API `runCase` needs: the in-memory `Tester`, or a `ClusterTester` on a real cluster (`emitted` then reads the topic). */
export interface CaseTester {
  register(group: GeneratedGroup): void;
  consume(topic: GeneratedTopic, key: string, value: unknown): void;
  run(): Promise<void>;
  tableValue(group: GeneratedGroup, key: string): Promise<unknown>;
  emitted(topic: GeneratedTopic): readonly { key: string; value: unknown }[] | Promise<readonly { key: string; value: unknown }[]>;
  close(): Promise<void>;
}

/** Makes a fresh tester for one case. */
export type CreateTester = () => CaseTester;

/** Runs one case; never throws for the case's own mistakes (they become diagnostics). */
export async function runCase(
  createTester: CreateTester,
  groups: readonly GeneratedGroup[],
  topics: ReadonlyMap<string, GeneratedTopic>,
  test: TestCase,
): Promise<CaseResult> {
  const diagnostics: Diagnostic[] = [];
  const mismatches: Mismatch[] = [];
  const result = () => ({ name: test.name, at: test.at, mismatches, diagnostics });
  const topicOf = (name: string, at: SourceLocation): GeneratedTopic | undefined => {
    const topic = topics.get(name);
    if (topic === undefined)
      diagnostics.push(diagnostic("GK961", at, `topic ${name} is not in the build`, `known: ${[...topics.keys()].join(", ")}`));
    return topic;
  };
  const valueFor = (topic: GeneratedTopic, value: unknown, at: SourceLocation): unknown => {
    if (value === null) return null;
    try {
      return codecValue(topic, value);
    } catch (error) {
      diagnostics.push(
        diagnostic(
          "GK962",
          at,
          `value refused for ${topic.name} (${topic.codec.name}): ${error instanceof Error ? error.message : String(error)}`,
        ),
      );
      return undefined;
    }
  };
  const groupOfTable = new Map<string, GeneratedGroup>(groups.map((g) => [`${g.graph.group}-table`, g]));

  // check the whole case before running anything
  const given = test.given.map((g) => ({ g, topic: topicOf(g.topic, g.at) }));
  const sends = given.map(({ g, topic }) =>
    topic === undefined ? undefined : { topic, key: g.key, value: valueFor(topic, g.value, g.at) },
  );
  const tables = test.tables.map((t) => {
    const group = groupOfTable.get(t.table);
    if (group === undefined) {
      diagnostics.push(
        diagnostic(
          "GK961",
          t.at,
          `table ${t.table} is not the table of a group in the build`,
          `tables: ${[...groupOfTable.keys()].join(", ")}`,
        ),
      );
      return undefined;
    }
    const topic = topics.get(t.table);
    const expected = topic === undefined ? t.value : valueFor(topic, t.value, t.at);
    return { t, group, expected };
  });
  const emitted = test.emitted.map((e) => {
    const topic = topicOf(e.topic, e.at);
    return topic === undefined
      ? undefined
      : { e, topic, expected: e.messages.map((m) => ({ key: m.key, value: valueFor(topic, m.value, m.at) })) };
  });
  if (diagnostics.length > 0) return result();

  const tester = createTester();
  try {
    for (const g of groups) tester.register(g);
    for (const send of sends) {
      if (send === undefined) continue;
      tester.consume(send.topic, send.key, send.value);
      await tester.run();
    }
    for (const entry of tables) {
      if (entry === undefined) continue;
      const actual = canonicalJson(await tester.tableValue(entry.group, entry.t.key));
      const expected = canonicalJson(entry.expected);
      if (actual !== expected) mismatches.push({ at: entry.t.at, what: `${entry.t.table} ${entry.t.key}`, expected, actual });
    }
    for (const entry of emitted) {
      if (entry === undefined) continue;
      const actualList = (await tester.emitted(entry.topic)).map((m) => ({ key: m.key, value: m.value }));
      const count = Math.max(actualList.length, entry.expected.length);
      if (actualList.length !== entry.expected.length) {
        mismatches.push({
          at: entry.e.at,
          what: `${entry.topic.name}: number of messages`,
          expected: String(entry.expected.length),
          actual: String(actualList.length),
        });
      }
      for (let i = 0; i < count; i++) {
        const want = entry.expected[i];
        const got = actualList[i];
        const expected = want === undefined ? "(none)" : canonicalJson(want);
        const actual = got === undefined ? "(none)" : canonicalJson(got);
        if (expected !== actual)
          mismatches.push({ at: entry.e.messages[i]?.at ?? entry.e.at, what: `${entry.topic.name}[${i}]`, expected, actual });
      }
    }
  } finally {
    await tester.close();
  }
  return result();
}
