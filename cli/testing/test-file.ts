/**
 * Declarative test files (`*.test.yaml` beside the specs; contract-v2.md
 * "Declarative tests"): parsed with positions like specs
 * (compiler/parse) and checked against their own JSON Schema (ajv), each
 * problem a diagnostic at `file:line:col` (GK001 YAML, GK101 unknown key,
 * GK102 missing key, GK103 wrong shape).
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import { diagnostic, type Diagnostic, type SourceLocation } from "../../compiler/diagnostics/catalogue.js";
import { parseSpecFile, type SpecDocument } from "../../compiler/parse/parse.js";

/** The JSON Schema of a `*.test.yaml` file. */
export const testFileSchema = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  title: "gokac declarative tests",
  type: "object",
  additionalProperties: false,
  required: ["tests"],
  properties: {
    tests: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["name", "given", "expect"],
        properties: {
          name: { type: "string", minLength: 1, description: "What the test shows." },
          given: {
            type: "array",
            description: "Messages sent in this order, each processed before the next.",
            items: {
              type: "object",
              additionalProperties: false,
              required: ["topic", "key", "value"],
              properties: {
                topic: { type: "string", minLength: 1 },
                key: { type: "string" },
                value: { description: "As in gokac emit: JSON; int64 as a number or a string of digits; null for a tombstone." },
              },
            },
          },
          expect: {
            type: "object",
            additionalProperties: false,
            properties: {
              tables: {
                type: "object",
                description: "Table → key → value; only the listed keys are checked; null means absent.",
                additionalProperties: { type: "object" },
              },
              emitted: {
                type: "object",
                description: "Topic → every message sent to it during the test, in order.",
                additionalProperties: {
                  type: "array",
                  items: {
                    type: "object",
                    additionalProperties: false,
                    required: ["key", "value"],
                    properties: { key: { type: "string" }, value: {} },
                  },
                },
              },
            },
          },
        },
      },
    },
  },
} as const;

/** One message of `given` or `emitted`, with where it was written. */
export interface TestMessage {
  readonly topic: string;
  readonly key: string;
  readonly value: unknown;
  readonly at: SourceLocation;
}

/** An expected table value. */
export interface TableExpectation {
  readonly table: string;
  readonly key: string;
  readonly value: unknown;
  readonly at: SourceLocation;
}

/** An expected list of messages on a topic. */
export interface EmittedExpectation {
  readonly topic: string;
  readonly messages: readonly TestMessage[];
  readonly at: SourceLocation;
}

/** One test case. */
export interface TestCase {
  readonly name: string;
  readonly at: SourceLocation;
  readonly given: readonly TestMessage[];
  readonly tables: readonly TableExpectation[];
  readonly emitted: readonly EmittedExpectation[];
}

/** A test file read: its cases, or the diagnostics that stop it. */
export interface TestFile {
  readonly file: string;
  readonly cases: readonly TestCase[];
  readonly diagnostics: readonly Diagnostic[];
}

let validator: ValidateFunction | undefined;

function validate(value: unknown): readonly ErrorObject[] {
  validator ??= new Ajv2020({ allErrors: true, strict: true }).compile(testFileSchema);
  return validator(value) ? [] : (validator.errors ?? []);
}

function escape(segment: string): string {
  return segment.replace(/~/g, "~0").replace(/\//g, "~1");
}

function schemaDiagnostic(doc: SpecDocument, e: ErrorObject): Diagnostic {
  const params = e.params as Record<string, unknown>;
  if (e.keyword === "additionalProperties") {
    const key = String(params["additionalProperty"]);
    return diagnostic("GK101", doc.locate(`${e.instancePath}/${escape(key)}`, "key"), `unknown key \`${key}\``);
  }
  if (e.keyword === "required")
    return diagnostic(
      "GK102",
      doc.locate(e.instancePath),
      `${e.instancePath || "the document"} needs \`${String(params["missingProperty"])}\``,
    );
  return diagnostic("GK103", doc.locate(e.instancePath), `${e.instancePath || "the document"} ${e.message ?? "is invalid"}`);
}

/** Reads one test file's text (one YAML document); `file` is its display path. */
export function readTestFile(file: string, text: string): TestFile {
  const parsed = parseSpecFile(file, text);
  if (parsed.diagnostics.length > 0) return { file, cases: [], diagnostics: parsed.diagnostics };
  const [doc, extra] = parsed.documents;
  if (doc === undefined)
    return {
      file,
      cases: [],
      diagnostics: [diagnostic("GK102", { file, line: 1, column: 1, pointer: "" }, "the test file needs `tests`")],
    };
  if (extra !== undefined)
    return { file, cases: [], diagnostics: [diagnostic("GK103", extra.locate(""), "a test file has one YAML document")] };
  const errors = validate(doc.value);
  if (errors.length > 0) return { file, cases: [], diagnostics: errors.map((e) => schemaDiagnostic(doc, e)) };
  type Raw = {
    name: string;
    given: { topic: string; key: string; value: unknown }[];
    expect: { tables?: Record<string, Record<string, unknown>>; emitted?: Record<string, { key: string; value: unknown }[]> };
  };
  const raw = (doc.value as { tests: Raw[] }).tests;
  const cases = raw.map((t, i): TestCase => {
    const base = `/tests/${i}`;
    return {
      name: t.name,
      at: doc.locate(`${base}/name`),
      given: t.given.map((g, j) => ({ ...g, at: doc.locate(`${base}/given/${j}`) })),
      tables: Object.entries(t.expect.tables ?? {}).flatMap(([table, values]) =>
        Object.entries(values).map(([key, value]) => ({
          table,
          key,
          value,
          at: doc.locate(`${base}/expect/tables/${escape(table)}/${escape(key)}`),
        })),
      ),
      emitted: Object.entries(t.expect.emitted ?? {}).map(([topic, messages]) => ({
        topic,
        at: doc.locate(`${base}/expect/emitted/${escape(topic)}`),
        messages: messages.map((m, j) => ({
          topic,
          key: m.key,
          value: m.value,
          at: doc.locate(`${base}/expect/emitted/${escape(topic)}/${j}`),
        })),
      })),
    };
  });
  return { file, cases, diagnostics: [] };
}
