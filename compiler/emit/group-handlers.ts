/**
 * The handlers a group needs (the model's view, model/group-handlers.ts), as
 * both its generated `graph.ts` (the `<Group>Handlers` interface) and its
 * user-owned `handlers.ts` (stubs, merging) see them: name, message type and
 * what that type needs imported.
 */
import { groupHandlerModels } from "../model/group-handlers.js";
import type { GroupModel } from "../model/model.js";
import { groupTypePrefix } from "../shared/names.js";
import type { CodecResolver } from "../model/resolve-codec.js";
import { valueType, type CodecPlace, type NeededImport } from "./codec-text.js";

/** One handler of a group. */
export interface GroupHandler {
  readonly name: string;
  readonly kind: "input" | "loop" | "visitor";
  /** What it handles, for doc comments: topic names, or `visitor reset`. */
  readonly handles: string;
  /** The type of the `msg` parameter. */
  readonly msgType: string;
  /** Type-only imports `msgType` needs, with module paths relative to the file of `place`. */
  readonly imports: readonly NeededImport[];
}

/** The name of a group's context type (`clicks` → `ClicksContext`). */
export function contextTypeName(group: string): string {
  return `${groupTypePrefix(group)}Context`;
}

/** The handlers of `g` (see model/group-handlers.ts) with their message types as seen from `place.file`. */
export function groupHandlers(g: GroupModel, codecs: CodecResolver, place: CodecPlace, typesModule: string): GroupHandler[] {
  return groupHandlerModels(g, codecs).map((h) => {
    const t = h.kind === "visitor" || h.codec === undefined ? { type: "unknown", imports: [] } : valueType(h.codec, place, typesModule);
    return { name: h.name, kind: h.kind, handles: h.handles, msgType: t.type, imports: t.imports };
  });
}
