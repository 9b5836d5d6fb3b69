/**
 * `gokac init` end to end, as a new user meets it: gokac is packed (`npm
 * pack` of the compiled package), `gokac init` from the unpacked package
 * makes a project depending on the tarball, `npm install --prefer-offline`
 * installs it (the registry is reachable; the npm cache usually answers),
 * then `npx gokac build specs` and `npm test` pass in it.
 */
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../golden/golden-helpers.js";

const work = mkdtempSync(join(tmpdir(), "gokac-init-"));
const pkg = join(work, "pkg");
const app = join(work, "new-app");
const tsc = join(repoRoot, "node_modules/typescript/bin/tsc");

/** Child processes see the packaged gokac and no cluster. */
const childEnv: NodeJS.ProcessEnv = { ...process.env, GOKAC_FROM_SOURCE: "" };
delete childEnv["GOKAC_BROKERS"];
delete childEnv["VITEST"];
delete childEnv["NODE_OPTIONS"];

function run(cwd: string, command: string, args: readonly string[]): string {
  return execFileSync(command, [...args], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: childEnv });
}

/** Packs gokac as npm would publish it, with `dist/` compiled into the copy (the repo's own files are not touched). */
function packGokac(): string {
  const manifest = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { files: string[] };
  mkdirSync(pkg, { recursive: true });
  cpSync(join(repoRoot, "package.json"), join(pkg, "package.json"));
  for (const entry of manifest.files.filter((f) => f !== "dist")) cpSync(join(repoRoot, entry), join(pkg, entry), { recursive: true });
  try {
    run(repoRoot, process.execPath, [tsc, "-p", "tsconfig.build.json", "--outDir", join(pkg, "dist")]);
  } catch {
    // emitted anyway (noEmitOnError is off); the new project's own type-check is the assertion
  }
  const tarball = run(pkg, "npm", ["pack", "--ignore-scripts", "--silent", "--pack-destination", work]).trim().split("\n").pop() ?? "";
  return join(work, tarball);
}

describe("gokac init from the packed package", () => {
  let tarball = "";
  beforeAll(() => {
    tarball = packGokac();
  }, 180_000);
  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
  });

  it("init, npm install, gokac build specs and npm test pass in the new project", () => {
    // init from the sources writes what the packed gokac would; the project then depends on the tarball
    run(work, process.execPath, [join(repoRoot, "bin/gokac.js"), "init", "new-app", "--gokac", `file:${tarball}`]);
    expect(existsSync(join(app, "specs/counter.yaml"))).toBe(true);

    run(app, "npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"]);
    expect(existsSync(join(app, "node_modules/gokac/spec.schema.json"))).toBe(true);
    expect(run(app, "npx", ["gokac", "build", "specs"])).toMatch(/written/);
    const test = run(app, "npm", ["test"]);
    expect(test).toMatch(/passed/);
  }, 600_000);
});
