/**
 * `types.ts`: one exported type per `types:` entry and per schema file a
 * `{ json: { schema: … } }` codec names, plus `schemas`: for each type a
 * self-contained JSON Schema (references `#/types/X` rewritten to
 * `#/$defs/X`, every referenced type copied into `$defs`) for ajv.
 */
import { joinPath } from "../shared/paths.js";
import type { CodecModel, SpecModel } from "../model/model.js";
import { referencedTypes, typeDeclaration, typeRefName } from "./json-schema-to-ts.js";
import { ownedHeader, propertyName, rememberedFileText, type FileTextMemo } from "./ts-text.js";

/** A type to generate: its name, JSON Schema and description. */
export interface NamedSchema {
  readonly name: string;
  readonly schema: unknown;
  readonly description: string | undefined;
}

/**
 * The named types of the folder in order: `types:` entries, then schema files
 * (in the order codecs name them). Unreadable schema files are skipped (the
 * checks report them as GK706/GK707).
 */
export function collectTypes(
  model: SpecModel,
  codecs: readonly CodecModel[],
  readFile: (path: string) => string | undefined,
): NamedSchema[] {
  const out = new Map<string, NamedSchema>();
  for (const t of model.types.values()) out.set(t.name, { name: t.name, schema: t.schema, description: t.description });
  for (const codec of codecs) {
    if (codec.kind !== "json-schema" || out.has(codec.typeName)) continue;
    const text = readFile(joinPath(model.root, codec.path));
    if (text === undefined) continue;
    try {
      const schema: unknown = JSON.parse(text);
      const description =
        typeof schema === "object" && schema !== null && "description" in schema && typeof schema.description === "string"
          ? schema.description
          : undefined;
      out.set(codec.typeName, { name: codec.typeName, schema, description });
    } catch {
      continue;
    }
  }
  return [...out.values()];
}

function rewriteRefs(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(rewriteRefs);
  if (typeof schema !== "object" || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    const name = key === "$ref" ? typeRefName(value) : undefined;
    // defineProperty: a property named `__proto__` (legal in JSON) would otherwise set the prototype
    Object.defineProperty(out, key, {
      value: name === undefined ? rewriteRefs(value) : `#/$defs/${name}`,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** The self-contained schema of `type`: its own schema plus `$defs` with every type it reaches. */
export function selfContainedSchema(type: NamedSchema, all: ReadonlyMap<string, NamedSchema>): unknown {
  const reached = new Set<string>();
  const pending = [...referencedTypes(type.schema)];
  while (pending.length > 0) {
    const name = pending.shift() as string;
    if (reached.has(name)) continue;
    reached.add(name);
    const target = all.get(name);
    if (target !== undefined) pending.push(...referencedTypes(target.schema));
  }
  const root = rewriteRefs(type.schema);
  if (reached.size === 0 || typeof root !== "object" || root === null || Array.isArray(root)) return root;
  const defs: Record<string, unknown> = { ...((root as Record<string, unknown>)["$defs"] as Record<string, unknown> | undefined) };
  for (const name of [...reached].sort()) {
    const target = all.get(name);
    if (target !== undefined) defs[name] = rewriteRefs(target.schema);
  }
  return { ...root, $defs: defs };
}

/**
 * JSON data as a TypeScript expression, pretty-printed like `JSON.stringify(value, null, 2)`,
 * except that a key `__proto__` is written as a computed key: in an object literal
 * `"__proto__": x` sets the prototype instead of creating the property.
 */
function dataLiteral(value: unknown, indent: string): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return "[]";
    const inner = `${indent}  `;
    return `[\n${value.map((v) => `${inner}${dataLiteral(v, inner)}`).join(",\n")}\n${indent}]`;
  }
  if (typeof value === "object" && value !== null) {
    const entries = Object.entries(value);
    if (entries.length === 0) return "{}";
    const inner = `${indent}  `;
    const key = (k: string): string => (k === "__proto__" ? `["__proto__"]` : JSON.stringify(k));
    return `{\n${entries.map(([k, v]) => `${inner}${key(k)}: ${dataLiteral(v, inner)}`).join(",\n")}\n${indent}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/**
 * The text pieces of each type kept between builds (watch mode), by the
 * type's schema object (a type's schema is the same object while its spec
 * document is unchanged). A type's `schemas` entry also holds the schemas of
 * the types it reaches, so it is reused only while each of those is the same object.
 */
export interface TypesMemo {
  /** The whole text, for when no piece changed. */
  readonly file: FileTextMemo;
  readonly declarations: WeakMap<object, { readonly name: string; readonly description: string | undefined; readonly text: string }>;
  readonly schemas: WeakMap<object, { readonly name: string; readonly reached: ReadonlyMap<string, unknown>; readonly text: string }>;
}

/** The declaration lines of `t` as one text. */
function declarationText(t: NamedSchema, memo: TypesMemo | undefined): string {
  const key = typeof t.schema === "object" && t.schema !== null ? t.schema : undefined;
  const kept = key === undefined ? undefined : memo?.declarations.get(key);
  if (kept !== undefined && kept.name === t.name && kept.description === t.description) return kept.text;
  const text = typeDeclaration(t.name, t.schema, t.description).join("\n");
  if (key !== undefined) memo?.declarations.set(key, { name: t.name, description: t.description, text });
  return text;
}

/** The `schemas` entry line of `t`. */
function schemaEntry(t: NamedSchema, all: ReadonlyMap<string, NamedSchema>, memo: TypesMemo | undefined): string {
  const key = typeof t.schema === "object" && t.schema !== null ? t.schema : undefined;
  const kept = key === undefined ? undefined : memo?.schemas.get(key);
  if (kept !== undefined && kept.name === t.name && [...kept.reached].every(([name, schema]) => all.get(name)?.schema === schema)) {
    return kept.text;
  }
  const text = `  ${propertyName(t.name)}: ${dataLiteral(selfContainedSchema(t, all), "  ")},`;
  if (key !== undefined && memo !== undefined) {
    const reached = new Map<string, unknown>();
    const pending = [...referencedTypes(t.schema)];
    while (pending.length > 0) {
      const name = pending.shift() as string;
      if (reached.has(name)) continue;
      const target = all.get(name);
      reached.set(name, target?.schema);
      if (target !== undefined) pending.push(...referencedTypes(target.schema));
    }
    memo.schemas.set(key, { name: t.name, reached, text });
  }
  return text;
}

/** The text of `types.ts`; `memo` keeps each type's pieces between builds. */
export function emitTypes(specRoot: string, types: readonly NamedSchema[], memo?: TypesMemo): string {
  const lines = [ownedHeader(specRoot), ""];
  for (const t of types) lines.push(declarationText(t, memo), "");
  const all = new Map(types.map((t) => [t.name, t] as const));
  lines.push("/** Self-contained JSON Schemas of the types above (for validation), by type name. */");
  if (types.length === 0) lines.push("export const schemas = {};");
  else {
    lines.push("export const schemas = {");
    for (const t of types) lines.push(schemaEntry(t, all, memo));
    lines.push("};");
  }
  return rememberedFileText(lines, memo?.file);
}
