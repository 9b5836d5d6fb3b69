/**
 * Project-level defaults: the `gokac` field of the package.json in the
 * working directory (the project root, where npm scripts run), e.g.
 * `"gokac": { "specs": "specs", "out": "generated" }`; paths relative to it.
 * Subfolders are not searched: spec paths, the build cache and generated
 * headers are all relative to the project root, so commands run there.
 * A flag or argument on the command line always wins. Read here only.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { UsageError } from "../exit.js";

/** The `gokac` field of package.json, paths made relative to the working directory. */
export interface ProjectConfig {
  /** The spec folder. */
  readonly specs?: string;
  /** The build's output folder (`--out`). */
  readonly out?: string;
  /** The package.json the defaults came from (absolute), when there is one. */
  readonly file?: string;
}

/** The default of `--out` when neither the flag nor package.json gives one. */
export const DEFAULT_OUT_FOLDER = "generated";

const KEYS = ["specs", "out"] as const;

/** The package.json of `cwd`, or undefined. */
function findPackageJson(cwd: string): string | undefined {
  const candidate = join(resolve(cwd), "package.json");
  return existsSync(candidate) ? candidate : undefined;
}

function relativeToCwd(cwd: string, path: string): string {
  const rel = relative(cwd, resolve(cwd, path));
  return (rel === "" ? "." : rel).split(sep).join("/");
}

/**
 * The project's defaults from the `gokac` field of `cwd`'s package.json;
 * `{}` when there is no package.json or no field. UsageError (exit 2) when
 * the field is not an object of known string keys, naming the file and key.
 */
export function readProjectConfig(cwd: string): ProjectConfig {
  const file = findPackageJson(cwd);
  if (file === undefined) return {};
  let manifest: unknown;
  try {
    manifest = JSON.parse(readFileSync(file, "utf8"));
  } catch {
    // an unreadable or malformed package.json is npm's to report; it gives no defaults
    return {};
  }
  if (typeof manifest !== "object" || manifest === null || !("gokac" in manifest)) return { file };
  const field = (manifest as { gokac: unknown }).gokac;
  if (typeof field !== "object" || field === null || Array.isArray(field)) {
    throw new UsageError(`${file}: "gokac" must be an object such as { "specs": "specs", "out": "generated" }`);
  }
  const config: { specs?: string; out?: string; file: string } = { file };
  for (const [key, value] of Object.entries(field)) {
    if (!(KEYS as readonly string[]).includes(key)) throw new UsageError(`${file}: unknown key "gokac.${key}" (known: ${KEYS.join(", ")})`);
    if (typeof value !== "string" || value.trim() === "") throw new UsageError(`${file}: "gokac.${key}" must be a non-empty path`);
    config[key as (typeof KEYS)[number]] = relativeToCwd(cwd, value);
  }
  return config;
}

/** The spec folder: the argument when given, else `gokac.specs` of package.json; UsageError when neither. */
export function resolveSpecs(cwd: string, argument: string | undefined): string {
  if (argument !== undefined) return argument;
  const specs = readProjectConfig(cwd).specs;
  if (specs === undefined)
    throw new UsageError('no spec folder: pass it as the first argument, or set "gokac": { "specs": "<folder>" } in package.json');
  return specs;
}

/** The build's output folder: `--out` when given, else `gokac.out` of package.json, else `generated`. */
export function resolveOut(cwd: string, flag: string | undefined): string {
  return flag ?? readProjectConfig(cwd).out ?? DEFAULT_OUT_FOLDER;
}
