/**
 * The generated code in a user's own project: gokac is packed (`npm pack`
 * of the compiled package), unpacked into a scratch project's node_modules
 * next to the repo's installed dependencies (offline), the project builds
 * the repo's example specs with the packaged `gokac` binary, and `tsc
 * --noEmit` type-checks the result (the repo's committed handler files
 * included) under `strict` with NodeNext resolution — no path mappings, no
 * `source` condition: `gokac/runtime` resolves to the package's `.d.ts`.
 */
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../golden/golden-helpers.js";
import { packGokac, runChild } from "../support/pack.js";

const work = mkdtempSync(join(tmpdir(), "gokac-scratch-"));
const app = join(work, "app");
const tsc = join(repoRoot, "node_modules/typescript/bin/tsc");

/** A user's project: package.json, strict tsconfig, gokac unpacked from the tarball, dependencies linked from the repo. */
function createApp(tarball: string): void {
  mkdirSync(join(app, "node_modules/gokac"), { recursive: true });
  writeFileSync(
    join(app, "package.json"),
    JSON.stringify({ name: "scratch-app", private: true, type: "module", dependencies: { gokac: `file:${tarball}` } }, null, 2),
  );
  writeFileSync(
    join(app, "tsconfig.json"),
    JSON.stringify(
      {
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          exactOptionalPropertyTypes: true,
          noUncheckedIndexedAccess: true,
          verbatimModuleSyntax: true,
          skipLibCheck: true,
          noEmit: true,
          types: ["node"],
        },
        include: ["generated"],
      },
      null,
      2,
    ),
  );
  runChild(app, "tar", ["-xzf", tarball, "-C", join(app, "node_modules/gokac"), "--strip-components=1"]);
  for (const dep of readdirSync(join(repoRoot, "node_modules"))) {
    if (dep === "gokac" || dep.startsWith(".")) continue;
    symlinkSync(join(repoRoot, "node_modules", dep), join(app, "node_modules", dep));
  }
  cpSync(join(repoRoot, "specs"), join(app, "specs"), { recursive: true });
  cpSync(join(repoRoot, "generated"), join(app, "generated"), { recursive: true });
}

describe("generated code in a user's project", () => {
  beforeAll(() => {
    createApp(packGokac(work));
  }, 180_000);
  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
  });

  it("the packaged gokac builds the examples without changing the committed output", () => {
    const out = runChild(app, process.execPath, ["node_modules/gokac/bin/gokac.js", "build", "specs", "--check"]);
    expect(out).toMatch(/up to date/);
  }, 60_000);

  function typeCheckApp(): string {
    try {
      return runChild(app, process.execPath, [tsc, "-p", "tsconfig.json"]);
    } catch (error) {
      return String((error as { stdout?: string }).stdout ?? error);
    }
  }

  it("a fresh build (handler stubs) type-checks under strict", () => {
    rmSync(join(app, "generated"), { recursive: true, force: true });
    runChild(app, process.execPath, ["node_modules/gokac/bin/gokac.js", "build", "specs"]);
    expect(readFileSync(join(app, "generated/example-group/handlers.ts"), "utf8")).toContain("// TODO: handle example-stream");
    expect(typeCheckApp()).toBe("");
  }, 120_000);

  it("the committed output with its real handlers type-checks under strict", () => {
    rmSync(join(app, "generated"), { recursive: true, force: true });
    cpSync(join(repoRoot, "generated"), join(app, "generated"), { recursive: true });
    expect(typeCheckApp()).toBe("");
  }, 120_000);
});
