/** JSON Schema → TypeScript, and the self-contained schemas of types.ts. */
import { describe, expect, it } from "vitest";
import { emitTypes, selfContainedSchema, type NamedSchema } from "../../compiler/emit/emit-types.js";
import { typeDeclaration, typeOf } from "../../compiler/emit/json-schema-to-ts.js";

describe("typeOf", () => {
  it.each([
    [{ type: "string" }, "string"],
    [{ type: "integer" }, "number"],
    [{ type: "number" }, "number"],
    [{ type: "boolean" }, "boolean"],
    [{ type: "null" }, "null"],
    [{ type: ["string", "null"] }, "string | null"],
    [{ enum: ["a", "b", 1, null] }, `"a" | "b" | 1 | null`],
    [{ const: "x" }, `"x"`],
    [{ $ref: "#/types/User" }, "User"],
    [{ $ref: "#/$defs/Local" }, "unknown"],
    [{ type: "array", items: { type: "string" } }, "string[]"],
    [{ type: "array", items: { type: ["string", "null"] } }, "(string | null)[]"],
    [{ type: "array" }, "unknown[]"],
    [{ type: "array", prefixItems: [{ type: "string" }, { type: "number" }], items: false }, "[string, number]"],
    [{ type: "array", prefixItems: [{ type: "string" }], items: { type: "number" } }, "[string, ...number[]]"],
    [{ oneOf: [{ type: "string" }, { type: "number" }] }, "string | number"],
    [{ anyOf: [{ type: "string" }, {}] }, "unknown"],
    [{ allOf: [{ $ref: "#/types/A" }, { $ref: "#/types/B" }] }, "A & B"],
    [{ type: "object" }, "Record<string, unknown>"],
    [{ type: "object", additionalProperties: false }, "Record<string, never>"],
    [{ type: "object", additionalProperties: { type: "integer" } }, "{\n  [key: string]: number;\n}"],
    [{ not: { type: "string" } }, "unknown"],
    [true, "unknown"],
    [false, "never"],
  ])("%j → %s", (schema, type) => {
    expect(typeOf(schema)).toBe(type);
  });

  it("prints objects with optional properties, quoted names and doc comments", () => {
    const schema = {
      type: "object",
      properties: {
        id: { type: "string", description: "The id." },
        "odd-name": { type: "number" },
        nested: { type: "object", properties: { x: { type: "boolean" } }, required: ["x"] },
      },
      required: ["id"],
    };
    expect(typeOf(schema)).toBe(
      ["{", "  /** The id. */", "  id: string;", `  "odd-name"?: number;`, "  nested?: {", "    x: boolean;", "  };", "}"].join("\n"),
    );
  });

  it("prints references to the schema's own $defs inline, recursive ones as unknown", () => {
    const schema = {
      type: "object",
      properties: { money: { $ref: "#/$defs/Money" }, node: { $ref: "#/$defs/Node" } },
      required: ["money"],
      $defs: {
        Money: { type: "object", properties: { cents: { type: "integer" } }, required: ["cents"] },
        Node: { type: "object", properties: { next: { $ref: "#/$defs/Node" } } },
      },
    };
    expect(typeDeclaration("Payment", schema)).toEqual([
      ["export interface Payment {", "  money: {", "    cents: number;", "  };", "  node?: {", "    next?: unknown;", "  };", "}"].join(
        "\n",
      ),
    ]);
  });

  it("declares object schemas as interfaces and everything else as type aliases", () => {
    expect(typeDeclaration("A", { type: "object", properties: { a: { type: "string" } }, required: ["a"] }, "An A.")).toEqual([
      "/** An A. */",
      "export interface A {\n  a: string;\n}",
    ]);
    expect(typeDeclaration("B", { oneOf: [{ type: "object", properties: { a: { const: 1 } } }, { type: "string" }] })).toEqual([
      `export type B = {\n  a?: 1;\n} | string;`,
    ]);
    expect(typeDeclaration("C", { type: "string" })).toEqual(["export type C = string;"]);
  });
});

describe("self-contained schemas", () => {
  const types: NamedSchema[] = [
    {
      name: "Order",
      schema: { type: "object", properties: { lines: { type: "array", items: { $ref: "#/types/Line" } } } },
      description: undefined,
    },
    { name: "Line", schema: { type: "object", properties: { product: { $ref: "#/types/Product" } } }, description: undefined },
    { name: "Product", schema: { type: "string" }, description: undefined },
    {
      name: "Tree",
      schema: { type: "object", properties: { children: { type: "array", items: { $ref: "#/types/Tree" } } } },
      description: undefined,
    },
  ];
  const all = new Map(types.map((t) => [t.name, t] as const));

  it("rewrites #/types refs to #/$defs and copies every reachable type", () => {
    const schema = selfContainedSchema(types[0] as NamedSchema, all) as { $defs: Record<string, unknown>; properties: unknown };
    expect(Object.keys(schema.$defs)).toEqual(["Line", "Product"]);
    expect(JSON.stringify(schema)).not.toContain("#/types/");
    expect(JSON.stringify(schema.properties)).toContain(`"$ref":"#/$defs/Line"`);
  });

  it("handles recursive types", () => {
    const schema = selfContainedSchema(types[3] as NamedSchema, all) as { $defs: Record<string, unknown> };
    expect(Object.keys(schema.$defs)).toEqual(["Tree"]);
  });

  it("leaves schemas without refs as written", () => {
    expect(selfContainedSchema(types[2] as NamedSchema, all)).toEqual({ type: "string" });
  });

  it("types.ts is deterministic", () => {
    expect(emitTypes("specs", types)).toBe(emitTypes("specs", types));
    expect(emitTypes("specs", types).startsWith("// Code generated by gokac from specs. DO NOT EDIT.\n")).toBe(true);
  });

  it("keeps a property named __proto__ in the emitted schema (an object literal key would set the prototype)", () => {
    const odd: NamedSchema = {
      name: "Odd",
      schema: JSON.parse(
        '{"type":"object","properties":{"__proto__":{"type":"number"},"constructor":{"type":"string"}},"required":["__proto__"]}',
      ) as unknown,
      description: undefined,
    };
    const text = emitTypes("specs", [odd]);
    const literal = text.slice(text.indexOf("export const schemas = ") + "export const schemas = ".length).replace(/;\s*$/, "");
    // the emitted literal evaluated as JavaScript (it is plain data) must equal the schema
    const schemas = new Function(`return (${literal});`)() as Record<string, { properties: object }>;
    expect(Object.keys(schemas["Odd"]?.properties ?? {})).toEqual(["__proto__", "constructor"]);
    expect(Object.getPrototypeOf(schemas["Odd"]?.properties)).toBe(Object.prototype);
  });
});
