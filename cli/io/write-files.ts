/**
 * Bringing the output folder up to date with a compile result: write the
 * files whose content differs, delete owned files no longer produced, and
 * touch nothing else (unchanged files keep their modification time).
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { walkFiles } from "./walk.js";
import { dirname, resolve } from "node:path";
import type { OutputFile } from "../../compiler/compile.js";
import { displayPath, readTextFile } from "./read-specs.js";

/** What a build would change (or changed): paths written and deleted, display-relative. */
export interface OutputChanges {
  readonly written: readonly string[];
  readonly deleted: readonly string[];
  readonly unchanged: number;
}

/**
 * The output folder as the build found it: which `.ts` files exist, and
 * their text, each read at most once (the compiler reads handler files, the
 * change plan owned files; files that do not exist are never read at all).
 */
export interface OutputSnapshot {
  readonly cwd: string;
  /** Display-relative paths of the `.ts` files under the output folder, sorted. */
  readonly paths: readonly string[];
  /** The text of an output file, `undefined` when it does not exist or cannot be read. */
  read(path: string): string | undefined;
}

/** The `.ts` files under `outDir` (display-relative), for finding stale owned files. */
export function listOutputFiles(cwd: string, outDir: string): string[] {
  const out: string[] = [];
  walkFiles(resolve(cwd, outDir), (name) => name.endsWith(".ts"), out);
  return out.map((path) => displayPath(cwd, path)).sort();
}

/** Lists `outDir` now; file texts are read lazily and remembered. */
export function snapshotOutput(cwd: string, outDir: string): OutputSnapshot {
  const paths = listOutputFiles(cwd, outDir);
  const present = new Set(paths);
  const texts = new Map<string, string | undefined>();
  return {
    cwd,
    paths,
    read(path) {
      if (!present.has(path)) return undefined;
      if (!texts.has(path)) texts.set(path, readTextFile(cwd, path));
      return texts.get(path);
    },
  };
}

/** Which files differ from the snapshot; nothing is written. */
export function planChanges(snapshot: OutputSnapshot, files: readonly OutputFile[], deletes: readonly string[]): OutputChanges {
  const written = files.filter((f) => snapshot.read(f.path) !== f.content).map((f) => f.path);
  return { written, deleted: [...deletes], unchanged: files.length - written.length };
}

/** Writes the changed files and deletes `deletes`; returns what it did. */
export function applyChanges(snapshot: OutputSnapshot, files: readonly OutputFile[], deletes: readonly string[]): OutputChanges {
  const plan = planChanges(snapshot, files, deletes);
  const changed = new Set(plan.written);
  const folders = new Set<string>();
  for (const f of files) {
    if (!changed.has(f.path)) continue;
    const path = resolve(snapshot.cwd, f.path);
    const folder = dirname(path);
    // one mkdir per folder, not per file: a cold build of many groups writes two files into each of hundreds of folders
    if (!folders.has(folder)) {
      mkdirSync(folder, { recursive: true });
      folders.add(folder);
    }
    writeFileSync(path, f.content);
  }
  for (const path of deletes) rmSync(resolve(snapshot.cwd, path), { force: true });
  return plan;
}
