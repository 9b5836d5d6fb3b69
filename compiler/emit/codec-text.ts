/**
 * How a codec appears in generated code: the TypeScript value type handlers
 * see, the runtime expression that builds the codec, and what either needs
 * imported. Follows the codec table of the spec language.
 */
import { dirnameOf, joinPath, relativePath } from "../shared/paths.js";
import type { CodecModel } from "../model/model.js";

/** An import a generated file needs: `name` from `from` (a module path relative to that file). */
export interface NeededImport {
  readonly name: string;
  readonly from: string;
}

/** Where the spec folder and the generated file are (display-relative), for custom codec module paths. */
export interface CodecPlace {
  readonly specRoot: string;
  /** Display-relative path of the generated file that will contain the text. */
  readonly file: string;
}

/** Name of the generated type for a json codec, or undefined for other codecs. */
export function jsonTypeName(codec: CodecModel): string | undefined {
  if (codec.kind === "json-type") return codec.type;
  if (codec.kind === "json-schema") return codec.typeName;
  return undefined;
}

/** The module specifier of a custom codec module as seen from `place.file` (`.ts` → `.js`, always starting with `.`). */
export function customModuleSpecifier(module: string, place: CodecPlace): string {
  const target = joinPath(place.specRoot, module).replace(/\.(m|c)?tsx?$/, (ext) => ext.replace("t", "j"));
  const rel = relativePath(dirnameOf(place.file), target);
  return rel.startsWith(".") ? rel : `./${rel}`;
}

const SCALAR_TYPES: Readonly<Record<string, string>> = {
  string: "string",
  int64: "bigint",
  float64: "number",
  boolean: "boolean",
  bytes: "Uint8Array",
  json: "unknown",
};

/**
 * The value type handlers see for `codec`, and the type-only imports it
 * needs (generated types from `types.ts`, custom codec exports for `typeof`).
 */
export function valueType(codec: CodecModel, place: CodecPlace, typesModule: string): { type: string; imports: NeededImport[] } {
  const named = jsonTypeName(codec);
  if (named !== undefined) return { type: named, imports: [{ name: named, from: typesModule }] };
  if (codec.kind === "custom") {
    return {
      type: `ReturnType<typeof ${codec.export}.decode>`,
      imports: [{ name: codec.export, from: customModuleSpecifier(codec.module, place) }],
    };
  }
  return { type: SCALAR_TYPES[codec.kind] ?? "unknown", imports: [] };
}

/** The runtime expression building `codec` (in `topics.ts`), and the value imports it needs besides `codecs`. */
export function codecExpression(
  codec: CodecModel,
  place: CodecPlace,
): { expression: string; imports: NeededImport[]; usesCodecs: boolean; usesSchemas: boolean } {
  const named = jsonTypeName(codec);
  if (named !== undefined) {
    return {
      expression: `codecs.jsonSchema<${named}>(${JSON.stringify(named)}, schemas.${named})`,
      imports: [],
      usesCodecs: true,
      usesSchemas: true,
    };
  }
  if (codec.kind === "custom") {
    return {
      expression: codec.export,
      imports: [{ name: codec.export, from: customModuleSpecifier(codec.module, place) }],
      usesCodecs: false,
      usesSchemas: false,
    };
  }
  return { expression: `codecs.${codec.kind}`, imports: [], usesCodecs: true, usesSchemas: false };
}
