/** Reading a codec as written into a `CodecModel`, recording the files it references. */
import type { SourceLocation } from "../diagnostics/catalogue.js";
import { resolveSpecPath, type ResolvedPath } from "../shared/paths.js";
import type { CodecModel, Located } from "./model.js";
import { schemaFileTypeName } from "../shared/names.js";
import { SCALAR_CODECS } from "../validate/schema.js";

/** A file a codec refers to: a JSON Schema file or a custom codec module. */
export interface FileRef extends ResolvedPath {
  readonly kind: "schema" | "module";
  /** As written in the spec. */
  readonly written: string;
  readonly at: SourceLocation;
}

/** Where paths are resolved from, and where referenced files and types are collected. */
export interface CodecContext {
  readonly file: string;
  readonly root: string;
  readonly projectRoot: string;
  readonly refs: FileRef[];
  /** Every `{ json: TypeName }`, located at the type name. */
  readonly typeRefs: Located<string>[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The codec `value` written at `at` means, or undefined when it is not a valid
 * codec (schema validation has reported that). Paths are resolved and recorded in `ctx.refs`,
 * type names in `ctx.typeRefs`.
 */
export function readCodec(
  value: unknown,
  ctx: CodecContext,
  locate: (pointer: string) => SourceLocation,
  pointer: string,
): CodecModel | undefined {
  if (typeof value === "string") {
    return (SCALAR_CODECS as readonly string[]).includes(value) ? { kind: value as (typeof SCALAR_CODECS)[number] } : undefined;
  }
  if (!isRecord(value) || ("json" in value && "custom" in value)) return undefined;
  const json = value["json"];
  if (typeof json === "string" && json.length > 0) {
    ctx.typeRefs.push({ value: json, at: locate(`${pointer}/json`) });
    return { kind: "json-type", type: json };
  }
  if (isRecord(json) && typeof json["schema"] === "string" && json["schema"].length > 0) {
    const written = json["schema"];
    const resolved = resolveSpecPath(written, ctx.file, ctx.root, ctx.projectRoot);
    ctx.refs.push({ ...resolved, kind: "schema", written, at: locate(`${pointer}/json/schema`) });
    return { kind: "json-schema", path: resolved.fromRoot, typeName: schemaFileTypeName(resolved.display) };
  }
  const custom = value["custom"];
  if (isRecord(custom) && typeof custom["module"] === "string" && custom["module"].length > 0 && typeof custom["export"] === "string") {
    const written = custom["module"];
    const resolved = resolveSpecPath(written, ctx.file, ctx.root, ctx.projectRoot);
    ctx.refs.push({ ...resolved, kind: "module", written, at: locate(`${pointer}/custom/module`) });
    return { kind: "custom", module: resolved.fromRoot, export: custom["export"] };
  }
  return undefined;
}

/** A stable text key of a codec, equal for equal codecs (for consistency checks and messages). */
export function codecKey(codec: CodecModel): string {
  switch (codec.kind) {
    case "json-type":
      return `{ json: ${codec.type} }`;
    case "json-schema":
      return `{ json: { schema: ${codec.path} } }`;
    case "custom":
      return `{ custom: { module: ${codec.module}, export: ${codec.export} } }`;
    default:
      return codec.kind;
  }
}
