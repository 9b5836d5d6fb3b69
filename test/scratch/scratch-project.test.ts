/**
 * The generated code in a user's own project: gokac is packed (`npm pack`
 * of the compiled package), unpacked into a scratch project's node_modules
 * next to the repo's installed dependencies (offline), the project builds
 * the repo's example specs with the packaged `gokac` binary, and `tsc
 * --noEmit` type-checks the result (the repo's committed handler files
 * included) under `strict` with NodeNext resolution — no path mappings, no
 * `source` condition: `gokac/runtime` resolves to the package's `.d.ts`.
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../golden/golden-helpers.js";

const work = mkdtempSync(join(tmpdir(), "gokac-scratch-"));
const pkg = join(work, "pkg");
const app = join(work, "app");
const tsc = join(repoRoot, "node_modules/typescript/bin/tsc");

/** The environment of child processes: the packaged gokac, and no cluster (a build would check live partition counts with GOKAC_BROKERS). */
const childEnv: NodeJS.ProcessEnv = { ...process.env, GOKAC_FROM_SOURCE: "" };
delete childEnv["GOKAC_BROKERS"];

function run(cwd: string, command: string, args: readonly string[]): string {
  return execFileSync(command, [...args], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: childEnv });
}

/** Packs gokac as npm would publish it, with `dist/` compiled into the copy (the repo's own files are not touched). */
function packGokac(): string {
  const manifest = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { files: string[] };
  mkdirSync(pkg, { recursive: true });
  cpSync(join(repoRoot, "package.json"), join(pkg, "package.json"));
  for (const entry of manifest.files.filter((f) => f !== "dist")) cpSync(join(repoRoot, entry), join(pkg, entry), { recursive: true });
  // the build may report errors from files other engineers are editing; it still emits what type-checks
  try {
    run(repoRoot, process.execPath, [tsc, "-p", "tsconfig.build.json", "--outDir", join(pkg, "dist")]);
  } catch {
    // emitted anyway (noEmitOnError is off); the type-check of the app below is the real assertion
  }
  const tarball = run(pkg, "npm", ["pack", "--ignore-scripts", "--silent", "--pack-destination", work]).trim().split("\n").pop() ?? "";
  return join(work, tarball);
}

/** A user's project: package.json, strict tsconfig, gokac unpacked from the tarball, dependencies linked from the repo. */
function createApp(tarball: string): void {
  mkdirSync(join(app, "node_modules/gokac"), { recursive: true });
  writeFileSync(join(app, "package.json"), JSON.stringify({ name: "scratch-app", private: true, type: "module", dependencies: { gokac: `file:${tarball}` } }, null, 2));
  writeFileSync(join(app, "tsconfig.json"), JSON.stringify({
    compilerOptions: {
      target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, exactOptionalPropertyTypes: true,
      noUncheckedIndexedAccess: true, verbatimModuleSyntax: true, skipLibCheck: true, noEmit: true, types: ["node"],
    },
    include: ["generated"],
  }, null, 2));
  run(app, "tar", ["-xzf", tarball, "-C", join(app, "node_modules/gokac"), "--strip-components=1"]);
  for (const dep of readdirSync(join(repoRoot, "node_modules"))) {
    if (dep === "gokac" || dep.startsWith(".")) continue;
    symlinkSync(join(repoRoot, "node_modules", dep), join(app, "node_modules", dep));
  }
  cpSync(join(repoRoot, "specs"), join(app, "specs"), { recursive: true });
  cpSync(join(repoRoot, "generated"), join(app, "generated"), { recursive: true });
}

describe("generated code in a user's project", () => {
  beforeAll(() => {
    createApp(packGokac());
  }, 180_000);
  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
  });

  it("the packaged gokac builds the examples without changing the committed output", () => {
    const out = run(app, process.execPath, ["node_modules/gokac/bin/gokac.js", "build", "specs", "--check"]);
    expect(out).toMatch(/up to date/);
  }, 60_000);

  function typeCheckApp(): string {
    try {
      return run(app, process.execPath, [tsc, "-p", "tsconfig.json"]);
    } catch (error) {
      return String((error as { stdout?: string }).stdout ?? error);
    }
  }

  it("a fresh build (handler stubs) type-checks under strict", () => {
    rmSync(join(app, "generated"), { recursive: true, force: true });
    run(app, process.execPath, ["node_modules/gokac/bin/gokac.js", "build", "specs"]);
    expect(readFileSync(join(app, "generated/example-group/handlers.ts"), "utf8")).toContain("// TODO: handle example-stream");
    expect(typeCheckApp()).toBe("");
  }, 120_000);

  it("the committed output with its real handlers type-checks under strict", () => {
    rmSync(join(app, "generated"), { recursive: true, force: true });
    cpSync(join(repoRoot, "generated"), join(app, "generated"), { recursive: true });
    expect(typeCheckApp()).toBe("");
  }, 120_000);
});
