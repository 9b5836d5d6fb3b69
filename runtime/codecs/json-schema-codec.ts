/**
 * JSON values checked against a JSON Schema with ajv on both encode and
 * decode, so a topic never carries (or hands a handler) a value its spec
 * does not allow. Each schema object is compiled once.
 */
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import * as formatsModule from "ajv-formats";
import type { Codec } from "./codec.js";
import { jsonCodec } from "./primitive-codecs.js";

/** A value that failed its schema; `errors` are ajv's, `typeName` the spec's type. */
export class SchemaValidationError extends Error {
  override readonly name = "SchemaValidationError";
  constructor(
    readonly typeName: string,
    readonly direction: "encode" | "decode",
    readonly errors: readonly { instancePath: string; message?: string | undefined }[],
  ) {
    super(`${typeName}: ${direction}d value does not match its schema: ${errors.map((e) => `${e.instancePath || "/"} ${e.message ?? "is invalid"}`).join("; ")}`);
  }
}

type AddFormats = (ajv: Ajv2020) => unknown;
// ajv-formats ships CommonJS; depending on the loader its function is the namespace's default or the namespace.
const formats = formatsModule as unknown as { default?: AddFormats } & AddFormats;
const addFormats: AddFormats = typeof formats.default === "function" ? formats.default : formats;

let sharedAjv: Ajv2020 | undefined;
const compiled = new WeakMap<object, ValidateFunction>();

function validatorFor(schema: object): ValidateFunction {
  let validate = compiled.get(schema);
  if (validate === undefined) {
    if (sharedAjv === undefined) {
      // Specs use draft 2020-12 (as the compiler checks them); schemas are not registered by $id, so equal ids never clash.
      sharedAjv = new Ajv2020({ allErrors: true, strict: false, logger: false, addUsedSchema: false });
      addFormats(sharedAjv);
    }
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
