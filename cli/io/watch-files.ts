/**
 * File reading for `gokac build --watch`: texts and folder listings kept
 * between rebuilds and trusted while the file's stamp (modification and
 * change time, size, inode) is unchanged, so a rebuild stats files instead
 * of reading them. A stamp taken too soon after the file last changed is not
 * trusted ("racy", as git calls it): file times tick in steps (a few
 * milliseconds; whole seconds on some file systems), so a second write within
 * the same step would leave the stamp as it was. Such a file is read again on
 * the next rebuild, until its stamp is old enough.
 */
import { readdirSync, readFileSync, realpathSync, statSync, type Stats } from "node:fs";
import { join, resolve, sep } from "node:path";
import type { AnalyzeInput } from "../../compiler/analyze.js";
import { displayPath, isFolder, isSpecFileName, projectFence } from "./read-specs.js";
import type { OutputSnapshot } from "./write-files.js";

/** How long after a file's last change its stamp is trusted, for file systems with fine (sub-second) times. */
const FINE_TICK_MARGIN_MS = 50;
/** The same for file systems that keep whole seconds (or two, like FAT). */
const COARSE_TICK_MARGIN_MS = 2_500;

/** What a file's stamp is made of (compared field by field: no number is printed). */
interface Stamp {
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly size: number;
  readonly ino: number;
}

const NO_STAMP: Stamp = { mtimeMs: Number.NaN, ctimeMs: Number.NaN, size: -1, ino: -1 };

function stampOf(s: Stats): Stamp {
  return { mtimeMs: s.mtimeMs, ctimeMs: s.ctimeMs, size: s.size, ino: s.ino };
}

function sameStamp(a: Stamp, b: Stamp): boolean {
  return a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.size === b.size && a.ino === b.ino;
}

/** True when a write after `now` is sure to change the stamp `s` (see the file comment). */
function settled(s: Stats, now: number): boolean {
  const coarse = s.mtimeMs % 1000 === 0 && s.ctimeMs % 1000 === 0;
  return now - Math.max(s.mtimeMs, s.ctimeMs) > (coarse ? COARSE_TICK_MARGIN_MS : FINE_TICK_MARGIN_MS);
}

function statOf(path: string): Stats | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

interface TextEntry {
  readonly stamp: Stamp;
  readonly text: string | undefined;
  readonly settled: boolean;
  /** The round it was read or written in: within one round a file is read once. */
  readonly round: number;
}

interface ListEntry {
  readonly stamp: Stamp;
  readonly names: readonly { readonly name: string; readonly folder: boolean; readonly link: boolean }[];
  readonly settled: boolean;
}

/** Texts and folder listings by absolute path, reused while their stamps hold; records whether any read differed from the last. */
export class WatchedFiles {
  readonly #texts = new Map<string, TextEntry>();
  readonly #lists = new Map<string, ListEntry>();
  #changed = false;
  #round = 0;

  /** True when a read since `newRound` gave another text (or presence, or folder entries) than the read before it. */
  get changed(): boolean {
    return this.#changed;
  }

  /** Starts a rebuild: change detection starts afresh, and every file is looked at again (once). */
  newRound(): void {
    this.#changed = false;
    // files the last round did not look at are no longer part of the build: forget them (if they come back, they are new)
    for (const [path, entry] of this.#texts) if (entry.round < this.#round) this.#texts.delete(path);
    this.#round++;
  }

  /** The UTF-8 text of the file at absolute `path`, `undefined` when it is absent or unreadable. */
  read(path: string): string | undefined {
    const prev = this.#texts.get(path);
    if (prev !== undefined && prev.round === this.#round) return prev.text;
    const round = this.#round;
    const now = Date.now();
    const s = statOf(path);
    if (s === undefined || !s.isFile()) {
      if (prev !== undefined && prev.text !== undefined) this.#changed = true;
      this.#texts.set(path, { stamp: NO_STAMP, text: undefined, settled: false, round });
      return undefined;
    }
    const stamp = stampOf(s);
    if (prev !== undefined && prev.settled && sameStamp(prev.stamp, stamp)) {
      this.#texts.set(path, { ...prev, round });
      return prev.text;
    }
    let text: string | undefined;
    try {
      text = readFileSync(path, "utf8");
    } catch {
      text = undefined;
    }
    if (prev === undefined || prev.text !== text) this.#changed = true;
    this.#texts.set(path, { stamp, text, settled: settled(s, now), round });
    return text;
  }

  /** Remembers that this process wrote `text` to `path` (its stamp is taken again on the next read). */
  wrote(path: string, text: string | undefined): void {
    this.#texts.set(path, { stamp: NO_STAMP, text, settled: false, round: this.#round });
  }

  /** The entries of folder `path` (`undefined` when it cannot be listed), reused while its stamp holds. */
  list(path: string): ListEntry["names"] | undefined {
    const now = Date.now();
    const s = statOf(path);
    const prev = this.#lists.get(path);
    if (s === undefined || !s.isDirectory()) {
      if (prev !== undefined) this.#changed = true;
      this.#lists.delete(path);
      return undefined;
    }
    const stamp = stampOf(s);
    if (prev !== undefined && prev.settled && sameStamp(prev.stamp, stamp)) return prev.names;
    let names: ListEntry["names"];
    try {
      names = readdirSync(path, { withFileTypes: true }).map((e) => ({ name: e.name, folder: e.isDirectory(), link: e.isSymbolicLink() }));
    } catch {
      return undefined;
    }
    if (prev === undefined || prev.names.map((n) => n.name).join("/") !== names.map((n) => n.name).join("/")) this.#changed = true;
    this.#lists.set(path, { stamp, names, settled: settled(s, now) });
    return names;
  }

  /** Appends the absolute paths of the files below folder `dir` whose name `accept`s (no `node_modules`, no dot-folders). */
  walk(dir: string, accept: (name: string, link: boolean, path: string) => boolean, out: string[]): void {
    const entries = this.list(dir);
    if (entries === undefined) return;
    const prefix = dir.endsWith(sep) ? dir : dir + sep; // `dir` is absolute and normalised: joining is appending
    for (const e of entries) {
      const path = prefix + e.name;
      if (e.folder) {
        if (e.name !== "node_modules" && !e.name.startsWith(".")) this.walk(path, accept, out);
      } else if (accept(e.name, e.link, path)) out.push(path);
    }
  }
}

/**
 * `displayPath(cwd, path)` for the absolute, normalised `path`s a walk
 * yields, without `path.relative`: a path below `cwd` is its tail with `/`.
 */
function displayPathFrom(cwd: string): (path: string) => string {
  const prefix = cwd.endsWith(sep) ? cwd : cwd + sep;
  const slashed = (tail: string) => (sep === "/" ? tail : tail.split(sep).join("/"));
  return (path) => (path.startsWith(prefix) ? slashed(path.slice(prefix.length)) : displayPath(cwd, path));
}

function sortText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * `readSpecFolder` (read-specs.ts) through `files`: the same files, order,
 * project fence and unreadable list, with texts reused while unchanged. A spec
 * file's real path is its folder's real path plus its name unless it is a
 * symbolic link, so only folders and links are resolved, not every file.
 */
export function readWatchedSpecFolder(cwd: string, specs: string, files: WatchedFiles, unreadable: string[]): AnalyzeInput {
  const leavesProject = projectFence(cwd);
  let root: string | undefined;
  const outside = (real: string): boolean => {
    root ??= realpathSync.native(cwd);
    return real !== root && !real.startsWith(root.endsWith(sep) ? root : root + sep);
  };
  const found: { path: string; leaves: boolean }[] = [];
  if (isFolder(cwd, specs)) {
    const paths: string[] = [];
    const links = new Set<string>();
    files.walk(
      resolve(cwd, specs),
      (name, link, path) => {
        if (!isSpecFileName(name)) return false;
        if (link) links.add(path);
        return true;
      },
      paths,
    );
    const realFolders = new Map<string, string | undefined>();
    const realFolder = (folder: string) => {
      if (!realFolders.has(folder)) {
        let real: string | undefined;
        try {
          real = realpathSync.native(folder);
        } catch {
          real = undefined;
        }
        realFolders.set(folder, real);
      }
      return realFolders.get(folder);
    };
    for (const path of paths) {
      const slash = path.lastIndexOf(sep);
      const folder = path.slice(0, slash);
      const name = path.slice(slash + 1);
      let leaves: boolean;
      if (links.has(path)) leaves = leavesProject(path);
      else {
        const real = realFolder(folder);
        leaves = real === undefined ? leavesProject(path) : outside(join(real, name));
      }
      found.push({ path, leaves });
    }
  }
  const display = displayPathFrom(cwd);
  const sorted = found.map((f) => ({ ...f, display: display(f.path) })).sort((a, b) => sortText(a.display, b.display));
  const sources = sorted.flatMap(({ path, display, leaves }) => {
    // a spec file linked from outside the project is not read (nor quoted in a diagnostic)
    const text = leaves ? undefined : files.read(path);
    if (text === undefined) unreadable.push(display);
    return text === undefined ? [] : [{ path: display, text }];
  });
  return {
    root: displayPath(cwd, specs),
    projectRoot: ".",
    files: sources,
    readFile: (path) => (leavesProject(path) ? undefined : files.read(resolve(cwd, path))),
    leavesProject,
  };
}

/** `snapshotOutput` (write-files.ts) through `files`: the `.ts` files under `outDir`, their texts reused while unchanged. */
export function watchedOutput(cwd: string, outDir: string, files: WatchedFiles): OutputSnapshot {
  const found: string[] = [];
  files.walk(resolve(cwd, outDir), (name) => name.endsWith(".ts"), found);
  const display = displayPathFrom(cwd);
  const absolute = new Map(found.map((path) => [display(path), path] as const));
  const paths = [...absolute.keys()].sort(); // strings sort by UTF-16 code units, as sortText does
  return {
    cwd,
    paths,
    read: (path) => {
      const at = absolute.get(path);
      return at === undefined ? undefined : files.read(at);
    },
  };
}
