/**
 * The ajv instance for user schemas (types, schema files): created once per
 * process, quiet, with ajv-formats (the runtime's json codec should compile schemas the same way).
 */
import { Ajv2020 } from "ajv/dist/2020.js";
import * as formatsModule from "ajv-formats";

let instance: Ajv2020 | undefined;

type AddFormats = (ajv: Ajv2020) => unknown;

/** A shared Ajv2020 for compiling user schemas; compiled schemas are not cached (`addUsedSchema: false`). */
export function userSchemaAjv(): Ajv2020 {
  if (instance === undefined) {
    instance = new Ajv2020({
      strict: false,
      logger: false,
      allErrors: false,
      addUsedSchema: false,
      validateFormats: true,
      ownProperties: true,
    });
    const mod = formatsModule as unknown as { default?: AddFormats } & AddFormats;
    const addFormats: AddFormats = typeof mod.default === "function" ? mod.default : mod;
    addFormats(instance);
  }
  return instance;
}

/** What is wrong with a schema: a message and, for meta-schema findings, the pointer inside the schema. */
export interface SchemaProblem {
  readonly message: string;
  /** JSON pointer inside the schema ("" for the whole schema or a compile failure). */
  readonly pointer: string;
}

const problems = new Map<string, SchemaProblem | undefined>();
const MAX_REMEMBERED = 2000;

/**
 * What makes `schema` unusable as a JSON Schema (meta-schema or compile
 * failure), or undefined when it is fine. Results are remembered by the
 * schema's JSON text, since the same types are checked on every build of a folder.
 */
export function schemaProblem(schema: unknown): SchemaProblem | undefined {
  if (typeof schema === "boolean") return undefined;
  if (typeof schema !== "object" || schema === null || Array.isArray(schema)) {
    return { message: "a JSON Schema is an object or a boolean", pointer: "" };
  }
  const key = JSON.stringify(schema);
  if (problems.has(key)) return problems.get(key);
  const problem = compileProblem(schema);
  if (problems.size >= MAX_REMEMBERED) problems.clear();
  problems.set(key, problem);
  return problem;
}

function compileProblem(schema: object): SchemaProblem | undefined {
  const ajv = userSchemaAjv();
  try {
    if (!ajv.validateSchema(schema)) {
      // the deepest error is the specific one; anyOf/oneOf wrappers around it only repeat it
      const errors = [...(ajv.errors ?? [])].sort((a, b) => b.instancePath.length - a.instancePath.length);
      const first = errors[0];
      if (first === undefined) return { message: "not a valid JSON Schema", pointer: "" };
      const allowed = (first.params as { allowedValues?: unknown[] }).allowedValues;
      const detail = allowed === undefined ? "" : ` (${allowed.map(String).join(", ")})`;
      return { message: `\`${first.instancePath || "/"}\` ${first.message ?? "is invalid"}${detail}`, pointer: first.instancePath };
    }
    ajv.compile(schema);
    return undefined;
  } catch (error) {
    return { message: (error as Error).message, pointer: "" };
  } finally {
    ajv.removeSchema(schema); // compiled validators are not needed here; do not let them pile up
  }
}
