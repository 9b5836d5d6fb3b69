/**
 * Handlers per group: a derived view of the model listing the handlers a
 * group needs (inputs, then the loop, then visitors) with what each handles
 * and the codec of its messages. Emitters turn it into TypeScript
 * (emit/group-handlers.ts).
 */
import { loopTopic, type CodecModel, type GroupModel } from "./model.js";
import type { CodecResolver } from "./resolve-codec.js";

/** One handler of a group, as the model knows it. */
export interface GroupHandlerModel {
  readonly name: string;
  readonly kind: "input" | "loop" | "visitor";
  /** What it handles, for doc comments: topic names, or `visitor reset`. */
  readonly handles: string;
  /** The codec of its messages; undefined for visitors and inputs whose codec cannot be known. */
  readonly codec: CodecModel | undefined;
}

/** The handlers of `g`: inputs first, then the loop, then visitors. */
export function groupHandlerModels(g: GroupModel, codecs: CodecResolver): GroupHandlerModel[] {
  const out: GroupHandlerModel[] = [];
  for (const input of g.inputs) {
    out.push({ name: input.handler, kind: "input", handles: input.topics.map((x) => x.value).join(", "), codec: codecs.input(input) });
  }
  if (g.loop !== undefined) out.push({ name: g.loop.handler, kind: "loop", handles: loopTopic(g.name), codec: g.loop.codec });
  for (const v of g.visitors) out.push({ name: v.handler, kind: "visitor", handles: `visitor ${v.name}`, codec: undefined });
  return out;
}
