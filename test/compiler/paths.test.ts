import { describe, expect, it } from "vitest";
import { isAbsolutePath, normalizePath, relativePath, resolveSpecPath } from "../../compiler/shared/paths.js";
import { levenshtein, suggest } from "../../compiler/diagnostics/suggest.js";

describe("spec paths", () => {
  it("normalises", () => {
    expect(normalizePath("specs/./a/../b.json")).toBe("specs/b.json");
    expect(normalizePath("../x/./y")).toBe("../x/y");
    expect(normalizePath("a/..")).toBe(".");
    expect(normalizePath("a\\b\\c.json")).toBe("a/b/c.json");
  });

  it("relative paths between display paths", () => {
    expect(relativePath("specs", "specs/x/y.json")).toBe("x/y.json");
    expect(relativePath("specs", "schemas/y.json")).toBe("../schemas/y.json");
    expect(relativePath(".", "specs/a.yaml")).toBe("specs/a.yaml");
    expect(relativePath("specs", "specs")).toBe(".");
  });

  it("absolute paths", () => {
    for (const p of ["/etc/x", "C:\\x", "C:/x", "\\\\server\\x", "~/x"]) expect(isAbsolutePath(p)).toBe(true);
    for (const p of ["./x", "x", "../x"]) expect(isAbsolutePath(p)).toBe(false);
  });

  it("resolves against the spec file's folder and flags escapes from the project root", () => {
    expect(resolveSpecPath("./s.json", "specs/sub/a.yaml", "specs", ".")).toEqual({
      display: "specs/sub/s.json",
      fromRoot: "sub/s.json",
      unsafe: false,
    });
    expect(resolveSpecPath("../../s.json", "specs/sub/a.yaml", "specs", ".")).toEqual({
      display: "s.json",
      fromRoot: "../s.json",
      unsafe: false,
    });
    expect(resolveSpecPath("../../../s.json", "specs/sub/a.yaml", "specs", ".").unsafe).toBe(true);
    expect(resolveSpecPath("../s.json", "app/specs/a.yaml", "app/specs", "app").unsafe).toBe(false);
    expect(resolveSpecPath("../../s.json", "app/specs/a.yaml", "app/specs", "app").unsafe).toBe(true);
    expect(resolveSpecPath("/abs.json", "specs/a.yaml", "specs", ".").unsafe).toBe(true);
  });
});

describe("did you mean", () => {
  it("edit distance", () => {
    expect(levenshtein("persit", "persist")).toBe(1);
    expect(levenshtein("", "abc")).toBe(3);
    expect(levenshtein("kitten", "sitting")).toBe(3);
  });

  it("suggests near names only", () => {
    expect(suggest("persit", ["inputs", "persist", "loop"])).toBe("persist");
    expect(suggest("Group", ["group"])).toBe("group");
    expect(suggest("zzz", ["inputs", "persist"])).toBeUndefined();
    expect(suggest("persist", ["persist"])).toBeUndefined();
  });
});
