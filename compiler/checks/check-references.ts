/**
 * References between specs: GK701 `{ json: T }` names no declared type,
 * GK702 a `group: X` join/lookup names no group or one without persist,
 * GK703 (warning) a joined or looked-up table no spec defines.
 */
import { diagnostic, type Diagnostic } from "../diagnostics/catalogue.js";
import { tableTopic, tableTopicGroup } from "../model/model.js";
import { didYouMean } from "../diagnostics/suggest.js";
import { where, type Check } from "./check-context.js";

/** Unknown types, groups and tables. */
export const checkReferences: Check = (ctx) => {
  const out: Diagnostic[] = [];
  const typeNames = [...ctx.model.types.keys()];
  for (const ref of ctx.typeRefs) {
    if (ctx.model.types.has(ref.value)) continue;
    out.push(
      diagnostic(
        "GK701",
        ref.at,
        `unknown type \`${ref.value}\``,
        didYouMean(ref.value, typeNames) ?? `declare \`${ref.value}\` under \`types:\` with its JSON Schema`,
      ),
    );
  }

  const groupNames = ctx.model.groups.map((g) => g.name);
  let knownTables: string[] | undefined; // built on the first GK703 only
  const tables = () =>
    (knownTables ??= [
      ...ctx.model.groups.filter((x) => x.persist !== undefined).map((x) => tableTopic(x.name)),
      ...ctx.model.topics.keys(),
    ]);
  for (const g of ctx.model.groups) {
    for (const [role, refs] of [
      ["join", g.joins],
      ["lookup", g.lookups],
    ] as const) {
      for (const r of refs) {
        if (r.group !== undefined) {
          const target = ctx.codecs.group(r.group);
          if (target === undefined) {
            out.push(
              diagnostic(
                "GK702",
                r.at,
                `${role} names group \`${r.group}\`, which no spec declares`,
                didYouMean(r.group, groupNames) ?? "name a group declared in the specs, or use `table:` for a table written elsewhere",
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
        if (ctx.model.topics.has(r.table)) continue;
        const ownerName = tableTopicGroup(r.table);
        const owner = ownerName === undefined ? undefined : ctx.codecs.group(ownerName);
        if (owner?.persist !== undefined) continue;
        const hint =
          owner !== undefined
            ? `group \`${owner.name}\` (${where(owner.at)}) does not persist, so nothing writes \`${r.table}\`; add \`persist:\` there`
            : (didYouMean(r.table, tables()) ?? `declare \`${r.table}\` in a \`topics:\` catalogue if another system writes it`);
        out.push(diagnostic("GK703", r.at, `${role} \`${r.table}\` is a table no spec defines`, hint));
      }
    }
  }
  return out;
};
