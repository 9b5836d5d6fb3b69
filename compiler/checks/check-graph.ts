/**
 * Goka's graph rules for each group (GroupGraph.Validate, plus gokac's own):
 * GK201 no inputs, GK202 topic consumed twice, GK203 an edge names the group's
 * own table or loop, GK204 visitors without persist, GK205 handler name used
 * twice, GK210 table joined/looked up or topic emitted twice.
 */
import { diagnostic, type Diagnostic, type DiagnosticCode, type SourceLocation } from "../diagnostics/catalogue.js";
import { loopTopic, tableTopic, type GroupModel } from "../model/model.js";
import { where, type Check } from "./check-context.js";

/** Reports the second and later occurrences of each name, pointing back at the first. */
function duplicates(
  items: readonly { name: string; at: SourceLocation }[],
  code: DiagnosticCode,
  message: (name: string) => string,
  hint: (name: string, first: SourceLocation) => string,
): Diagnostic[] {
  const first = new Map<string, SourceLocation>();
  const out: Diagnostic[] = [];
  for (const { name, at } of items) {
    const seen = first.get(name);
    if (seen === undefined) first.set(name, at);
    else out.push(diagnostic(code, at, message(name), hint(name, seen)));
  }
  return out;
}

/** The graph rules for group `g` (they look at nothing else). */
export function graphRules(g: GroupModel): Diagnostic[] {
  const out: Diagnostic[] = [];
  if (g.inputs.length === 0) {
    out.push(diagnostic("GK201", g.at, `group \`${g.name}\` has no inputs`, "add `inputs:` with at least one `- topic: name`"));
  }

  const consumed = g.inputs.flatMap((i) => i.topics.map((t) => ({ name: t.value, at: t.at })));
  out.push(
    ...duplicates(
      consumed,
      "GK202",
      (t) => `group \`${g.name}\` consumes \`${t}\` twice`,
      (t, first) =>
        `\`${t}\` is already an input at ${where(first)}; a group consumes each topic once (use \`topics:\` for one handler over several topics)`,
    ),
  );

  const own = new Map([
    [tableTopic(g.name), { what: "table", how: "table through `persist:` (ctx.value(), ctx.setValue())" }],
    [loopTopic(g.name), { what: "loop", how: "loop through `loop:` (ctx.loopback())" }],
  ]);
  const edges = [
    ...consumed.map((e) => ({ ...e, role: "input" })),
    ...g.outputs.map((o) => ({ name: o.topic, at: o.at, role: "output" })),
    ...g.joins.map((j) => ({ name: j.table, at: j.at, role: "join" })),
    ...g.lookups.map((l) => ({ name: l.table, at: l.at, role: "lookup" })),
  ];
  for (const e of edges) {
    const use = own.get(e.name);
    if (use !== undefined) {
      out.push(
        diagnostic(
          "GK203",
          e.at,
          `${e.role} \`${e.name}\` names group \`${g.name}\`'s own ${use.what}`,
          `remove this ${e.role}: the group reaches its own ${use.how}`,
        ),
      );
    }
  }

  const firstVisitor = g.visitors[0];
  if (firstVisitor !== undefined && g.persist === undefined) {
    out.push(
      diagnostic(
        "GK204",
        firstVisitor.at,
        `group \`${g.name}\` has visitors but no group table`,
        "visitors visit every key of the group table: add `persist: { codec: … }` or remove `visitors:`",
      ),
    );
  }

  if (g.standby !== undefined && g.standby.value > 0 && g.persist === undefined) {
    out.push(
      diagnostic(
        "GK211",
        g.standby.at,
        `group \`${g.name}\` keeps ${g.standby.value} standby cop${g.standby.value === 1 ? "y" : "ies"} but has no group table`,
        "standby copies are warm copies of the group table: add `persist: { codec: … }` or remove `standby:`",
      ),
    );
  }

  // an input whose topic was consumed before (GK202) defaults to the same handler name; one finding is enough
  const seenTopics = new Set<string>();
  const inputHandlers = g.inputs.flatMap((i) => {
    const first = i.topics[0]?.value ?? "";
    const echo = seenTopics.has(first) && !i.handlerAt.pointer.endsWith("/handler");
    for (const t of i.topics) seenTopics.add(t.value);
    return echo ? [] : [{ name: i.handler, at: i.handlerAt }];
  });
  const handlers = [
    ...inputHandlers,
    ...(g.loop === undefined ? [] : [{ name: g.loop.handler, at: g.loop.handlerAt }]),
    ...g.visitors.map((v) => ({ name: v.handler, at: v.handlerAt })),
  ];
  out.push(
    ...duplicates(
      handlers,
      "GK205",
      (h) => `handler \`${h}\` is used twice in group \`${g.name}\``,
      (h, first) => `\`${h}\` already handles ${where(first)}; give this one its own \`handler:\` name`,
    ),
  );

  const twice = (items: readonly { name: string; at: SourceLocation }[], what: string) =>
    duplicates(
      items,
      "GK210",
      (n) => `group \`${g.name}\` ${what} \`${n}\` twice`,
      (n, first) => `remove this entry; \`${n}\` is already listed at ${where(first)}`,
    );
  out.push(
    ...twice(
      g.joins.map((j) => ({ name: j.table, at: j.at })),
      "joins",
    ),
    ...twice(
      g.lookups.map((l) => ({ name: l.table, at: l.at })),
      "looks up",
    ),
    ...twice(
      g.outputs.map((o) => ({ name: o.topic, at: o.at })),
      "emits to",
    ),
  );
  return out;
}

/** The graph rules for every group. */
export const checkGraph: Check = (ctx) => ctx.model.groups.flatMap(graphRules);
