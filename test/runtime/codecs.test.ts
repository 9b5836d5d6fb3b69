import { describe, expect, it } from "vitest";
import { codecs, SchemaValidationError, UnrepresentableValueError } from "gokac/runtime";

describe("codecs", () => {
  it("int64 is Java LongSerializer compatible (8-byte big-endian two's complement)", () => {
    expect([...codecs.int64.encode(1n)]).toEqual([0, 0, 0, 0, 0, 0, 0, 1]);
    expect([...codecs.int64.encode(-1n)]).toEqual([255, 255, 255, 255, 255, 255, 255, 255]);
    expect([...codecs.int64.encode(256n)]).toEqual([0, 0, 0, 0, 0, 0, 1, 0]);
    for (const v of [0n, 42n, -42n, 2n ** 63n - 1n, -(2n ** 63n)]) expect(codecs.int64.decode(codecs.int64.encode(v))).toBe(v);
    expect(() => codecs.int64.encode(2n ** 63n)).toThrow(RangeError);
    expect(() => codecs.int64.decode(Uint8Array.of(1, 2, 3))).toThrow(RangeError);
  });

  it("float64 is 8-byte big-endian IEEE 754", () => {
    expect([...codecs.float64.encode(1)]).toEqual([0x3f, 0xf0, 0, 0, 0, 0, 0, 0]);
    for (const v of [0, -0.5, Math.PI, Number.MAX_VALUE, Number.NEGATIVE_INFINITY])
      expect(codecs.float64.decode(codecs.float64.encode(v))).toBe(v);
    expect(codecs.float64.decode(codecs.float64.encode(Number.NaN))).toBeNaN();
  });

  it("boolean is one byte 0/1 and rejects anything else", () => {
    expect([...codecs.boolean.encode(true)]).toEqual([1]);
    expect([...codecs.boolean.encode(false)]).toEqual([0]);
    expect(codecs.boolean.decode(Uint8Array.of(1))).toBe(true);
    expect(() => codecs.boolean.decode(Uint8Array.of(2))).toThrow();
    expect(() => codecs.boolean.decode(Uint8Array.of(0, 1))).toThrow();
  });

  it("string is UTF-8 and rejects malformed bytes", () => {
    expect(codecs.string.decode(codecs.string.encode("grüße ✓"))).toBe("grüße ✓");
    expect(() => codecs.string.decode(Uint8Array.of(0xff, 0xfe))).toThrow();
  });

  it("bytes pass through; json round-trips and rejects undefined", () => {
    const raw = Uint8Array.of(1, 2, 3);
    expect(codecs.bytes.decode(codecs.bytes.encode(raw))).toEqual(raw);
    expect(codecs.json.decode(codecs.json.encode({ a: [1, "x", null] }))).toEqual({ a: [1, "x", null] });
    expect(() => codecs.json.encode(undefined)).toThrow(UnrepresentableValueError);
    expect(() => codecs.json.decode(codecs.string.encode("{nope"))).toThrow();
  });

  it("jsonSchema validates on encode and decode, with formats", () => {
    interface Click {
      user: string;
      at: string;
    }
    const schema = {
      type: "object",
      required: ["user", "at"],
      properties: { user: { type: "string" }, at: { type: "string", format: "date-time" } },
      additionalProperties: false,
    };
    const codec = codecs.jsonSchema<Click>("Click", schema);
    const ok = { user: "u", at: "2024-01-01T00:00:00Z" };
    expect(codec.decode(codec.encode(ok))).toEqual(ok);
    expect(codec.name).toBe("json:Click");
    expect(() => codec.encode({ user: "u", at: "yesterday" })).toThrow(SchemaValidationError);
    try {
      codec.decode(codecs.json.encode({ user: 1, at: "2024-01-01T00:00:00Z" }));
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(SchemaValidationError);
      expect(error).toMatchObject({ typeName: "Click", direction: "decode" });
      expect((error as SchemaValidationError).errors[0]?.instancePath).toBe("/user");
    }
  });

  it("jsonSchema compiles a schema object once, however many codecs use it", () => {
    const schema = { type: "integer" };
    const a = codecs.jsonSchema<number>("N", schema);
    const b = codecs.jsonSchema<number>("N", schema);
    expect(b.decode(a.encode(3))).toBe(3);
    expect(() => b.encode(1.5)).toThrow(SchemaValidationError);
  });
});
