/**
 * Reading a spec folder from disk into an `AnalyzeInput` (the only place the
 * build reads specs). Paths are display-relative to `cwd` with `/`.
 */
import { readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { relative, resolve, sep } from "node:path";
// modules, not compiler/index.js: the build fast path loads this file and must not load the parser and ajv
import type { AnalyzeInput } from "../../compiler/analyze.js";
import { diagnostic, type Diagnostic } from "../../compiler/diagnostics/catalogue.js";

/** `path` relative to `cwd`, with `/` separators (`.` for cwd itself). */
export function displayPath(cwd: string, path: string): string {
  const rel = relative(cwd, resolve(cwd, path));
  return (rel === "" ? "." : rel).split(sep).join("/");
}

function listYaml(dir: string, out: string[]): void {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = resolve(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== "node_modules" && !entry.name.startsWith(".")) listYaml(path, out);
    } else if (isSpecFileName(entry.name)) out.push(path);
  }
}

/** Spec files are `*.yaml`/`*.yml`, except the declarative tests beside them (`*.test.yaml`, read by `gokac test`). */
export function isSpecFileName(name: string): boolean {
  return /\.ya?ml$/i.test(name) && !isTestFileName(name);
}

/** Declarative test files: `*.test.yaml`/`*.test.yml`. */
export function isTestFileName(name: string): boolean {
  return /\.test\.ya?ml$/i.test(name);
}

/** True when `path` (relative to `cwd`) is a folder. */
export function isFolder(cwd: string, path: string): boolean {
  try {
    return statSync(resolve(cwd, path)).isDirectory();
  } catch {
    return false;
  }
}

/**
 * For the project root `cwd` (its real path resolved once): whether `path`
 * (relative to `cwd`) exists and its real path (symbolic links resolved) lies
 * outside the project; false when it is inside or absent.
 */
export function projectFence(cwd: string): (path: string) => boolean {
  let root: string | undefined;
  return (path) => {
    let real: string;
    try {
      real = realpathSync(resolve(cwd, path));
      root ??= realpathSync(cwd);
    } catch {
      return false;
    }
    return real !== root && !real.startsWith(root.endsWith(sep) ? root : root + sep);
  };
}

/** Reads a UTF-8 file relative to `cwd`, `undefined` when it cannot be read. */
export function readTextFile(cwd: string, path: string): string | undefined {
  try {
    return readFileSync(resolve(cwd, path), "utf8");
  } catch {
    return undefined;
  }
}

/**
 * The `AnalyzeInput` of spec folder `specs`: every `*.yaml`/`*.yml` below it
 * (sorted by path; hidden folders and node_modules skipped), the project
 * root `.` (= `cwd`), and a `readFile` for referenced files. A missing folder
 * gives no files (analyze then reports GK002); spec files that cannot be read
 * are left out and their paths pushed to `unreadable` (the CLI reports GK003).
 */
export function readSpecFolder(
  cwd: string,
  specs: string,
  clusterPartitions?: ReadonlyMap<string, number>,
  unreadable: string[] = [],
): AnalyzeInput {
  const found: string[] = [];
  const leavesProject = projectFence(cwd);
  if (isFolder(cwd, specs)) listYaml(resolve(cwd, specs), found);
  const files = found
    .map((p) => displayPath(cwd, p))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .flatMap((path) => {
      // a spec file linked from outside the project is not read (nor quoted in a diagnostic)
      const text = leavesProject(path) ? undefined : readTextFile(cwd, path);
      if (text === undefined) unreadable.push(path);
      return text === undefined ? [] : [{ path, text }];
    });
  return {
    root: displayPath(cwd, specs),
    projectRoot: ".",
    files,
    readFile: (path) => (leavesProject(path) ? undefined : readTextFile(cwd, path)),
    leavesProject,
    ...(clusterPartitions === undefined ? {} : { clusterPartitions }),
  };
}

/** GK003 for each spec file `readSpecFolder` could not read (every command reports them the same way). */
export function unreadableSpecFiles(unreadable: readonly string[]): Diagnostic[] {
  return unreadable.map((file) =>
    diagnostic(
      "GK003",
      { file, line: 1, column: 1, pointer: "" },
      `spec file ${file} cannot be read`,
      "check that the file exists and is readable (a dangling symlink?)",
    ),
  );
}
