/**
 * Validate: one spec document against the spec JSON Schema (ajv, allErrors),
 * with ajv's errors mapped to one precise diagnostic per problem: GK101
 * unknown key, GK102 missing key, GK103 wrong type or shape, GK301–GK304 bad names.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020.js";
import { diagnostic, type Diagnostic } from "../diagnostics/catalogue.js";
import type { SpecDocument } from "../parse/parse.js";
import { childPointer } from "../diagnostics/pointer.js";
import { specSchema } from "./schema.js";
import { didYouMean } from "../diagnostics/suggest.js";
import { diagnoseCodec, type Finding } from "./validate-codec.js";

let validator: ValidateFunction | undefined;

/** The compiled spec schema; compiled once per process, on first use. */
function specValidator(): ValidateFunction {
  if (validator === undefined) {
    // validateSchema: false skips compiling the meta-schema on every start; test/compiler/schema.test.ts checks the schema instead
    const ajv = new Ajv2020({
      allErrors: true,
      verbose: true,
      strict: true,
      strictRequired: false,
      strictTypes: false,
      validateSchema: false,
    });
    validator = ajv.compile(specSchema as object);
  }
  return validator;
}

const defs = specSchema.$defs;

/** Which name definition reports which code when a name breaks its rule. */
const NAME_CODES = new Map<object, { code: "GK301" | "GK302" | "GK303" | "GK304"; what: string; rule: string }>([
  [defs.topicName, { code: "GK301", what: "topic name", rule: "topic names use [a-zA-Z0-9._-], 1–249 characters, not `.` or `..`" }],
  [
    defs.groupName,
    {
      code: "GK302",
      what: "group name",
      rule: "group names use [a-zA-Z0-9._-], 1–243 characters (so `<group>-table` stays legal), not `.` or `..`",
    },
  ],
  [
    defs.handlerName,
    { code: "GK303", what: "handler name", rule: "handler names are TypeScript identifiers and not reserved words, e.g. `onClick`" },
  ],
  [defs.typeName, { code: "GK304", what: "type name", rule: "type names are PascalCase identifiers, e.g. `ClickCount`" }],
]);

/** oneOf definitions whose branches only differ in one required key. */
const ALTERNATIVES = new Map<object, readonly [string, string]>([
  [defs.input, ["topic", "topics"]],
  [defs.tableRef, ["table", "group"]],
]);

/** Validates one document; diagnostics are positioned through the document's node ranges. */
export function validateDocument(doc: SpecDocument): Diagnostic[] {
  const validate = specValidator();
  if (validate(doc.value)) return [];
  const findings = mapErrors(validate.errors ?? [], doc.value);
  const seen = new Set<string>();
  const out: Diagnostic[] = [];
  for (const f of findings) {
    const id = `${f.code} ${f.pointer}`;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(diagnostic(f.code, doc.locate(f.pointer, f.part), f.message, f.hint));
  }
  return out;
}

function isUnder(pointer: string, base: string): boolean {
  return pointer === base || pointer.startsWith(`${base}/`);
}

function displayPointer(pointer: string): string {
  return pointer === "" ? "the document" : `\`${pointer}\``;
}

/** Maps ajv's errors (allErrors) to findings: the codec union is re-diagnosed, oneOf noise collapsed. */
function mapErrors(errors: readonly ErrorObject[], root: unknown): Finding[] {
  const out: Finding[] = [];
  const codecPointers = errors.filter((e) => e.keyword === "anyOf" && e.parentSchema === defs.codec).map((e) => e.instancePath);
  for (const pointer of codecPointers) {
    const found = diagnoseCodec(valueAt(root, pointer), pointer);
    out.push(...(found.length > 0 ? found : [{ code: "GK103" as const, pointer, part: "value" as const, message: "invalid codec" }]));
  }
  const branchSchemas = new Set<unknown>([...ALTERNATIVES.keys()].flatMap((d) => (d as { oneOf: readonly unknown[] }).oneOf));
  // `Group: x` is one typo, not also a missing `group`
  const groupTypo = errors.some(
    (e) =>
      e.keyword === "additionalProperties" &&
      e.instancePath === "" &&
      didYouMean(String((e.params as Record<string, unknown>)["additionalProperty"]), ["group"]) !== undefined,
  );
  for (const e of errors) {
    if (codecPointers.some((p) => isUnder(e.instancePath, p))) continue;
    if (e.keyword === "propertyNames") continue; // the inner error says it better
    if (e.keyword === "required" && branchSchemas.has(e.parentSchema)) continue;
    if (e.keyword === "dependentRequired" && groupTypo) continue;
    const f = mapError(e);
    if (f !== undefined) out.push(f);
  }
  return out;
}

function mapError(e: ErrorObject): Finding | undefined {
  const params = e.params as Record<string, unknown>;
  const alternatives = ALTERNATIVES.get(e.parentSchema as object);
  if (e.keyword === "oneOf" && alternatives !== undefined) {
    const [a, b] = alternatives;
    if (params["passingSchemas"] === null) {
      return {
        code: "GK102",
        pointer: e.instancePath,
        part: "value",
        message: `${displayPointer(e.instancePath)} needs \`${a}\` or \`${b}\``,
      };
    }
    return {
      code: "GK103",
      pointer: childPointer(e.instancePath, b),
      part: "key",
      message: `give either \`${a}\` or \`${b}\`, not both`,
      hint: `remove \`${b}\` or \`${a}\``,
    };
  }
  if (e.keyword === "additionalProperties") {
    const key = String(params["additionalProperty"]);
    const allowed = Object.keys((e.parentSchema as { properties?: object }).properties ?? {});
    const hint = didYouMean(key, allowed) ?? `allowed here: ${allowed.join(", ")}`;
    return { code: "GK101", pointer: childPointer(e.instancePath, key), part: "key", message: `unknown key \`${key}\``, hint };
  }
  if (e.keyword === "required" || e.keyword === "dependentRequired") {
    const key = String(params["missingProperty"]);
    const message =
      e.keyword === "required"
        ? `${displayPointer(e.instancePath)} needs \`${key}\``
        : `\`${String(params["property"])}\` belongs to a group: the document needs \`${key}\``;
    return { code: "GK102", pointer: e.instancePath, part: "value", message };
  }
  const name = NAME_CODES.get(e.parentSchema as object);
  const propertyName = (e as { propertyName?: string }).propertyName;
  const pointer = propertyName === undefined ? e.instancePath : childPointer(e.instancePath, propertyName);
  const part = propertyName === undefined ? "value" : "key";
  if (name !== undefined && e.keyword !== "type") {
    const shown = shorten(propertyName ?? (typeof e.data === "string" ? e.data : ""));
    return { code: name.code, pointer, part, message: `illegal ${name.what} \`${shown}\``, hint: name.rule };
  }
  if (e.keyword === "type") {
    const expected = String(params["type"])
      .split(",")
      .map((t) => JSON_TYPES[t] ?? t)
      .join(" or ");
    const message = `${displayPointer(pointer)} must be ${expected}, not ${describe(e.data)}`;
    // YAML reads `group: 2024` or `topic: true` as a number or boolean; quoting keeps it a string
    const quotable = String(params["type"]) === "string" && (typeof e.data === "number" || typeof e.data === "boolean");
    return quotable
      ? { code: "GK103", pointer, part, message, hint: `write it in quotes: "${String(e.data)}"` }
      : { code: "GK103", pointer, part, message };
  }
  return { code: "GK103", pointer, part, message: `${displayPointer(pointer)} ${e.message ?? "is invalid"}` };
}

const JSON_TYPES: Readonly<Record<string, string>> = {
  object: "a mapping",
  array: "a list",
  string: "a string",
  integer: "an integer",
  number: "a number",
  boolean: "true or false",
  null: "null",
};

function describe(value: unknown): string {
  if (value === null || value === undefined) return "empty";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return `${typeof value} ${shorten(JSON.stringify(value))}`;
}

/** Long names make unreadable messages; the position says which one it is. */
function shorten(text: string): string {
  return text.length > 60 ? `${text.slice(0, 57)}…` : text;
}

function valueAt(root: unknown, pointer: string): unknown {
  let node = root;
  for (const segment of pointer.split("/").slice(1)) {
    const key = segment.replace(/~1/g, "/").replace(/~0/g, "~");
    if (typeof node !== "object" || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}
