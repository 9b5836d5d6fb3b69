/**
 * The no-op build cache. A successful `gokac build` records a fingerprint of
 * everything its output depends on: the compiler's own files, the spec
 * files, the files they reference, and every `.ts` file under the output
 * folder (owned and handler files, after writing). When the next build finds
 * the same fingerprint, nothing can differ, so it only reprints the recorded
 * warnings, without parsing a single spec. The cache lives in
 * `node_modules/.cache/gokac/` of the working directory (nothing is cached
 * without a node_modules folder) and is never a source of output: a missing,
 * corrupt or foreign cache file just means a full build.
 */
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { walkFiles } from "./walk.js";
import { isSpecFileName } from "./read-specs.js";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Diagnostic } from "../../compiler/diagnostics/catalogue.js";

/** What a successful build leaves for the next one. */
export interface BuildCacheEntry {
  readonly fingerprint: string;
  /** Files the specs referenced (schema files, custom codec modules), display-relative. */
  readonly referenced: readonly string[];
  /** The warnings of that build, reprinted on a cache hit. */
  readonly diagnostics: readonly Diagnostic[];
  /** How many files the build produced (for the summary line). */
  readonly files: number;
}

/** Which build a cache entry belongs to. */
export interface BuildCacheKey {
  readonly cwd: string;
  /** Spec folder and output folder, display-relative. */
  readonly specs: string;
  readonly out: string;
}

/** The package's `cli/` and `compiler/` folders (as sources or under dist/: this file is `cli/io/build-cache`). */
const gokacDirs = [
  resolve(dirname(fileURLToPath(import.meta.url)), ".."),
  resolve(dirname(fileURLToPath(import.meta.url)), "../../compiler"),
];

/** The compiler's and the command line's own files by path, size and modification time: any change to gokac invalidates the cache. */
function compilerStamp(): string {
  const files: string[] = [];
  for (const dir of gokacDirs) walkFiles(dir, (n) => /\.(ts|js)$/.test(n), files);
  return files
    .sort()
    .map((f) => {
      const s = statSync(f);
      return `${f}:${s.size}:${s.mtimeMs}`;
    })
    .join("\n");
}

function cachePath(key: BuildCacheKey): string | undefined {
  const modules = resolve(key.cwd, "node_modules");
  try {
    if (!statSync(modules).isDirectory()) return undefined;
  } catch {
    return undefined;
  }
  const id = createHash("sha1")
    .update(`${resolve(key.cwd, key.specs)}\0${resolve(key.cwd, key.out)}`)
    .digest("hex")
    .slice(0, 16);
  return join(modules, ".cache/gokac", `build-${id}.json`);
}

function readOrMissing(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "\0missing";
  }
}

/**
 * The fingerprint of the build's inputs and current output, given the files
 * the specs reference. `known` holds texts the caller already has by absolute
 * path (they must be what is on disk); everything else is read.
 */
export function buildFingerprint(
  key: BuildCacheKey,
  referenced: readonly string[],
  known: ReadonlyMap<string, string> = new Map(),
): string {
  const read = (path: string) => known.get(path) ?? readOrMissing(path);
  const hash = createHash("sha256");
  hash.update(compilerStamp()).update("\0");
  hash.update(`${key.specs}\0${key.out}\0`);
  const specs: string[] = [];
  walkFiles(resolve(key.cwd, key.specs), isSpecFileName, specs);
  for (const f of specs.sort()) hash.update(`spec:${f}\0`).update(read(f)).update("\0");
  for (const f of [...referenced].sort())
    hash
      .update(`ref:${f}\0`)
      .update(readOrMissing(resolve(key.cwd, f)))
      .update("\0");
  const outputs: string[] = [];
  walkFiles(resolve(key.cwd, key.out), (n) => n.endsWith(".ts"), outputs);
  for (const f of outputs.sort()) hash.update(`out:${f}\0`).update(read(f)).update("\0");
  return hash.digest("hex");
}

/** The cached entry when it matches the current state exactly, else undefined. */
export function upToDateEntry(key: BuildCacheKey): BuildCacheEntry | undefined {
  const path = cachePath(key);
  if (path === undefined) return undefined;
  let entry: BuildCacheEntry;
  try {
    entry = JSON.parse(readFileSync(path, "utf8")) as BuildCacheEntry;
  } catch {
    return undefined;
  }
  if (typeof entry.fingerprint !== "string" || !Array.isArray(entry.referenced) || !Array.isArray(entry.diagnostics)) return undefined;
  return buildFingerprint(key, entry.referenced) === entry.fingerprint ? entry : undefined;
}

/** Records a successful build (call after writing; `known` as for `buildFingerprint`). Failing to write the cache is not an error. */
export function saveBuildCache(key: BuildCacheKey, entry: Omit<BuildCacheEntry, "fingerprint">, known?: ReadonlyMap<string, string>): void {
  const path = cachePath(key);
  if (path === undefined) return;
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, JSON.stringify({ ...entry, fingerprint: buildFingerprint(key, entry.referenced, known) }));
  } catch {
    // a read-only node_modules only costs speed
  }
}
