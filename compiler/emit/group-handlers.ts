/**
 * The handlers a group needs, as both its generated `graph.ts` (the
 * `<Group>Handlers` interface) and its user-owned `handlers.ts` (stubs,
 * merging) see them: name, message type and what that type needs imported.
 */
import type { GroupModel } from "../model/model.js";
import { loopTopic } from "../model/model.js";
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

/** The handlers of `g`, inputs first, then the loop, then visitors, as module paths from `place.file`. */
export function groupHandlers(g: GroupModel, codecs: CodecResolver, place: CodecPlace, typesModule: string): GroupHandler[] {
  const out: GroupHandler[] = [];
  for (const input of g.inputs) {
    const codec = codecs.input(input);
    const t = codec === undefined ? { type: "unknown", imports: [] } : valueType(codec, place, typesModule);
    out.push({ name: input.handler, kind: "input", handles: input.topics.map((x) => x.value).join(", "), msgType: t.type, imports: t.imports });
  }
  if (g.loop !== undefined) {
    const t = valueType(g.loop.codec, place, typesModule);
    out.push({ name: g.loop.handler, kind: "loop", handles: loopTopic(g.name), msgType: t.type, imports: t.imports });
  }
  for (const v of g.visitors) {
    out.push({ name: v.handler, kind: "visitor", handles: `visitor ${v.name}`, msgType: "unknown", imports: [] });
  }
  return out;
}
