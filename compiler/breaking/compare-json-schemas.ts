/**
 * Comparing two JSON Schemas of one topic or table: does every value the old
 * schema allowed (data already stored, messages old producers still send)
 * still pass the new one? gokac validates JSON values on decode, so a value
 * the new schema rejects stops the processor reading it.
 *
 * The comparison is structural and conservative: it follows `properties`,
 * `required`, `items`, `prefixItems`, `additionalProperties`, `type`, `enum`,
 * `const`, the numeric/length bounds, `pattern`, `format`, and `anyOf`/`oneOf`
 * branch counts (branches compared pairwise by position), resolving local
 * `$ref`s on both sides. What it does not follow (`allOf`, `if`/`then`,
 * `not`, external refs) is not reported. Pure.
 */
import type { SourceLocation } from "../diagnostics/catalogue.js";
import { childPointer, splitPointer } from "../diagnostics/pointer.js";

/** A node inside a schema, with the document it belongs to (for local `$ref`s and positions). */
export interface SchemaCursor {
  readonly node: unknown;
  /** JSON pointer of `node` in its document. */
  readonly pointer: string;
  /** The whole document (`#/...` refs are resolved against it). */
  readonly root: unknown;
  /** Where a pointer of that document was written. */
  locate(pointer: string): SourceLocation;
  /** Resolves `$ref: "#/types/X"` (named spec types); undefined when unknown. */
  resolveType(name: string): SchemaCursor | undefined;
}

/** The JSON-type rules: new required property, removed property, narrowed type, removed enum value. */
export type SchemaChangeCode = "GK956" | "GK957" | "GK958" | "GK959";

/** One incompatibility between an old and a new schema. */
export interface SchemaChange {
  readonly code: SchemaChangeCode;
  /** In the new schema, where the change was made (the place to undo it). */
  readonly at: SourceLocation;
  /** Where in a value it applies, e.g. `.address.city` or `[]` for array items; `` for the value itself. */
  readonly valuePath: string;
  /** What changed, without the topic (the caller adds it). */
  readonly message: string;
}

const JSON_TYPES = ["null", "boolean", "object", "array", "number", "integer", "string"] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function at(cursor: SchemaCursor, ...segments: (string | number)[]): SourceLocation {
  return cursor.locate(childPointer(cursor.pointer, ...segments));
}

function child(cursor: SchemaCursor, node: unknown, ...segments: (string | number)[]): SchemaCursor {
  return { ...cursor, node, pointer: childPointer(cursor.pointer, ...segments) };
}

/** Follows `$ref`s (named types and local pointers) until a node without one; undefined for an unresolvable ref. */
function deref(cursor: SchemaCursor, depth = 0): SchemaCursor | undefined {
  const node = cursor.node;
  if (!isRecord(node) || typeof node["$ref"] !== "string") return cursor;
  if (depth > 32) return undefined;
  const ref = node["$ref"];
  const typed = /^#\/types\/([^/]+)$/.exec(ref);
  if (typed?.[1] !== undefined) {
    const target = cursor.resolveType(typed[1]);
    return target === undefined ? undefined : deref(target, depth + 1);
  }
  if (!ref.startsWith("#")) return undefined;
  const pointer = decodeURIComponent(ref.slice(1));
  let target: unknown = cursor.root;
  for (const segment of splitPointer(pointer)) {
    if (isRecord(target)) target = target[segment];
    else if (Array.isArray(target)) target = target[Number(segment)];
    else return undefined;
  }
  return target === undefined ? undefined : deref({ ...cursor, node: target, pointer }, depth + 1);
}

/** The JSON types a schema allows, or undefined for "any" (no `type`, `enum` or `const`). */
function allowedTypes(node: Record<string, unknown>): ReadonlySet<string> | undefined {
  const type = node["type"];
  if (typeof type === "string") return new Set(type === "number" ? ["number", "integer"] : [type]);
  if (Array.isArray(type)) {
    const types = new Set(type.filter((t): t is string => typeof t === "string"));
    if (types.has("number")) types.add("integer");
    return types;
  }
  return undefined;
}

/** The values a schema is limited to (`enum`, or `const` as one value), as JSON texts; undefined when unlimited. */
function allowedValues(node: Record<string, unknown>): readonly string[] | undefined {
  if ("const" in node) return [JSON.stringify(node["const"])];
  const values = node["enum"];
  return Array.isArray(values) ? values.map((v) => JSON.stringify(v)) : undefined;
}

/** The JSON types of enumerated values (JSON texts), or undefined when unlimited. */
function typesOfValues(values: readonly string[] | undefined): ReadonlySet<string> | undefined {
  if (values === undefined) return undefined;
  return new Set(
    values.map((text) => {
      const value: unknown = JSON.parse(text);
      if (value === null) return "null";
      if (Array.isArray(value)) return "array";
      if (typeof value === "number") return Number.isInteger(value) ? "integer" : "number";
      return typeof value;
    }),
  );
}

function allows(types: ReadonlySet<string> | undefined, type: string): boolean {
  return types === undefined || types.has(type);
}

function describeValuePath(path: string): string {
  return path === "" ? "the value" : `\`${path}\``;
}

/** Bounds where a larger new value allows less (`minimum`…) and where a smaller one does (`maximum`…). */
const LOWER_BOUNDS = ["minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties"] as const;
const UPPER_BOUNDS = ["maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties"] as const;
const EXACT_CONSTRAINTS = ["pattern", "format", "multipleOf"] as const;

/** Every change that makes the new schema reject a value the old one accepted. */
export function compareSchemas(old: SchemaCursor, next: SchemaCursor): SchemaChange[] {
  const changes: SchemaChange[] = [];
  const seen = new Set<string>();
  walk(old, next, "", changes, seen);
  return changes;
}

function walk(oldCursor: SchemaCursor, nextCursor: SchemaCursor, valuePath: string, changes: SchemaChange[], seen: Set<string>): void {
  const oldResolved = deref(oldCursor);
  const next = deref(nextCursor);
  if (oldResolved === undefined || next === undefined) return;
  // recursive types ($ref cycles) are compared once per pair of places
  const key = `${oldResolved.locate(oldResolved.pointer).file}#${oldResolved.pointer}|${next.locate(next.pointer).file}#${next.pointer}`;
  if (seen.has(key)) return;
  seen.add(key);
  const old = oldResolved;
  const push = (code: SchemaChangeCode, where: SourceLocation, message: string) => changes.push({ code, at: where, valuePath, message });

  // 1. Boolean schemas: `false` allows nothing, `true` everything.
  if (old.node === false) return; // the old schema allowed nothing, so nothing old can fail
  if (next.node === false) {
    push("GK958", next.locate(next.pointer), `${describeValuePath(valuePath)} is now \`false\` (no value allowed)`);
    return;
  }
  const oldNode: Record<string, unknown> = isRecord(old.node) ? old.node : {};
  if (!isRecord(next.node)) return;
  const nextNode = next.node;

  // 2. Types: every type the old schema allowed must still be allowed.
  const oldTypes = allowedTypes(oldNode) ?? typesOfValues(allowedValues(oldNode));
  const nextTypes = allowedTypes(nextNode);
  if (nextTypes !== undefined) {
    const lost = oldTypes === undefined ? ["any other type"] : JSON_TYPES.filter((t) => oldTypes.has(t) && !nextTypes.has(t));
    if (lost.length > 0) {
      push("GK958", at(next, "type"), `${describeValuePath(valuePath)} no longer allows ${lost.join(", ")}`);
    }
  }

  // 3. Enumerations: removed values, or a new limit where there was none.
  const oldValues = allowedValues(oldNode);
  const nextValues = allowedValues(nextNode);
  if (nextValues !== undefined) {
    const where = at(next, "enum" in nextNode ? "enum" : "const");
    if (oldValues === undefined) {
      push("GK958", where, `${describeValuePath(valuePath)} is now limited to ${nextValues.join(", ")}`);
    } else {
      const removed = oldValues.filter((v) => !nextValues.includes(v));
      if (removed.length > 0) push("GK959", where, `${describeValuePath(valuePath)} no longer allows ${removed.join(", ")}`);
    }
  }

  // 4. Bounds and formats: tighter than before.
  for (const bound of LOWER_BOUNDS) {
    const n = nextNode[bound];
    const o = oldNode[bound];
    if (typeof n === "number" && (typeof o !== "number" || n > o)) {
      push(
        "GK958",
        at(next, bound),
        `${describeValuePath(valuePath)}: \`${bound}\` ${typeof o === "number" ? `raised from ${o} to ${n}` : `${n} added`}`,
      );
    }
  }
  for (const bound of UPPER_BOUNDS) {
    const n = nextNode[bound];
    const o = oldNode[bound];
    if (typeof n === "number" && (typeof o !== "number" || n < o)) {
      push(
        "GK958",
        at(next, bound),
        `${describeValuePath(valuePath)}: \`${bound}\` ${typeof o === "number" ? `lowered from ${o} to ${n}` : `${n} added`}`,
      );
    }
  }
  for (const constraint of EXACT_CONSTRAINTS) {
    const n = nextNode[constraint];
    if (n !== undefined && JSON.stringify(n) !== JSON.stringify(oldNode[constraint])) {
      push(
        "GK958",
        at(next, constraint),
        `${describeValuePath(valuePath)}: \`${constraint}\` ${constraint in oldNode ? "changed" : "added"}`,
      );
    }
  }

  // 5. Objects: required properties, removed properties, closed objects, then each common property.
  if (allows(oldTypes, "object") && allows(nextTypes, "object")) compareObjects(old, oldNode, next, nextNode, valuePath, changes, seen);

  // 6. Arrays: the items (and tuple positions) of both.
  if (allows(oldTypes, "array") && allows(nextTypes, "array")) {
    if (nextNode["items"] !== undefined) {
      walk(child(old, oldNode["items"] ?? true, "items"), child(next, nextNode["items"], "items"), `${valuePath}[]`, changes, seen);
    }
    const oldPrefix = Array.isArray(oldNode["prefixItems"]) ? oldNode["prefixItems"] : [];
    const nextPrefix = Array.isArray(nextNode["prefixItems"]) ? nextNode["prefixItems"] : [];
    nextPrefix.forEach((item, i) => {
      walk(child(old, oldPrefix[i] ?? true, "prefixItems", i), child(next, item, "prefixItems", i), `${valuePath}[${i}]`, changes, seen);
    });
  }

  // 7. Unions: fewer branches allow fewer values; branches are compared by position.
  for (const union of ["anyOf", "oneOf"] as const) {
    const o = oldNode[union];
    const n = nextNode[union];
    if (!Array.isArray(n)) continue;
    if (!Array.isArray(o)) {
      push("GK958", at(next, union), `${describeValuePath(valuePath)}: \`${union}\` added`);
      continue;
    }
    if (n.length < o.length)
      push("GK958", at(next, union), `${describeValuePath(valuePath)}: \`${union}\` has ${o.length - n.length} branch(es) fewer`);
    n.forEach((branch, i) => {
      if (i < o.length) walk(child(old, o[i], union, i), child(next, branch, union, i), valuePath, changes, seen);
    });
  }
}

function compareObjects(
  old: SchemaCursor,
  oldNode: Record<string, unknown>,
  next: SchemaCursor,
  nextNode: Record<string, unknown>,
  valuePath: string,
  changes: SchemaChange[],
  seen: Set<string>,
): void {
  const oldProps = isRecord(oldNode["properties"]) ? oldNode["properties"] : {};
  const nextProps = isRecord(nextNode["properties"]) ? nextNode["properties"] : {};
  const oldRequired = new Set(
    Array.isArray(oldNode["required"]) ? oldNode["required"].filter((r): r is string => typeof r === "string") : [],
  );
  const nextRequired = Array.isArray(nextNode["required"]) ? nextNode["required"] : [];
  const push = (code: SchemaChangeCode, where: SourceLocation, message: string) => changes.push({ code, at: where, valuePath, message });
  const prop = (name: string) => `\`${valuePath}.${name}\``;

  // a property required now but not before: old values may lack it
  nextRequired.forEach((name, i) => {
    if (typeof name === "string" && !oldRequired.has(name)) push("GK956", at(next, "required", i), `${prop(name)} is now required`);
  });
  // a property the old type had: old values carry it, and readers of the new type lose it
  for (const name of Object.keys(oldProps)) {
    if (!(name in nextProps)) {
      push("GK957", at(next, "properties" in nextNode ? "properties" : ""), `${prop(name)} was removed`);
    }
  }
  // a closed object where extra properties were allowed
  const oldExtra = oldNode["additionalProperties"];
  const nextExtra = nextNode["additionalProperties"];
  if (nextExtra === false && oldExtra !== false) {
    push("GK958", at(next, "additionalProperties"), `${describeValuePath(valuePath)} no longer allows properties other than those listed`);
  } else if (isRecord(nextExtra)) {
    walk(
      child(old, oldExtra ?? true, "additionalProperties"),
      child(next, nextExtra, "additionalProperties"),
      `${valuePath}.*`,
      changes,
      seen,
    );
  }
  for (const [name, schema] of Object.entries(nextProps)) {
    if (name in oldProps) {
      walk(child(old, oldProps[name], "properties", name), child(next, schema, "properties", name), `${valuePath}.${name}`, changes, seen);
    } else if (isRecord(oldExtra)) {
      // a new property where the old schema constrained unlisted ones: compare against that
      walk(child(old, oldExtra, "additionalProperties"), child(next, schema, "properties", name), `${valuePath}.${name}`, changes, seen);
    }
  }
}
