/**
 * `gokac build --watch`: one build, then a rebuild on every change of a spec
 * file or a file the specs reference (schema files, custom codec modules),
 * until the stop signal (exit 0). Incremental: files are read again only when
 * their stamps changed (io/watch-files.ts); when no spec, referenced or output
 * file changed, the last outcome stands and nothing is compiled; otherwise the
 * compiler reuses what it built for unchanged files and groups (its
 * `AnalyzeCache`), and only output files whose content changes are written.
 * A spec error prints its diagnostics (the formats of `gokac build`) and the
 * watcher keeps running.
 */
import { watch, type FSWatcher } from "node:fs";
import { basename, dirname, resolve, sep } from "node:path";
import { performance } from "node:perf_hooks";
import { AnalyzeCache, compile } from "../../compiler/index.js";
import type { Diagnostic } from "../../compiler/diagnostics/catalogue.js";
import { formatDiagnostics } from "../../compiler/diagnostics/format.js";
import { UsageError, type ExitStatus } from "../exit.js";
import type { CommandIo } from "../io/command-io.js";
import { resolveOut, resolveSpecs } from "../io/project-config.js";
import { displayPath, isFolder, isSpecFileName, unreadableSpecFiles } from "../io/read-specs.js";
import { readWatchedSpecFolder, WatchedFiles, watchedOutput } from "../io/watch-files.js";
import { applyChanges, type OutputChanges } from "../io/write-files.js";
import type { BuildOptions } from "./build-flags.js";

/** What one (re)build did: its diagnostics, and the output changes when it had no error. */
export interface RebuildOutcome {
  readonly diagnostics: readonly Diagnostic[];
  /** Undefined when an error kept the output folder as it was. */
  readonly changes: OutputChanges | undefined;
  readonly milliseconds: number;
}

/** Builds one spec folder again and again, keeping per-file analyses between builds. */
export interface WatchBuilder {
  /** Reads the specs, compiles (reusing unchanged files' analyses) and writes the changed output files. */
  rebuild(): RebuildOutcome;
  /** Files the last build referenced (schema files, codec modules), display-relative. */
  readonly referenced: ReadonlySet<string>;
}

/** A builder of spec folder `specs` into `out` (both relative to `cwd`). */
export function createWatchBuilder(cwd: string, specs: string, out: string): WatchBuilder {
  const cache = new AnalyzeCache();
  const watched = new WatchedFiles();
  let referenced = new Set<string>();
  let last: { readonly diagnostics: readonly Diagnostic[]; readonly changes: OutputChanges | undefined } | undefined;
  return {
    get referenced() {
      return referenced;
    },
    rebuild() {
      const start = performance.now();
      watched.newRound();
      const unreadable: string[] = [];
      const input = readWatchedSpecFolder(cwd, specs, watched, unreadable);
      for (const path of referenced) input.readFile(path);
      const snapshot = watchedOutput(cwd, out, watched);
      for (const path of snapshot.paths) snapshot.read(path);
      if (last !== undefined && !watched.changed) {
        // nothing the last build read or wrote changed: a build now would give the same outcome and write nothing
        const changes =
          last.changes === undefined
            ? undefined
            : { written: [], deleted: [], unchanged: last.changes.unchanged + last.changes.written.length };
        return { diagnostics: last.diagnostics, changes, milliseconds: performance.now() - start };
      }
      const seen = new Set<string>();
      const result = compile({
        analyzeInput: { ...input, cache, readFile: (path) => (seen.add(path), input.readFile(path)) },
        outDir: out,
        existingFiles: (path) => snapshot.read(path),
        existingPaths: snapshot.paths,
      });
      referenced = seen;
      const diagnostics = [...unreadableSpecFiles(unreadable), ...result.diagnostics];
      const failed = diagnostics.some((d) => d.severity === "error");
      const changes = failed ? undefined : applyChanges(snapshot, result.files, result.deletes);
      if (changes !== undefined) {
        const byPath = new Map(result.files.map((f) => [f.path, f.content] as const));
        for (const path of changes.written) watched.wrote(resolve(cwd, path), byPath.get(path));
        for (const path of changes.deleted) watched.wrote(resolve(cwd, path), undefined);
      }
      last = { diagnostics, changes };
      return { diagnostics, changes, milliseconds: performance.now() - start };
    },
  };
}

/** How long to wait after a change for more (an editor's save is often several events). */
const DEBOUNCE_MS = 50;

/** Runs `gokac build --watch`; resolves with 0 once `io.stopSignal` resolves. */
export async function watchBuildAction(io: CommandIo, specsArgument: string | undefined, options: BuildOptions): Promise<ExitStatus> {
  if (options.check === true) throw new UsageError("--watch and --check cannot be combined");
  if (options.brokers !== undefined) throw new UsageError("--watch builds against the specs only: drop --brokers");
  const specs = resolveSpecs(io.cwd, specsArgument);
  if (!isFolder(io.cwd, specs)) throw new UsageError(`spec folder ${specs} does not exist`);
  const out = displayPath(io.cwd, resolveOut(io.cwd, options.out));
  const format = options.format;
  const builder = createWatchBuilder(io.cwd, specs, out);
  const report = (text: string) => (format === "text" ? io.stderr(text) : io.stdout(text));

  const build = () => {
    const outcome = builder.rebuild();
    if (format === "json" || outcome.diagnostics.length > 0) report(formatDiagnostics(outcome.diagnostics, format));
    const ms = Math.round(outcome.milliseconds);
    if (format !== "text") return;
    if (outcome.changes === undefined) {
      io.stderr(`gokac: build failed in ${ms} ms; nothing under ${out} was changed; watching for changes\n`);
      return;
    }
    const c = outcome.changes;
    const parts = [
      `${c.written.length} written`,
      `${c.unchanged} unchanged`,
      ...(c.deleted.length > 0 ? [`${c.deleted.length} deleted`] : []),
    ];
    io.stdout(`gokac: rebuilt in ${ms} ms: ${parts.join(", ")}\n`);
  };

  // Watchers: the spec folder (recursively) and the folder of each referenced file outside it.
  const specRoot = resolve(io.cwd, specs);
  const watchers = new Map<string, FSWatcher>();
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      build();
      watchReferenced();
    }, DEBOUNCE_MS);
  };
  const add = (folder: string, recursive: boolean, relevant: (name: string) => boolean) => {
    try {
      const watcher = watch(folder, { recursive }, (_event, name) => {
        if (name === null || relevant(name.toString())) schedule();
      });
      watcher.on("error", () => undefined); // a watched folder removed: the next build reports what is missing
      watchers.set(folder, watcher);
    } catch {
      // a referenced file's folder that does not exist: the build reports the file as missing
    }
  };
  // The names watched in each referenced file's folder, updated after every build (the watcher callbacks read it live).
  const wanted = new Map<string, Set<string>>();
  const watchReferenced = () => {
    wanted.clear();
    for (const path of builder.referenced) {
      const absolute = resolve(io.cwd, path);
      if (absolute.startsWith(specRoot + sep)) continue;
      const names = wanted.get(dirname(absolute)) ?? new Set<string>();
      names.add(basename(absolute));
      wanted.set(dirname(absolute), names);
    }
    for (const [folder, watcher] of watchers) {
      if (folder !== specRoot && !wanted.has(folder)) {
        watcher.close();
        watchers.delete(folder);
      }
    }
    for (const folder of wanted.keys()) {
      if (!watchers.has(folder)) add(folder, false, (name) => wanted.get(folder)?.has(name) === true);
    }
  };
  // In the spec folder: spec files, referenced files, and folders (a moved or deleted folder of specs); not editors' swap files.
  const inSpecs = (name: string) =>
    isSpecFileName(basename(name)) || !basename(name).includes(".") || builder.referenced.has(displayPath(io.cwd, resolve(specRoot, name)));

  build();
  add(specRoot, true, inSpecs);
  watchReferenced();
  if (format === "text") io.stderr(`gokac: watching ${specs} for changes (Ctrl-C to stop)\n`);
  await io.stopSignal;
  if (timer !== undefined) clearTimeout(timer);
  for (const watcher of watchers.values()) watcher.close();
  return 0;
}
