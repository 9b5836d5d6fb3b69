/**
 * Paths inside a spec folder, computed without touching the file system or
 * the process: every path is display-relative (to cwd) with `/` separators.
 */

/** Normalises `a/./b/../c` to `a/c`, backslashes to `/`; keeps leading `..`; `""` becomes `.`. */
export function normalizePath(path: string): string {
  const absolute = path.startsWith("/");
  const out: string[] = [];
  for (const segment of path.replace(/\\/g, "/").split("/")) {
    if (segment === "" || segment === ".") continue;
    if (segment === ".." && out.length > 0 && out[out.length - 1] !== "..") out.pop();
    else if (segment === ".." && absolute) continue;
    else out.push(segment);
  }
  const joined = out.join("/");
  if (absolute) return `/${joined}`;
  return joined === "" ? "." : joined;
}

/** The folder of a file path (`specs/a.yaml` → `specs`, `a.yaml` → `.`). */
export function dirnameOf(path: string): string {
  const i = path.lastIndexOf("/");
  return i < 0 ? "." : path.slice(0, i) || "/";
}

/** Joins and normalises. */
export function joinPath(base: string, relative: string): string {
  return normalizePath(`${base}/${relative}`);
}

/**
 * The path of `to` relative to the folder `from` (both display-relative and
 * normalised): `relativePath("specs", "specs/x/y.json")` is `x/y.json`.
 */
export function relativePath(from: string, to: string): string {
  const a = from === "." ? [] : normalizePath(from).split("/");
  const b = to === "." ? [] : normalizePath(to).split("/");
  let common = 0;
  while (common < a.length && common < b.length && a[common] === b[common]) common++;
  const up = a.slice(common).map(() => "..");
  const rest = [...up, ...b.slice(common)];
  return rest.length === 0 ? "." : rest.join("/");
}

/** True for absolute paths (POSIX `/x`, Windows `C:\x` or `\\server`, home `~/x`). */
export function isAbsolutePath(path: string): boolean {
  return /^([/\\~]|[A-Za-z]:[/\\])/.test(path);
}

/** A path written in a spec, resolved against the spec file's folder. */
export interface ResolvedPath {
  /** Display-relative path (for `readFile` and messages). */
  readonly display: string;
  /** Relative to the spec root (as stored in the model). */
  readonly fromRoot: string;
  /** Absolute, or escaping the project root (GK705). */
  readonly unsafe: boolean;
}

/** Resolves `written` (from spec file `specFile`) against its folder; flags absolute paths and escapes from `projectRoot`. */
export function resolveSpecPath(written: string, specFile: string, root: string, projectRoot: string): ResolvedPath {
  if (isAbsolutePath(written)) {
    return { display: normalizePath(written), fromRoot: normalizePath(written), unsafe: true };
  }
  const display = joinPath(dirnameOf(specFile), written);
  const fromProject = relativePath(projectRoot, display);
  const unsafe = fromProject === ".." || fromProject.startsWith("../");
  return { display, fromRoot: relativePath(root, display), unsafe };
}
