import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const compiler = fileURLToPath(new URL("../../compiler/", import.meta.url));

/** The front half's sources: everything `analyze` reaches. */
function frontHalfSources(): string[] {
  const top = readdirSync(compiler)
    .filter((f) => /^(analyze|parse|pointer|schema|suggest|names|resolve-codec|validate.*|build-model.*)\.ts$/.test(f))
    .map((f) => `${compiler}${f}`);
  const checks = readdirSync(`${compiler}checks`).filter((f) => f.endsWith(".ts")).map((f) => `${compiler}checks/${f}`);
  return [...top, ...checks];
}

describe("analyze is pure", () => {
  it("no module of the front half touches the file system, the process or the clock", () => {
    const sources = frontHalfSources();
    expect(sources.length).toBeGreaterThan(15);
    const offenders = sources.filter((path) => /from "node:(fs|child_process|os)"|\bprocess\.[a-z]|\bDate\.now\(|Math\.random\(/.test(readFileSync(path, "utf8")));
    expect(offenders).toEqual([]);
  });
});
