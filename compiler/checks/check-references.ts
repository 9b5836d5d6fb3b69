/**
 * References between specs: GK701 `{ json: T }` names no declared type,
 * GK702 a `group: X` join/lookup names no group or one without persist,
 * GK703 (warning) a joined or looked-up table no spec defines.
 */
import { diagnostic, type Diagnostic } from "../diagnostics/catalogue.js";
import { tableTopicGroup, type GroupModel } from "../model/model.js";
import { modelLookup, type ModelLookup } from "../model/lookup.js";
import { didYouMean } from "../diagnostics/suggest.js";
import { folderHints, where, type Check, type FolderHints } from "./check-context.js";

/** GK701: unknown types named by `{ json: T }` codecs, across the folder. */
export const checkTypeReferences: Check = (ctx) => {
  const out: Diagnostic[] = [];
  let typeNames: string[] | undefined; // built on the first GK701 only
  for (const ref of ctx.typeRefs) {
    if (ctx.model.types.has(ref.value)) continue;
    typeNames ??= [...ctx.model.types.keys()];
    out.push(
      diagnostic(
        "GK701",
        ref.at,
        `unknown type \`${ref.value}\``,
        didYouMean(ref.value, typeNames) ?? `declare \`${ref.value}\` under \`types:\` with its JSON Schema`,
      ),
    );
  }
  return out;
};

/** GK702/GK703 for the joins and lookups of group `g`, reaching other groups and topics through `lookup`. */
export function tableReferenceRules(g: GroupModel, lookup: ModelLookup, hints: FolderHints): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const [role, refs] of [
    ["join", g.joins],
    ["lookup", g.lookups],
  ] as const) {
    for (const r of refs) {
      if (r.group !== undefined) {
        const target = lookup.group(r.group);
        if (target === undefined) {
          out.push(
            diagnostic(
              "GK702",
              r.at,
              `${role} names group \`${r.group}\`, which no spec declares`,
              didYouMean(r.group, hints.groupNames()) ??
                "name a group declared in the specs, or use `table:` for a table written elsewhere",
            ),
          );
        } else if (target.persist === undefined) {
          out.push(
            diagnostic(
              "GK702",
              r.at,
              `${role} names group \`${r.group}\`, which has no group table`,
              `add \`persist:\` to group \`${r.group}\` (${where(target.at)})`,
            ),
          );
        }
        continue;
      }
      if (lookup.topic(r.table) !== undefined) continue;
      const ownerName = tableTopicGroup(r.table);
      const owner = ownerName === undefined ? undefined : lookup.group(ownerName);
      if (owner?.persist !== undefined) continue;
      const hint =
        owner !== undefined
          ? `group \`${owner.name}\` (${where(owner.at)}) does not persist, so nothing writes \`${r.table}\`; add \`persist:\` there`
          : (didYouMean(r.table, hints.tableNames()) ?? `declare \`${r.table}\` in a \`topics:\` catalogue if another system writes it`);
      out.push(diagnostic("GK703", r.at, `${role} \`${r.table}\` is a table no spec defines`, hint));
    }
  }
  return out;
}

/** Unknown types, groups and tables. */
export const checkReferences: Check = (ctx) => {
  const hints = folderHints(ctx.model);
  const lookup = modelLookup(ctx.model);
  return [...checkTypeReferences(ctx), ...ctx.model.groups.flatMap((g) => tableReferenceRules(g, lookup, hints))];
};
