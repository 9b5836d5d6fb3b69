/**
 * The layering of the package (see README, "Layout"): compiler/ is pure (no
 * file system, process, clock or randomness) and imports neither runtime/
 * nor cli/; runtime/ imports neither compiler/ nor cli/.
 */
import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../", import.meta.url));

/** Every `.ts` file below `dir` (relative to the repo root). */
function sources(dir: string): string[] {
  return readdirSync(`${root}${dir}`, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => `${e.parentPath}/${e.name}`);
}

/** The relative import specifiers of a source file (static and dynamic, values and types). */
function relativeImports(path: string): string[] {
  const text = readFileSync(path, "utf8");
  return [...text.matchAll(/(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g)].map((m) => m[1] ?? "");
}

/** Files of `from` that import anything under one of the top-level folders `forbidden`. */
function crossing(from: string, forbidden: readonly string[]): string[] {
  return sources(from).filter((path) =>
    relativeImports(path).some((spec) => {
      const target = new URL(spec, `file://${path}`).pathname;
      return forbidden.some((dir) => target.startsWith(`${root}${dir}/`));
    }),
  );
}

describe("layering", () => {
  it("no module of compiler/ touches the file system, the process or the clock", () => {
    const files = sources("compiler");
    expect(files.length).toBeGreaterThan(50);
    const offenders = files.filter((path) =>
      /from "node:(fs|child_process|os|path)"|\bprocess\.[a-z]|\bDate\.now\(|new Date\(|Math\.random\(/.test(readFileSync(path, "utf8")),
    );
    expect(offenders).toEqual([]);
  });

  it("compiler/ imports nothing from runtime/ or cli/", () => {
    expect(crossing("cli", ["compiler"]).length, "the check finds crossings where there are some").toBeGreaterThan(0);
    expect(crossing("compiler", ["runtime", "cli"])).toEqual([]);
  });

  it("runtime/ imports nothing from compiler/ or cli/", () => {
    expect(sources("runtime").length).toBeGreaterThan(30);
    expect(crossing("runtime", ["compiler", "cli"])).toEqual([]);
  });

  it("cli/ imports the runtime's types only; the module is loaded lazily by name", () => {
    const valueImports = sources("cli").filter((path) =>
      [...readFileSync(path, "utf8").matchAll(/^import\s+(?!type\b)[^;]*from\s+["'](\.{1,2}\/[^"']+)["']/gm)].some((m) =>
        new URL(m[1] ?? "", `file://${path}`).pathname.startsWith(`${root}runtime/`),
      ),
    );
    expect(valueImports).toEqual([]);
  });

  it("the phases' arrows point down: model/ imports neither checks/ nor emit/, checks/ not emit/", () => {
    expect(crossing("compiler/model", ["compiler/checks", "compiler/emit"])).toEqual([]);
    expect(crossing("compiler/checks", ["compiler/emit"])).toEqual([]);
    expect(crossing("compiler/parse", ["compiler/validate", "compiler/model", "compiler/checks", "compiler/emit"])).toEqual([]);
    expect(crossing("compiler/validate", ["compiler/model", "compiler/checks", "compiler/emit"])).toEqual([]);
    expect(
      crossing("compiler/diagnostics", ["compiler/parse", "compiler/validate", "compiler/model", "compiler/checks", "compiler/emit"]),
    ).toEqual([]);
    expect(
      crossing("compiler/shared", ["compiler/parse", "compiler/validate", "compiler/model", "compiler/checks", "compiler/emit"]),
    ).toEqual([]);
    // breaking/ compares two models: it sits beside checks/, and nothing in the build depends on it
    expect(crossing("compiler/breaking", ["compiler/emit"])).toEqual([]);
    for (const phase of ["parse", "validate", "model", "checks", "emit"])
      expect(crossing(`compiler/${phase}`, ["compiler/breaking"])).toEqual([]);
  });
});
