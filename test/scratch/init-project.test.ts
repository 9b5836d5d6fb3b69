/**
 * `gokac init` end to end, as a new user meets it: gokac is packed (`npm
 * pack` of the compiled package), `gokac init` from the unpacked package
 * makes a project depending on the tarball, `npm install --prefer-offline`
 * installs it (the registry is reachable; the npm cache usually answers),
 * then `npx gokac build specs` and `npm test` pass in it.
 */
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../golden/golden-helpers.js";
import { packGokac, runChild } from "../support/pack.js";

const work = mkdtempSync(join(tmpdir(), "gokac-init-"));
const app = join(work, "new-app");

describe("gokac init from the packed package", () => {
  let tarball = "";
  beforeAll(() => {
    tarball = packGokac(work);
  }, 180_000);
  afterAll(() => {
    rmSync(work, { recursive: true, force: true });
  });

  it("init, npm install, gokac build specs and npm test pass in the new project", () => {
    // init from the sources writes what the packed gokac would; the project then depends on the tarball
    runChild(work, process.execPath, [join(repoRoot, "bin/gokac.js"), "init", "new-app", "--gokac", `file:${tarball}`]);
    expect(existsSync(join(app, "specs/counter.yaml"))).toBe(true);

    runChild(app, "npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"]);
    expect(existsSync(join(app, "node_modules/gokac/spec.schema.json"))).toBe(true);
    expect(runChild(app, "npx", ["gokac", "build", "specs"])).toMatch(/written/);
    const test = runChild(app, "npm", ["test"]);
    expect(test).toMatch(/passed/);
  }, 600_000);
});
