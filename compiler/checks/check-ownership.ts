/** GK401: only group X writes `X-table`; no other group may list it in `outputs`. */
import { diagnostic } from "../diagnostics/catalogue.js";
import { tableTopic } from "../model/model.js";
import { where, type Check } from "./check-context.js";

/** Outputs naming another spec group's table topic. (A group's own table is GK203.) */
export const checkOwnership: Check = (ctx) => {
  const owners = new Map(ctx.model.groups.map((g) => [tableTopic(g.name), g] as const));
  return ctx.model.groups.flatMap((g) =>
    g.outputs.flatMap((o) => {
      const owner = owners.get(o.topic);
      if (owner === undefined || owner.name === g.name) return [];
      return [
        diagnostic(
          "GK401",
          o.at,
          `group \`${g.name}\` emits to \`${o.topic}\`, the table of group \`${owner.name}\``,
          `only \`${owner.name}\` (${where(owner.at)}) writes its table: emit to a topic \`${owner.name}\` consumes, or read the table with a join or lookup`,
        ),
      ];
    }),
  );
};
