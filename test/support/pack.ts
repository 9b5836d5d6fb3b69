/**
 * gokac as a user installs it, for the scratch tests: the package packed by
 * `npm pack` with `dist/` compiled into a copy (the repo's own files are not
 * touched), and child processes that see the packaged gokac and no cluster.
 */
import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "../golden/golden-helpers.js";

/** The environment of child processes: the packaged gokac, no cluster (a build would check live partition counts), no vitest. */
export const childEnv: NodeJS.ProcessEnv = { ...process.env, GOKAC_FROM_SOURCE: "" };
delete childEnv["GOKAC_BROKERS"];
delete childEnv["VITEST"];
delete childEnv["NODE_OPTIONS"];

/** Runs `command args` in `cwd` with `childEnv`; its stdout (throws with its output when it fails). */
export function runChild(cwd: string, command: string, args: readonly string[]): string {
  return execFileSync(command, [...args], { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], env: childEnv });
}

/** Packs gokac into `work` (the copy in `work/pkg`) and returns the tarball's path. */
export function packGokac(work: string): string {
  const pkg = join(work, "pkg");
  const manifest = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { files: string[] };
  mkdirSync(pkg, { recursive: true });
  cpSync(join(repoRoot, "package.json"), join(pkg, "package.json"));
  for (const entry of manifest.files.filter((f) => f !== "dist")) cpSync(join(repoRoot, entry), join(pkg, entry), { recursive: true });
  runChild(repoRoot, process.execPath, [
    join(repoRoot, "node_modules/typescript/bin/tsc"),
    "-p",
    "tsconfig.build.json",
    "--outDir",
    join(pkg, "dist"),
  ]);
  const tarball = runChild(pkg, "npm", ["pack", "--ignore-scripts", "--silent", "--pack-destination", work]).trim().split("\n").pop() ?? "";
  return join(work, tarball);
}
