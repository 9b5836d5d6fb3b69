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
    super(`${typeName}: ${direction}d value does not match its schema: ${errors.map((e) => `${e.instancePath || "/"} ${e.message ?? "is invalid"}`).join("; ")}`, {
      code: "SCHEMA_VALIDATION",
    });
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
  const ajv = new Ajv2020({ allErrors: true, strict: false, logger: false, addUsedSchema: false });
  addFormats(ajv);
  return ajv;
}

let sharedAjv: Ajv | undefined;
const compiled = new WeakMap<object, ValidateFunction>();

function validatorFor(schema: object): ValidateFunction {
  let validate = compiled.get(schema);
  if (validate === undefined) {
    sharedAjv ??= newAjv();
    validate = sharedAjv.compile(schema);
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
