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

/** The layout under `outDir`. */
export function outputLayout(outDir: string): OutputLayout {
  return {
    index: joinPath(outDir, "index.ts"),
    types: joinPath(outDir, "types.ts"),
    topics: joinPath(outDir, "topics.ts"),
    graph: (group) => joinPath(outDir, `${group}/graph.ts`),
    handlers: (group) => joinPath(outDir, `${group}/handlers.ts`),
  };
}
