/**
 * GK305: names that would collide in generated code, computed with the same
 * helpers the emitters use (names.ts): topic constants, group prefixes and
 * folders, type names (declared and from schema files), and those against the
 * bindings generated files declare or import.
 */
import { diagnostic, type Diagnostic, type SourceLocation } from "../diagnostics.js";
import { loopTopic, tableTopic, type GroupModel, type SpecModel } from "../model.js";
import {
  GENERATED_BINDINGS, GROUP_CONST_SUFFIXES, GROUP_TYPE_SUFFIXES, groupConstPrefix, groupTypePrefix, schemaFileTypeName, topicConstName,
} from "../names.js";
import { where, type Check } from "./check-context.js";

interface Named {
  readonly name: string;
  readonly at: SourceLocation;
}

/** The topics a group's generated graph imports, with where the group names them. */
function groupTopics(g: GroupModel): Named[] {
  return [
    ...g.inputs.flatMap((i) => i.topics.map((t) => ({ name: t.value, at: t.at }))),
    ...g.outputs.map((o) => ({ name: o.topic, at: o.at })),
    ...g.joins.map((j) => ({ name: j.table, at: j.at })),
    ...g.lookups.map((l) => ({ name: l.table, at: l.at })),
    ...(g.persist === undefined ? [] : [{ name: tableTopic(g.name), at: g.persist.at }]),
    ...(g.loop === undefined ? [] : [{ name: loopTopic(g.name), at: g.loop.at }]),
  ];
}

function allTopics(model: SpecModel): Named[] {
  return [...[...model.topics.values()].map((t) => ({ name: t.name, at: t.at })), ...model.groups.flatMap(groupTopics)];
}

/** Reports names whose identifier equals that of an earlier, different name. */
function collisions(items: readonly Named[], identifier: (name: string) => string, what: string, out: Diagnostic[]): void {
  const first = new Map<string, Named>();
  for (const item of items) {
    const id = identifier(item.name);
    const seen = first.get(id);
    if (seen === undefined) first.set(id, item);
    else if (seen.name !== item.name) {
      out.push(diagnostic("GK305", item.at, `${what} \`${item.name}\` and \`${seen.name}\` (${where(seen.at)}) both become \`${id}\` in generated code`,
        `rename one of them so that their generated names differ`));
    }
  }
}

/** Generated-name collisions across the folder. */
export const checkIdentifiers: Check = (ctx) => {
  const out: Diagnostic[] = [];
  const { model } = ctx;

  const topics = allTopics(model);
  collisions(topics, topicConstName, "topic", out);
  const reservedTopics = new Set<string>();
  for (const t of topics) {
    const id = topicConstName(t.name);
    if (GENERATED_BINDINGS.has(id) && !reservedTopics.has(t.name)) {
      reservedTopics.add(t.name);
      out.push(diagnostic("GK305", t.at, `topic \`${t.name}\` becomes \`${id}\`, a name generated code already uses`, "rename the topic"));
    }
  }

  const groups = model.groups.map((g) => ({ name: g.name, at: g.at }));
  collisions(groups, groupTypePrefix, "group", out);
  collisions(groups, groupConstPrefix, "group", out);
  collisions(groups, (n) => n.toLowerCase(), "group (its output folder, on case-insensitive file systems)", out);

  for (const g of model.groups) {
    const own = new Set(GROUP_CONST_SUFFIXES.map((s) => `${groupConstPrefix(g.name)}${s}`));
    for (const t of groupTopics(g)) {
      if (own.has(topicConstName(t.name))) {
        out.push(diagnostic("GK305", t.at, `topic \`${t.name}\` becomes \`${topicConstName(t.name)}\`, which group \`${g.name}\`'s generated graph also declares`, "rename the topic or the group"));
      }
    }
  }

  // type names: declared ones, then those generated from schema files (one per file)
  const typeSources = new Map<string, { source: string; at: SourceLocation }>();
  const addType = (name: string, source: string, at: SourceLocation) => {
    const seen = typeSources.get(name);
    if (seen === undefined) typeSources.set(name, { source, at });
    else if (seen.source !== source) {
      out.push(diagnostic("GK305", at, `type \`${name}\` from ${source} collides with \`${name}\` from ${seen.source} (${where(seen.at)})`,
        "rename the type or the schema file (its PascalCase base name becomes the type name)"));
    }
  };
  for (const t of model.types.values()) addType(t.name, "`types:`", t.at);
  for (const ref of ctx.fileRefs) if (ref.kind === "schema" && !ref.unsafe) addType(schemaFileTypeName(ref.display), `schema file ${ref.display}`, ref.at);

  const generatedTypes = new Map<string, GroupModel>();
  for (const g of model.groups) for (const s of GROUP_TYPE_SUFFIXES) generatedTypes.set(`${groupTypePrefix(g.name)}${s}`, g);
  for (const [name, { at }] of typeSources) {
    const g = generatedTypes.get(name);
    if (g !== undefined || GENERATED_BINDINGS.has(name)) {
      const by = g === undefined ? "generated code" : `group \`${g.name}\`'s generated graph (${where(g.at)})`;
      out.push(diagnostic("GK305", at, `type \`${name}\` collides with a type of the same name in ${by}`, "rename the type"));
    }
  }

  // handler files import the group's context type and message types next to the handlers
  for (const g of model.groups) {
    const context = `${groupTypePrefix(g.name)}Context`;
    const handlers = [...g.inputs.map((i) => ({ name: i.handler, at: i.handlerAt })), ...g.visitors.map((v) => ({ name: v.handler, at: v.handlerAt })),
      ...(g.loop === undefined ? [] : [{ name: g.loop.handler, at: g.loop.handlerAt }])];
    for (const h of handlers) {
      if (h.name === context || typeSources.has(h.name)) {
        out.push(diagnostic("GK305", h.at, `handler \`${h.name}\` has the name of a type its handler file imports`, "give the handler a camelCase name, e.g. `on" + h.name + "`"));
      }
    }
  }
  return out;
};

