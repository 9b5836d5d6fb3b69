/** Listing files below a folder, for the CLI's file I/O (never used by the pure compiler). */
import { readdirSync } from "node:fs";
import { join } from "node:path";

/**
 * Appends to `out` the paths (joined onto `dir`) of the files below `dir` whose
 * name `accept`s, skipping `node_modules` and dot-folders. A folder that cannot
 * be read (or does not exist) contributes nothing. Order: as the file system lists.
 */
export function walkFiles(dir: string, accept: (name: string) => boolean, out: string[]): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name !== "node_modules" && !e.name.startsWith(".")) walkFiles(path, accept, out);
    } else if (accept(e.name)) out.push(path);
  }
}
