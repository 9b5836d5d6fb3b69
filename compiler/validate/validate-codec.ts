/**
 * The careful half of schema validation for codecs: ajv reports a failed
 * codec union as a cascade of `anyOf` branch errors; this names the one thing
 * that is wrong instead.
 */
import type { DiagnosticCode } from "../diagnostics/catalogue.js";
import { childPointer } from "../diagnostics/pointer.js";
import { SCALAR_CODECS } from "./schema.js";
import { didYouMean } from "../diagnostics/suggest.js";

/** A schema finding before it is given a position. */
export interface Finding {
  readonly code: DiagnosticCode;
  readonly pointer: string;
  /** `key` points at the key naming the node (unknown keys), `value` at the node itself. */
  readonly part: "key" | "value";
  readonly message: string;
  readonly hint?: string;
}

const CODEC_FORMS =
  "a codec is one of string, int64, float64, boolean, bytes, json, { json: TypeName }, { json: { schema: ./file.json } }, { custom: { module: ./file.ts, export: name } }";

function finding(code: DiagnosticCode, pointer: string, part: "key" | "value", message: string, hint?: string): Finding {
  return hint === undefined ? { code, pointer, part, message } : { code, pointer, part, message, hint };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return `${typeof value} ${JSON.stringify(value)}`;
}

function unknownKeys(value: Record<string, unknown>, pointer: string, allowed: readonly string[], where: string): Finding[] {
  return Object.keys(value)
    .filter((k) => !allowed.includes(k))
    .map((k) =>
      finding(
        "GK101",
        childPointer(pointer, k),
        "key",
        `unknown key \`${k}\` in ${where}`,
        didYouMean(k, allowed) ?? `allowed here: ${allowed.join(", ")}`,
      ),
    );
}

function requiredString(value: Record<string, unknown>, pointer: string, key: string, where: string): Finding[] {
  if (!(key in value)) return [finding("GK102", pointer, "value", `${where} needs \`${key}\``)];
  const v = value[key];
  if (typeof v !== "string" || v.length === 0) {
    return [finding("GK103", childPointer(pointer, key), "value", `\`${key}\` of ${where} must be a non-empty string, not ${describe(v)}`)];
  }
  return [];
}

/** Everything wrong with the codec `value` at `pointer`; empty when it is a valid codec. */
export function diagnoseCodec(value: unknown, pointer: string): Finding[] {
  if (typeof value === "string") {
    if ((SCALAR_CODECS as readonly string[]).includes(value)) return [];
    return [finding("GK103", pointer, "value", `unknown codec \`${value}\``, didYouMean(value, SCALAR_CODECS) ?? CODEC_FORMS)];
  }
  if (!isRecord(value))
    return [finding("GK103", pointer, "value", `codec must be a name or a mapping, not ${describe(value)}`, CODEC_FORMS)];
  const forms = ["json", "custom"].filter((k) => k in value);
  if (forms.length === 0) {
    const unknown = unknownKeys(value, pointer, ["json", "custom"], "a codec");
    return unknown.length > 0 ? unknown : [finding("GK103", pointer, "value", "empty codec mapping", CODEC_FORMS)];
  }
  if (forms.length > 1) {
    return [finding("GK103", pointer, "value", "a codec is either `json` or `custom`, not both", CODEC_FORMS)];
  }
  const out = unknownKeys(value, pointer, forms, "a codec");
  if (forms[0] === "json") {
    const json = value["json"];
    const at = childPointer(pointer, "json");
    if (typeof json === "string") {
      if (json.length === 0) out.push(finding("GK103", at, "value", "`json` needs a type name", CODEC_FORMS));
    } else if (isRecord(json)) {
      out.push(...unknownKeys(json, at, ["schema"], "`json`"), ...requiredString(json, at, "schema", "`json`"));
    } else {
      out.push(finding("GK103", at, "value", `\`json\` takes a type name or { schema: ./file.json }, not ${describe(json)}`, CODEC_FORMS));
    }
    return out;
  }
  const custom = value["custom"];
  const at = childPointer(pointer, "custom");
  if (!isRecord(custom)) {
    out.push(finding("GK103", at, "value", `\`custom\` takes { module, export }, not ${describe(custom)}`, CODEC_FORMS));
    return out;
  }
  out.push(...unknownKeys(custom, at, ["module", "export"], "`custom`"), ...requiredString(custom, at, "module", "`custom`"));
  const exported = custom["export"];
  if (!("export" in custom)) {
    out.push(finding("GK102", at, "value", "`custom` needs `export`, the name of the module's Codec export"));
  } else if (typeof exported !== "string" || !/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(exported)) {
    out.push(finding("GK103", childPointer(at, "export"), "value", "`export` must be the identifier of the module's Codec export"));
  }
  return out;
}
