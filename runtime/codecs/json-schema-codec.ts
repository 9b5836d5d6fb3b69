/**
 * JSON values checked against a JSON Schema with ajv on both encode and
 * decode, so a topic never carries (or hands a handler) a value its spec
 * does not allow. Each schema object is compiled once.
 */
import { createRequire } from "node:module";
import type { Ajv2020 as Ajv, ValidateFunction } from "ajv/dist/2020.js";
import { GokacError } from "../errors.js";
import type { Codec } from "./codec.js";
import { jsonCodec } from "./primitive-codecs.js";

/** A value that failed its schema; `errors` are ajv's, `typeName` the spec's type. */
export class SchemaValidationError extends GokacError {
  override readonly name = "SchemaValidationError";
  declare readonly code: "SCHEMA_VALIDATION";
  constructor(
    readonly typeName: string,
    readonly direction: "encode" | "decode",
    readonly errors: readonly { instancePath: string; message?: string | undefined }[],
  ) {
    super(
      `${typeName}: ${direction}d value does not match its schema: ${errors.map((e) => `${e.instancePath || "/"} ${e.message ?? "is invalid"}`).join("; ")}`,
      {
        code: "SCHEMA_VALIDATION",
      },
    );
  }
}

type AddFormats = (ajv: Ajv) => unknown;

/**
 * ajv and ajv-formats, loaded on the first schema codec: together they are
 * about a third of the runtime's import time, which every process using no
 * JSON Schema codec (and every `gokac` command) would pay for nothing.
 * Both ship CommonJS, so they load synchronously here.
 */
function newAjv(): Ajv {
  const require = createRequire(import.meta.url);
  const { Ajv2020 } = require("ajv/dist/2020.js") as { Ajv2020: new (options: object) => Ajv };
  const formats = require("ajv-formats") as { default?: AddFormats } & AddFormats;
  const addFormats: AddFormats = typeof formats.default === "function" ? formats.default : formats;
  // Specs use draft 2020-12 (as the compiler checks them); schemas are not registered by $id, so equal ids never clash.
  // ownProperties: a schema property named `constructor` (or any Object.prototype name) must be checked
  // against the value's own properties, not found on every object's prototype.
  const ajv = new Ajv2020({ allErrors: true, strict: false, logger: false, addUsedSchema: false, ownProperties: true });
  addFormats(ajv);
  return ajv;
}

/**
 * ajv drops a property named `__proto__` from `properties` (neither checked nor
 * allowed past `additionalProperties: false`). The same constraint written as
 * `patternProperties: { "^__proto__$": … }` is checked as it should be, so
 * schemas are rewritten that way before compiling (only when they use the name).
 */
function protoPropertiesAsPatterns(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(protoPropertiesAsPatterns);
  if (typeof schema !== "object" || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    Object.defineProperty(out, key, { value: protoPropertiesAsPatterns(value), enumerable: true, writable: true, configurable: true });
  }
  const properties = out["properties"];
  if (typeof properties === "object" && properties !== null && Object.prototype.hasOwnProperty.call(properties, "__proto__")) {
    const { ["__proto__"]: proto, ...rest } = properties as Record<string, unknown>;
    out["properties"] = rest;
    out["patternProperties"] = { ...(out["patternProperties"] as object | undefined), "^__proto__$": proto };
  }
  return out;
}

let sharedAjv: Ajv | undefined;
const compiled = new WeakMap<object, ValidateFunction>();

function validatorFor(schema: object): ValidateFunction {
  let validate = compiled.get(schema);
  if (validate === undefined) {
    sharedAjv ??= newAjv();
    validate = sharedAjv.compile((JSON.stringify(schema).includes('"__proto__"') ? protoPropertiesAsPatterns(schema) : schema) as object);
    compiled.set(schema, validate);
  }
  return validate;
}

/** A codec for `T` (JSON text), validating every value against `schema` (compiled once per schema object). */
export function jsonSchemaCodec<T>(typeName: string, schema: object): Codec<T> {
  const validate = validatorFor(schema);
  const check = (value: unknown, direction: "encode" | "decode"): void => {
    if (!validate(value)) throw new SchemaValidationError(typeName, direction, validate.errors ?? []);
  };
  return {
    name: `json:${typeName}`,
    encode(value) {
      check(value, "encode");
      return jsonCodec.encode(value);
    },
    decode(data) {
      const value = jsonCodec.decode(data);
      check(value, "decode");
      return value as T;
    },
  };
}
