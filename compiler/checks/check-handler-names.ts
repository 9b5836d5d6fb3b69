/**
 * GK303 for defaulted handler names: an input's default handler is the
 * camelCase of its topic, a visitor's that of its name; when that is not a
 * usable identifier the spec must name the handler. (Written names are checked by the schema.)
 */
import { diagnostic, type Diagnostic } from "../diagnostics/catalogue.js";
import { isReservedWord, isValidIdentifier } from "../shared/names.js";
import type { Check } from "./check-context.js";
import type { GroupModel } from "../model/model.js";

function isDefaulted(pointer: string): boolean {
  return !pointer.endsWith("/handler");
}

/** GK303 for group `g` (it looks at nothing else). */
export function handlerNameRules(g: GroupModel): Diagnostic[] {
  const out: Diagnostic[] = [];
  const defaulted = [
    ...g.inputs.map((i) => ({ handler: i.handler, at: i.handlerAt, from: `topic \`${i.topics[0]?.value ?? ""}\`` })),
    ...g.visitors.map((v) => ({ handler: v.handler, at: v.handlerAt, from: `visitor \`${v.name}\`` })),
  ].filter((h) => isDefaulted(h.at.pointer));
  for (const h of defaulted) {
    if (isValidIdentifier(h.handler) && !isReservedWord(h.handler)) continue;
    out.push(
      diagnostic(
        "GK303",
        h.at,
        `the default handler name \`${h.handler}\` (camelCase of ${h.from}) is not a usable identifier`,
        "name the handler explicitly with `handler: onSomething`",
      ),
    );
  }
  return out;
}

/** Defaulted handler names that are not identifiers or are reserved words. */
export const checkHandlerNames: Check = (ctx) => ctx.model.groups.flatMap(handlerNameRules);
