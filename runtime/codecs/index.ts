/** The codecs generated code uses, as `codecs.int64`, `codecs.jsonSchema<T>(…)`, …; custom codecs are the user's `Codec<T>`. */
import type { Codec } from "./codec.js";
import { jsonSchemaCodec } from "./json-schema-codec.js";
import { booleanCodec, bytesCodec, float64Codec, int64Codec, jsonCodec, stringCodec } from "./primitive-codecs.js";

/** gokac's built-in codecs. */
export const codecs = {
  string: stringCodec,
  int64: int64Codec,
  float64: float64Codec,
  boolean: booleanCodec,
  bytes: bytesCodec,
  json: jsonCodec,
  jsonSchema: jsonSchemaCodec,
  /** Marks a user's codec as a codec (identity; for symmetry in hand-written graphs). */
  custom: <T>(codec: Codec<T>): Codec<T> => codec,
} as const;

export { SchemaValidationError } from "./json-schema-codec.js";
export type { Codec, CodecValue } from "./codec.js";
