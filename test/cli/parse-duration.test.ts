/** `--max-outage` and other durations typed on the command line. */
import { describe, expect, it } from "vitest";
import { parseDuration } from "../../cli/parse-duration.js";

describe("parseDuration", () => {
  it("reads units and plain milliseconds", () => {
    expect(parseDuration("30s")).toBe(30_000);
    expect(parseDuration("5m")).toBe(300_000);
    expect(parseDuration("1.5m")).toBe(90_000);
    expect(parseDuration("2h")).toBe(7_200_000);
    expect(parseDuration("250ms")).toBe(250);
    expect(parseDuration("8000")).toBe(8_000);
    expect(parseDuration(" 10 s ")).toBe(10_000);
  });
  it("refuses what is not a duration", () => {
    for (const text of ["", "-5s", "5 minutes", "s", "1e3", "5d", "abc"]) expect(parseDuration(text)).toBeUndefined();
  });
});
