/**
 * Named types: GK704 a `$ref` to `#/types/X` where X is not declared (or a
 * `$ref` gokac cannot resolve), GK708 a type schema that is not a valid JSON Schema.
 */
import { diagnostic, type Diagnostic } from "../diagnostics/catalogue.js";
import { childPointer } from "../diagnostics/pointer.js";
import { didYouMean } from "../diagnostics/suggest.js";
import { schemaProblem } from "./ajv-user-schemas.js";
import type { Check } from "./check-context.js";
import { modelLookup, type ModelLookup } from "../model/lookup.js";
import type { TypeDecl } from "../model/model.js";
import type { SpecDocument } from "../parse/parse.js";

const TYPE_REF = /^#\/types\/([^/]+)$/;

interface RefSite {
  readonly ref: string;
  readonly pointer: string;
}

/** Every string `$ref` in a schema, with its pointer relative to the schema. */
function refs(schema: unknown, pointer: string, out: RefSite[]): RefSite[] {
  if (Array.isArray(schema)) schema.forEach((item, i) => refs(item, childPointer(pointer, i), out));
  else if (typeof schema === "object" && schema !== null) {
    for (const [key, value] of Object.entries(schema)) {
      if (key === "$ref" && typeof value === "string") out.push({ ref: value, pointer: childPointer(pointer, key) });
      else if (key !== "const" && key !== "enum" && key !== "default" && key !== "examples") refs(value, childPointer(pointer, key), out);
    }
  }
  return out;
}

/** The schema with `#/types/X` refs replaced by `{}`, so it can be compiled on its own. */
function standalone(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(standalone);
  if (typeof schema !== "object" || schema === null) return schema;
  const entries = Object.entries(schema);
  if (entries.some(([k, v]) => k === "$ref" && typeof v === "string" && v.startsWith("#/types/"))) {
    return Object.fromEntries(entries.filter(([k]) => k !== "$ref").map(([k, v]) => [k, standalone(v)]));
  }
  return Object.fromEntries(entries.map(([k, v]) => [k, k === "const" || k === "enum" || k === "default" ? v : standalone(v)]));
}

/**
 * GK704/GK708 for one declared type: `doc` declared it (to place findings
 * inside its schema), `lookup` answers which other types exist, and
 * `typeNames` (every type name, only for suggestions) is asked for only when
 * a `$ref` names no type.
 */
export function typeRules(
  type: TypeDecl,
  doc: SpecDocument | undefined,
  lookup: ModelLookup,
  typeNames: () => readonly string[],
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const base = childPointer("/types", type.name);
  const locate = (pointer: string) => (doc === undefined ? type.at : doc.locate(pointer));
  let refsOk = true;
  for (const site of refs(type.schema, base, [])) {
    const match = TYPE_REF.exec(site.ref);
    if (match !== null && lookup.type(match[1] as string) !== undefined) continue;
    if (match === null && (site.ref === "#" || site.ref.startsWith("#/$defs/"))) continue;
    refsOk = false;
    const hint =
      match !== null
        ? (didYouMean(match[1] as string, typeNames()) ?? `declare \`${match[1] as string}\` under \`types:\``)
        : "refer to named types as `#/types/Name` (other $refs may only point into this type's own `$defs`)";
    out.push(diagnostic("GK704", locate(site.pointer), `\`$ref\` \`${site.ref}\` names no declared type`, hint));
  }
  if (!refsOk) return out; // an unresolved $ref would also fail compilation; one finding is enough
  const problem = schemaProblem(standalone(type.schema));
  if (problem !== undefined) {
    const at = problem.pointer === "" ? type.at : locate(base + problem.pointer);
    out.push(
      diagnostic(
        "GK708",
        at,
        `type \`${type.name}\` is not a valid JSON Schema: ${problem.message}`,
        "fix the schema (draft 2020-12); see https://json-schema.org/draft/2020-12",
      ),
    );
  }
  return out;
}

/** `$ref`s and validity of every declared type's schema. */
export const checkTypes: Check = (ctx) => {
  const names = [...ctx.model.types.keys()];
  const lookup = modelLookup(ctx.model);
  return [...ctx.model.types.values()].flatMap((type) => typeRules(type, ctx.typeDocuments.get(type.name), lookup, () => names));
};
