/**
 * Bringing the output folder up to date with a compile result: write the
 * files whose content differs, delete owned files no longer produced, and
 * touch nothing else (unchanged files keep their modification time).
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import type { OutputFile } from "./compile.js";
import { displayPath, readTextFile } from "./fs-read-specs.js";

/** What a build would change (or changed): paths written and deleted, display-relative. */
export interface OutputChanges {
  readonly written: readonly string[];
  readonly deleted: readonly string[];
  readonly unchanged: number;
}

/** The `.ts` files under `outDir` (display-relative), for finding stale owned files. */
export function listOutputFiles(cwd: string, outDir: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const path = resolve(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (e.name.endsWith(".ts")) out.push(displayPath(cwd, path));
    }
  };
  walk(resolve(cwd, outDir));
  return out.sort();
}

/** Which files differ from disk; nothing is written. */
export function planChanges(cwd: string, files: readonly OutputFile[], deletes: readonly string[]): OutputChanges {
  const written = files.filter((f) => readTextFile(cwd, f.path) !== f.content).map((f) => f.path);
  return { written, deleted: [...deletes], unchanged: files.length - written.length };
}

/** Writes the changed files and deletes `deletes`; returns what it did. */
export function applyChanges(cwd: string, files: readonly OutputFile[], deletes: readonly string[]): OutputChanges {
  const plan = planChanges(cwd, files, deletes);
  const changed = new Set(plan.written);
  for (const f of files) {
    if (!changed.has(f.path)) continue;
    const path = resolve(cwd, f.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, f.content);
  }
  for (const path of deletes) rmSync(resolve(cwd, path), { force: true });
  return plan;
}
