/** GK401: only group X writes `X-table`; no other group may list it in `outputs`. */
import { diagnostic, type Diagnostic } from "../diagnostics/catalogue.js";
import { tableTopicGroup, type GroupModel } from "../model/model.js";
import { modelLookup, type ModelLookup } from "../model/lookup.js";
import { where, type Check } from "./check-context.js";

/** GK401 for group `g`: outputs naming another spec group's table topic. (A group's own table is GK203.) */
export function ownershipRules(g: GroupModel, lookup: ModelLookup): Diagnostic[] {
  return g.outputs.flatMap((o) => {
    const ownerName = tableTopicGroup(o.topic);
    const owner = ownerName === undefined ? undefined : lookup.group(ownerName);
    if (owner === undefined || owner.name === g.name) return [];
    return [
      diagnostic(
        "GK401",
        o.at,
        `group \`${g.name}\` emits to \`${o.topic}\`, the table of group \`${owner.name}\``,
        `only \`${owner.name}\` (${where(owner.at)}) writes its table: emit to a topic \`${owner.name}\` consumes, or read the table with a join or lookup`,
      ),
    ];
  });
}

/** Outputs naming another spec group's table topic. (A group's own table is GK203.) */
export const checkOwnership: Check = (ctx) => ctx.model.groups.flatMap((g) => ownershipRules(g, modelLookup(ctx.model)));
