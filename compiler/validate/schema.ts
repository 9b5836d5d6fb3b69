/**
 * The JSON Schema (draft 2020-12) of one spec document, printed by
 * `gokac schema` for editors (`# yaml-language-server: $schema=…`) and CI.
 * `validate.ts` maps its errors to GK1xx/GK3xx codes by the `$defs` they
 * come from, so the definition names below are part of that mapping.
 */
import { TOPIC_COMPRESSIONS } from "../shared/compression.js";
import { MAX_GROUP_NAME_LENGTH, RESERVED_WORDS } from "../shared/names.js";

/** Codec names written as a plain string. */
export const SCALAR_CODECS = ["string", "int64", "float64", "boolean", "bytes", "json"] as const;

const ref = (name: string) => ({ $ref: `#/$defs/${name}` });

/** The spec document schema; a plain JSON value. */
export const specSchema = {
  $schema: "https://json-schema.org/draft/2020-12/schema",
  $id: "https://gokac.dev/schemas/spec.json",
  title: "gokac spec document",
  description: "One YAML document of a gokac spec folder: a topic catalogue, named types and/or one group.",
  type: "object",
  additionalProperties: false,
  patternProperties: {
    "^x-": { description: "Ignored by gokac: a place for YAML anchors shared by the document (`x-defaults: &defaults …`)." },
  },
  properties: {
    topics: {
      description: "Topic catalogue: name -> { partitions, codec, compression?, partitioner?, description? }.",
      type: "object",
      propertyNames: ref("topicName"),
      additionalProperties: ref("catalogueEntry"),
    },
    types: {
      description: 'Named message types: TypeName -> JSON Schema (draft 2020-12). `$ref: "#/types/Other"` refers to another type.',
      type: "object",
      propertyNames: ref("typeName"),
      additionalProperties: { type: ["object", "boolean"] },
    },
    group: { ...ref("groupName"), description: "Kafka consumer group; also names <group>-table and <group>-loop." },
    description: { type: "string", description: "Becomes the doc comment of the group's generated code." },
    inputs: { type: "array", items: ref("input"), description: "Input streams; at least one." },
    persist: ref("persist"),
    loop: ref("loop"),
    joins: { type: "array", items: ref("tableRef"), description: "Copartitioned tables, read by the message key." },
    lookups: { type: "array", items: ref("tableRef"), description: "Any table, read by any key through a view." },
    outputs: { type: "array", items: ref("output"), description: "Topics handlers may emit to." },
    visitors: { type: "array", items: ref("visitor"), description: "Named jobs that visit every key of the group table." },
    partitions: { ...ref("partitions"), description: "The group's copartitioned partition count." },
    errors: ref("errors"),
    partitioner: { ...ref("partitioner"), description: "How keys are placed on the group's table and loop (default kafka)." },
    guarantee: {
      enum: ["at-least-once", "exactly-once"],
      description:
        "at-least-once (default): a crash may process a message again; exactly-once: each message's table writes, emits, loopbacks, dead letter and offset commit are one Kafka transaction.",
    },
    standby: {
      type: "integer",
      minimum: 0,
      maximum: 10,
      description: "Warm standby copies of each table partition kept on other instances (default 0); needs persist.",
    },
  },
  dependentRequired: {
    inputs: ["group"],
    persist: ["group"],
    loop: ["group"],
    joins: ["group"],
    lookups: ["group"],
    outputs: ["group"],
    visitors: ["group"],
    partitions: ["group"],
    errors: ["group"],
    partitioner: ["group"],
    guarantee: ["group"],
    standby: ["group"],
  },
  $defs: {
    topicName: {
      type: "string",
      pattern: "^[a-zA-Z0-9._-]{1,249}$",
      not: { enum: [".", ".."] },
      description: "Kafka topic name: [a-zA-Z0-9._-], 1-249 characters, not . or ..",
    },
    groupName: {
      type: "string",
      pattern: `^[a-zA-Z0-9._-]{1,${MAX_GROUP_NAME_LENGTH}}$`,
      not: { enum: [".", ".."] },
      description: `Group name: [a-zA-Z0-9._-], 1-${MAX_GROUP_NAME_LENGTH} characters (so that <group>-table is legal).`,
    },
    handlerName: {
      type: "string",
      pattern: "^[A-Za-z_$][A-Za-z0-9_$]*$",
      not: { enum: [...RESERVED_WORDS] },
      description: "A TypeScript identifier, not a reserved word.",
    },
    typeName: { type: "string", pattern: "^[A-Z][A-Za-z0-9]*$", description: "A PascalCase identifier." },
    exportName: { type: "string", pattern: "^[A-Za-z_$][A-Za-z0-9_$]*$" },
    partitions: { type: "integer", minimum: 1 },
    partitioner: {
      enum: ["kafka", "goka"],
      description: "kafka (default): murmur2 as the Java client; goka: FNV-1a 32 as Goka/sarama's default hasher.",
    },
    codec: {
      description:
        "string | int64 | float64 | boolean | bytes | json | { json: TypeName } | { json: { schema: ./path.json } } | { custom: { module, export } }",
      anyOf: [
        { enum: [...SCALAR_CODECS] },
        {
          type: "object",
          additionalProperties: false,
          required: ["json"],
          properties: {
            json: {
              anyOf: [
                { type: "string", minLength: 1 },
                {
                  type: "object",
                  additionalProperties: false,
                  required: ["schema"],
                  properties: { schema: { type: "string", minLength: 1 } },
                },
              ],
            },
          },
        },
        {
          type: "object",
          additionalProperties: false,
          required: ["custom"],
          properties: {
            custom: {
              type: "object",
              additionalProperties: false,
              required: ["module", "export"],
              properties: { module: { type: "string", minLength: 1 }, export: ref("exportName") },
            },
          },
        },
      ],
    },
    catalogueEntry: {
      type: "object",
      additionalProperties: false,
      required: ["partitions", "codec"],
      properties: {
        partitions: ref("partitions"),
        codec: ref("codec"),
        compression: {
          enum: [...TOPIC_COMPRESSIONS],
          description: "How gokac compresses what it writes to the topic (default none); every codec is read.",
        },
        partitioner: ref("partitioner"),
        description: { type: "string" },
      },
    },
    input: {
      type: "object",
      additionalProperties: false,
      properties: {
        topic: ref("topicName"),
        topics: { type: "array", minItems: 1, items: ref("topicName") },
        codec: ref("codec"),
        handler: ref("handlerName"),
      },
      oneOf: [{ required: ["topic"] }, { required: ["topics"] }],
    },
    persist: {
      type: "object",
      additionalProperties: false,
      required: ["codec"],
      properties: { codec: ref("codec") },
    },
    loop: {
      type: "object",
      additionalProperties: false,
      required: ["codec"],
      properties: { codec: ref("codec"), handler: ref("handlerName") },
    },
    tableRef: {
      type: "object",
      additionalProperties: false,
      properties: { table: ref("topicName"), group: ref("groupName"), codec: ref("codec") },
      oneOf: [{ required: ["table"] }, { required: ["group"] }],
    },
    output: {
      type: "object",
      additionalProperties: false,
      required: ["topic"],
      properties: { topic: ref("topicName"), codec: ref("codec") },
    },
    errors: {
      type: "object",
      additionalProperties: false,
      description: "What a message that cannot be processed does (default: every failure stops the group, as Goka).",
      properties: {
        decode: {
          ...ref("failurePolicy"),
          description: "A key or value that cannot be decoded (incl. a null key in a group with state, or a key that is not UTF-8).",
        },
        handler: {
          ...ref("failurePolicy"),
          description: "A handler that threw, rejected, called ctx.fail or timed out, after its retries.",
        },
        retries: {
          type: "integer",
          minimum: 0,
          maximum: 100,
          description: "Handler attempts after the first before the policy applies (default 0), each from a clean context.",
        },
        backoff: { ...ref("duration"), description: "Delay before the first retry, doubling each time (default 100ms)." },
        timeout: {
          ...ref("duration"),
          pattern: "^[0-9]*[1-9][0-9]*(ms|s|m|h)$",
          description: "A handler still running after this has failed (default 60s).",
        },
        "dead-letter": {
          ...ref("topicName"),
          description: "The dead-letter topic (default <group>-dlq), created with the group's partition count.",
        },
      },
    },
    failurePolicy: {
      enum: ["fail", "skip", "dead-letter"],
      description:
        "fail: stop the group at the message; skip: log, count and commit it; dead-letter: send it to the dead-letter topic, then as skip.",
    },
    duration: {
      type: "string",
      pattern: "^[0-9]+(ms|s|m|h)$",
      description: "A duration: a whole number with a unit, ms, s, m or h (e.g. 200ms, 30s).",
    },
    visitor: {
      type: "object",
      additionalProperties: false,
      required: ["name"],
      properties: { name: { type: "string", minLength: 1 }, handler: ref("handlerName") },
    },
  },
} as const;
