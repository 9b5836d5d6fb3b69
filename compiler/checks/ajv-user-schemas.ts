/**
 * The ajv instance for user schemas (types, schema files): created once per
 * process, quiet, with the formats the runtime knows.
 */
import { Ajv2020 } from "ajv/dist/2020.js";
import * as formatsModule from "ajv-formats";

let instance: Ajv2020 | undefined;

type AddFormats = (ajv: Ajv2020) => unknown;

/** A shared Ajv2020 for compiling user schemas; compiled schemas are not cached (`addUsedSchema: false`). */
export function userSchemaAjv(): Ajv2020 {
  if (instance === undefined) {
    instance = new Ajv2020({ strict: false, logger: false, allErrors: false, addUsedSchema: false, validateFormats: true });
    const mod = formatsModule as unknown as { default?: AddFormats } & AddFormats;
    const addFormats: AddFormats = typeof mod.default === "function" ? mod.default : mod;
    addFormats(instance);
  }
  return instance;
}

/** Why `schema` is not a usable JSON Schema (meta-schema or compile failure), or undefined when it is. */
export function schemaProblem(schema: unknown): string | undefined {
  if (typeof schema === "boolean") return undefined;
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) return "a JSON Schema is an object or a boolean";
  const ajv = userSchemaAjv();
  try {
    if (!ajv.validateSchema(schema as object)) return ajv.errorsText(ajv.errors, { dataVar: "schema" });
    ajv.compile(schema as object);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}
