/** Command-line values for `gokac emit` and printed values of `gokac get`. */
import { expect, it } from "vitest";
import { parseCliValue, toCliJson, ValueError } from "../../cli/cli-value.js";

it("takes a plain word or a JSON string literal for string topics", () => {
  expect(parseCliValue("string", "hello")).toBe("hello");
  expect(parseCliValue("string", "42")).toBe("42");
  expect(parseCliValue("string", '"with \\"quotes\\""')).toBe('with "quotes"');
});

it("parses int64 as bigint within range, float64 and boolean strictly", () => {
  expect(parseCliValue("int64", "-9223372036854775808")).toBe(-(2n ** 63n));
  expect(() => parseCliValue("int64", "9223372036854775808")).toThrow(ValueError);
  expect(() => parseCliValue("int64", "1.5")).toThrow(ValueError);
  expect(parseCliValue("float64", "1.5")).toBe(1.5);
  expect(() => parseCliValue("float64", "abc")).toThrow(ValueError);
  expect(parseCliValue("boolean", "true")).toBe(true);
  expect(() => parseCliValue("boolean", "yes")).toThrow(ValueError);
  expect(parseCliValue("bytes", "hé")).toEqual(new TextEncoder().encode("hé"));
});

it("parses JSON for json, typed json and custom codecs, refusing malformed JSON", () => {
  expect(parseCliValue("json:Click", '{"page":"/"}')).toEqual({ page: "/" });
  expect(parseCliValue("json", "[1,2]")).toEqual([1, 2]);
  expect(() => parseCliValue("json:Click", "{page}")).toThrow(ValueError);
});

it("prints values as JSON: null when absent, bigints as numbers", () => {
  expect(toCliJson(undefined)).toBe("null");
  expect(toCliJson(12345678901234567890n)).toBe("12345678901234567890");
  expect(toCliJson({ n: 3n, s: "x" })).toBe('{"n":3,"s":"x"}');
  expect(toCliJson("plain")).toBe('"plain"');
});

it("prints int64 exactly, nested too, and leaves strings that look like numbers alone", () => {
  expect(toCliJson(-(2n ** 63n))).toBe("-9223372036854775808");
  expect(toCliJson({ a: [9007199254740993n, null], s: "__bigint__1", u: undefined })).toBe(
    '{"a":[9007199254740993,null],"s":"__bigint__1"}',
  );
  expect(toCliJson([undefined])).toBe("[null]");
  expect(JSON.parse(toCliJson({ d: new Date(0) }))).toEqual({ d: "1970-01-01T00:00:00.000Z" });
});
