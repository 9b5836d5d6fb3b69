/** Where generated files go inside the output folder (display-relative paths, `/` separators). */
import { joinPath } from "../shared/paths.js";

/** Paths of the files one build produces. */
export interface OutputLayout {
  readonly index: string;
  readonly types: string;
  readonly topics: string;
  /** `<out>/<group>/graph.ts`. */
  graph(group: string): string;
  /** `<out>/<group>/handlers.ts` (the user's file). */
  handlers(group: string): string;
}

/** Group file paths by folder and name: every build asks for each group's paths several times, and watch builds ask again. */
const groupPaths = new Map<string, string>();
const MAX_REMEMBERED_PATHS = 20_000;

function groupPath(outDir: string, file: string): string {
  const key = `${outDir}\0${file}`;
  let path = groupPaths.get(key);
  if (path === undefined) {
    if (groupPaths.size >= MAX_REMEMBERED_PATHS) groupPaths.clear();
    path = joinPath(outDir, file);
    groupPaths.set(key, path);
  }
  return path;
}

/** The layout under `outDir`. */
export function outputLayout(outDir: string): OutputLayout {
  return {
    index: joinPath(outDir, "index.ts"),
    types: joinPath(outDir, "types.ts"),
    topics: joinPath(outDir, "topics.ts"),
    graph: (group) => groupPath(outDir, `${group}/graph.ts`),
    handlers: (group) => groupPath(outDir, `${group}/handlers.ts`),
  };
}
