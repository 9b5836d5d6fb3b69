/**
 * JSON Schema (the subset specs use) → TypeScript type text. Supported:
 * `type` (also as an array, e.g. `["string", "null"]`), `enum`, `const`,
 * objects (`properties`, `required`, `additionalProperties`), arrays
 * (`items`, `prefixItems`), `oneOf`/`anyOf` (unions), `allOf` (intersections),
 * `$ref: "#/types/X"` (the generated type `X`) and `description` (doc comments).
 * Anything else becomes `unknown`, never a wrong type.
 *
 * Decisions: an object without `additionalProperties` gets no index signature
 * (readable types for the usual closed messages); `additionalProperties: <schema>`
 * adds one. Optional properties are `name?: T`.
 */
import { docComment, propertyName, stringLiteral } from "./ts-text.js";

type Schema = Readonly<Record<string, unknown>>;

/** Local definitions (`$defs` of the type's root schema) and the ones being printed (recursion stops there). */
export interface Scope {
  readonly defs: Schema;
  readonly resolving: ReadonlySet<string>;
}

const NO_SCOPE: Scope = { defs: {}, resolving: new Set() };
const LOCAL_REF = /^#\/\$defs\/([^/]+)$/;

const TYPE_REF = /^#\/types\/([A-Za-z_$][A-Za-z0-9_$]*)$/;

function isSchema(value: unknown): value is Schema {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The type named by a `$ref` to `#/types/X`, or undefined for any other reference. */
export function typeRefName(ref: unknown): string | undefined {
  return typeof ref === "string" ? TYPE_REF.exec(ref)?.[1] : undefined;
}

function literal(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "string") return stringLiteral(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return "unknown";
}

function union(parts: readonly string[]): string {
  const unique = [...new Set(parts)];
  if (unique.includes("unknown")) return "unknown";
  if (unique.length === 0) return "never";
  return unique.length === 1 ? (unique[0] as string) : unique.map(parenthesize).join(" | ");
}

/** Wraps unions and intersections in parentheses where they are an operand (`(A | B)[]`). */
function parenthesize(type: string): string {
  if (type.startsWith("{") || type.startsWith("[") || /^"(?:[^"\\]|\\.)*"$/.test(type)) return type;
  return /[|&]/.test(type) ? `(${type})` : type;
}

function primitive(type: string, schema: Schema, indent: string, scope: Scope): string {
  switch (type) {
    case "string":
      return "string";
    case "number":
    case "integer":
      return "number";
    case "boolean":
      return "boolean";
    case "null":
      return "null";
    case "array":
      return arrayType(schema, indent, scope);
    case "object":
      return objectType(schema, indent, scope);
    default:
      return "unknown";
  }
}

function arrayType(schema: Schema, indent: string, scope: Scope): string {
  const prefix = schema["prefixItems"];
  if (Array.isArray(prefix)) {
    const items = prefix.map((s) => typeOf(s, indent, scope));
    const rest = schema["items"];
    if (rest === false || rest === undefined) return `[${items.join(", ")}]`;
    return `[${[...items, `...${parenthesize(typeOf(rest, indent, scope))}[]`].join(", ")}]`;
  }
  const items = schema["items"];
  return `${parenthesize(items === undefined ? "unknown" : typeOf(items, indent, scope))}[]`;
}

function objectType(schema: Schema, indent: string, scope: Scope): string {
  const properties = isSchema(schema["properties"]) ? schema["properties"] : {};
  const required = new Set(Array.isArray(schema["required"]) ? schema["required"].filter((r) => typeof r === "string") : []);
  const additional = schema["additionalProperties"];
  const names = Object.keys(properties);
  if (names.length === 0 && (additional === undefined || additional === true)) return "Record<string, unknown>";
  if (names.length === 0 && additional === false) return "Record<string, never>";
  const inner = `${indent}  `;
  const lines: string[] = ["{"];
  for (const name of names) {
    const prop = properties[name];
    lines.push(...docComment(isSchema(prop) && typeof prop["description"] === "string" ? prop["description"] : undefined, inner));
    lines.push(`${inner}${propertyName(name)}${required.has(name) ? "" : "?"}: ${typeOf(prop, inner, scope)};`);
  }
  if (isSchema(additional)) {
    lines.push(`${inner}[key: string]: ${names.length === 0 ? typeOf(additional, inner, scope) : "unknown"};`);
  }
  lines.push(`${indent}}`);
  return lines.join("\n");
}

/** A `#/$defs/X` reference of the type's own root schema, printed inline; recursive ones become `unknown`. */
function localRef(ref: unknown, indent: string, scope: Scope): string {
  const name = typeof ref === "string" ? LOCAL_REF.exec(ref)?.[1] : undefined;
  if (name === undefined || scope.resolving.has(name) || !(name in scope.defs)) return "unknown";
  return typeOf(scope.defs[name], indent, { defs: scope.defs, resolving: new Set([...scope.resolving, name]) });
}

/**
 * The TypeScript type of `schema`, printed for a position indented by `indent`
 * (nested object members are indented two more spaces).
 */
export function typeOf(schema: unknown, indent = "", scope: Scope = NO_SCOPE): string {
  if (schema === true) return "unknown";
  if (schema === false) return "never";
  if (!isSchema(schema)) return "unknown";
  if ("$ref" in schema) return typeRefName(schema["$ref"]) ?? localRef(schema["$ref"], indent, scope);
  if ("const" in schema) return literal(schema["const"]);
  if (Array.isArray(schema["enum"])) return union(schema["enum"].map(literal));
  for (const key of ["oneOf", "anyOf"] as const) {
    const options = schema[key];
    if (Array.isArray(options)) return union(options.map((s) => typeOf(s, indent, scope)));
  }
  if (Array.isArray(schema["allOf"])) {
    const parts = schema["allOf"].map((s) => typeOf(s, indent, scope));
    return parts.includes("unknown") || parts.length === 0 ? "unknown" : parts.map(parenthesize).join(" & ");
  }
  const type = schema["type"];
  if (typeof type === "string") return primitive(type, schema, indent, scope);
  if (Array.isArray(type)) return union(type.map((t) => (typeof t === "string" ? primitive(t, schema, indent, scope) : "unknown")));
  if (isSchema(schema["properties"])) return objectType(schema, indent, scope);
  if (schema["items"] !== undefined || schema["prefixItems"] !== undefined) return arrayType(schema, indent, scope);
  return "unknown";
}

/** True when `schema` prints as one object type (so it can be an interface). */
function isObjectSchema(schema: unknown): boolean {
  if (!isSchema(schema)) return false;
  if (["$ref", "const", "enum", "oneOf", "anyOf", "allOf"].some((k) => k in schema)) return false;
  return schema["type"] === "object" || (schema["type"] === undefined && isSchema(schema["properties"]));
}

/** `export interface X {…}` for object schemas, `export type X = …;` otherwise, with the description as doc comment. */
export function typeDeclaration(name: string, schema: unknown, description?: string): string[] {
  const doc = docComment(
    description ?? (isSchema(schema) && typeof schema["description"] === "string" ? schema["description"] : undefined),
  );
  const type = typeOf(
    schema,
    "",
    isSchema(schema) && isSchema(schema["$defs"]) ? { defs: schema["$defs"], resolving: new Set() } : NO_SCOPE,
  );
  if (isObjectSchema(schema) && type.startsWith("{")) return [...doc, `export interface ${name} ${type}`];
  return [...doc, `export type ${name} = ${type};`];
}

/** Every type name referenced by `$ref: "#/types/X"` anywhere in `schema`. */
export function referencedTypes(schema: unknown, into: Set<string> = new Set()): Set<string> {
  if (Array.isArray(schema)) for (const s of schema) referencedTypes(s, into);
  else if (isSchema(schema)) {
    for (const [key, value] of Object.entries(schema)) {
      if (key === "$ref") {
        const name = typeRefName(value);
        if (name !== undefined) into.add(name);
      } else referencedTypes(value, into);
    }
  }
  return into;
}
