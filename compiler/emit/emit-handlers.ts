/**
 * A group's `handlers.ts` when it does not exist yet: the user's file, with
 * one typed stub per input, loop and visitor. Later builds only merge into it
 * (see merge-handlers.ts).
 */
import type { NeededImport } from "./codec-text.js";
import type { GroupHandler } from "./group-handlers.js";
import { compareText, fileText, importLine } from "./ts-text.js";

/** The first line of a handler file; not a DO-NOT-EDIT header, the file is the user's. */
export function handlersFileComment(group: string): string {
  return `// Handlers of group ${group}. This file is yours: gokac build only adds stubs to it.`;
}

/** The stub of one handler, as lines. */
export function handlerStub(h: GroupHandler, contextName: string): string[] {
  const what =
    h.kind === "visitor"
      ? `Visits every key of the group table (${h.handles}); \`msg\` is the meta value given to visitAll.`
      : `Handles ${h.handles}.`;
  return [
    `/** ${what} */`,
    `export async function ${h.name}(ctx: ${contextName}, msg: ${h.msgType}): Promise<void> {`,
    `  // TODO: handle ${h.handles}`,
    "}",
  ];
}

/** Type-only import lines for `imports`, one per module, modules sorted. */
export function typeImportLines(imports: readonly NeededImport[]): string[] {
  const byModule = new Map<string, Set<string>>();
  for (const i of imports) byModule.set(i.from, (byModule.get(i.from) ?? new Set()).add(i.name));
  return [...byModule.keys()].sort(compareText).flatMap((from) => importLine(byModule.get(from) ?? [], from, true));
}

/** The text of a new `handlers.ts`. */
export function emitHandlers(group: string, contextName: string, handlers: readonly GroupHandler[]): string {
  const imports: NeededImport[] = [{ name: contextName, from: "./graph.js" }, ...handlers.flatMap((h) => h.imports)];
  const lines = [handlersFileComment(group), ...typeImportLines(imports)];
  for (const h of handlers) lines.push("", ...handlerStub(h, contextName));
  return fileText(lines);
}
