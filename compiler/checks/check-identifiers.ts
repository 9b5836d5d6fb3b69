/**
 * GK305: names that would collide in generated code, computed with the same
 * helpers the emitters use (names.ts): topic constants, group prefixes and
 * folders, type names (declared and from schema files), and those against the
 * bindings generated files declare or import.
 */
import { diagnostic, type Diagnostic, type SourceLocation } from "../diagnostics/catalogue.js";
import { loopTopic, tableTopic, type CodecModel, type GroupModel, type SpecModel } from "../model/model.js";
import {
  GENERATED_BINDINGS,
  GROUP_CONST_SUFFIXES,
  GROUP_TYPE_SUFFIXES,
  groupConstPrefix,
  groupTypePrefix,
  schemaFileTypeName,
  topicConstName as topicConstNameOf,
} from "../shared/names.js";
import { where, type Check, type CheckContext } from "./check-context.js";

interface Named {
  readonly name: string;
  readonly at: SourceLocation;
}

/** `groupTopics` per group: a group's model never changes, and a watch build checks the same groups again. */
const topicsOfGroup = new WeakMap<GroupModel, readonly Named[]>();

/** The topics a group's generated graph imports, with where the group names them. */
function groupTopics(g: GroupModel): readonly Named[] {
  let topics = topicsOfGroup.get(g);
  if (topics === undefined) {
    topics = namedTopics(g);
    topicsOfGroup.set(g, topics);
  }
  return topics;
}

function namedTopics(g: GroupModel): Named[] {
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

/** Reports names whose identifier (by any of `identifiers`) equals that of an earlier, different name; once per name. */
function collisions(items: readonly Named[], identifiers: readonly ((name: string) => string)[], what: string, out: Diagnostic[]): void {
  const first = identifiers.map(() => new Map<string, Named>());
  for (const item of items) {
    let reported = false;
    identifiers.forEach((identifier, i) => {
      const seenById = first[i] as Map<string, Named>;
      const id = identifier(item.name);
      const seen = seenById.get(id);
      if (seen === undefined) seenById.set(id, item);
      else if (seen.name !== item.name && !reported) {
        reported = true;
        out.push(
          diagnostic(
            "GK305",
            item.at,
            `${what} \`${item.name}\` and \`${seen.name}\` (${where(seen.at)}) both become \`${id}\` in generated code`,
            "rename one of them so that their generated names differ",
          ),
        );
      }
    });
  }
}

/** What the topic rules need of one group, kept per group (a group's model never changes; watch builds check the same groups again). */
interface GroupTopicNames {
  /** `groupTopics(g)` with each topic's constant. */
  readonly topics: readonly { readonly named: Named; readonly id: string }[];
  /** Topics whose constant is one the group's own graph declares. */
  readonly ownFindings: readonly Diagnostic[];
}

const topicNamesOfGroup = new WeakMap<GroupModel, GroupTopicNames>();

function groupTopicNames(g: GroupModel): GroupTopicNames {
  let names = topicNamesOfGroup.get(g);
  if (names === undefined) {
    const topics = groupTopics(g).map((named) => ({ named, id: topicConstNameOf(named.name) }));
    // a group's graph.ts imports its topics' constants next to `<group>Group` and `<group>Graph`
    const own = new Set(GROUP_CONST_SUFFIXES.map((suffix) => `${groupConstPrefix(g.name)}${suffix}`));
    const ownFindings = topics
      .filter((t) => own.has(t.id))
      .map((t) =>
        diagnostic(
          "GK305",
          t.named.at,
          `topic \`${t.named.name}\` becomes \`${t.id}\`, which group \`${g.name}\`'s generated graph also declares`,
          "rename the topic or the group",
        ),
      );
    names = { topics, ownFindings };
    topicNamesOfGroup.set(g, names);
  }
  return names;
}

/** Topic constants: unique, and not a name generated code binds itself. */
function topicCollisions(model: SpecModel, out: Diagnostic[]): void {
  const first = new Map<string, Named>();
  const reported = new Set<string>();
  const visit = (t: Named, id: string) => {
    const seen = first.get(id);
    if (seen === undefined) first.set(id, t);
    else if (seen.name !== t.name) {
      out.push(
        diagnostic(
          "GK305",
          t.at,
          `topic \`${t.name}\` and \`${seen.name}\` (${where(seen.at)}) both become \`${id}\` in generated code`,
          "rename one of them so that their generated names differ",
        ),
      );
    }
    if (GENERATED_BINDINGS.has(id) && !reported.has(t.name)) {
      reported.add(t.name);
      out.push(diagnostic("GK305", t.at, `topic \`${t.name}\` becomes \`${id}\`, a name generated code already uses`, "rename the topic"));
    }
  };
  for (const t of model.topics.values()) visit({ name: t.name, at: t.at }, topicConstNameOf(t.name));
  for (const g of model.groups) {
    const names = groupTopicNames(g);
    for (const t of names.topics) visit(t.named, t.id);
    out.push(...names.ownFindings);
  }
}

/** Type names (declared and from schema files): one source each, and none a generated type's name. Returns the type names. */
function typeCollisions(ctx: CheckContext, out: Diagnostic[]): ReadonlySet<string> {
  const sources = new Map<string, { source: string; at: SourceLocation }>();
  const add = (name: string, source: string, at: SourceLocation) => {
    const seen = sources.get(name);
    if (seen === undefined) sources.set(name, { source, at });
    else if (seen.source !== source) {
      out.push(
        diagnostic(
          "GK305",
          at,
          `type \`${name}\` from ${source} collides with \`${name}\` from ${seen.source} (${where(seen.at)})`,
          "rename the type or the schema file (its PascalCase base name becomes the type name)",
        ),
      );
    }
  };
  for (const t of ctx.model.types.values()) add(t.name, "`types:`", t.at);
  for (const ref of ctx.fileRefs)
    if (ref.kind === "schema" && !ref.unsafe) add(schemaFileTypeName(ref.display), `schema file ${ref.display}`, ref.at);

  let generated: Map<string, GroupModel> | undefined; // built when some type could collide with one: names ending in a suffix
  const suffixed = (name: string) => GROUP_TYPE_SUFFIXES.some((suffix) => name.endsWith(suffix));
  for (const [name, { at }] of sources) {
    if (generated === undefined && suffixed(name)) {
      generated = new Map();
      for (const g of ctx.model.groups) for (const suffix of GROUP_TYPE_SUFFIXES) generated.set(`${groupTypePrefix(g.name)}${suffix}`, g);
    }
    const g = generated?.get(name);
    if (g !== undefined || GENERATED_BINDINGS.has(name)) {
      const by = g === undefined ? "generated code" : `group \`${g.name}\`'s generated graph (${where(g.at)})`;
      out.push(diagnostic("GK305", at, `type \`${name}\` collides with a type of the same name in ${by}`, "rename the type"));
    }
  }
  return new Set(sources.keys());
}

/** Handler files import the group's context type and message types next to the handlers. */
function handlerCollisions(model: SpecModel, typeNames: ReadonlySet<string>, out: Diagnostic[]): void {
  for (const g of model.groups) {
    const context = `${groupTypePrefix(g.name)}Context`;
    const handlers = [
      ...g.inputs.map((i) => ({ name: i.handler, at: i.handlerAt })),
      ...g.visitors.map((v) => ({ name: v.handler, at: v.handlerAt })),
      ...(g.loop === undefined ? [] : [{ name: g.loop.handler, at: g.loop.handlerAt }]),
    ];
    for (const h of handlers) {
      if (h.name === context || typeNames.has(h.name)) {
        out.push(
          diagnostic(
            "GK305",
            h.at,
            `handler \`${h.name}\` has the name of a type its handler file imports`,
            `give the handler a camelCase name, e.g. \`on${h.name}\``,
          ),
        );
      }
    }
  }
}

interface CustomCodecUse {
  readonly module: string;
  readonly name: string;
  readonly at: SourceLocation;
}

/** Each group's custom codecs, kept per group like `groupTopics`. */
const customCodecsOfGroup = new WeakMap<GroupModel, readonly CustomCodecUse[]>();

/** Every custom codec written in the specs, with where its codec was written. */
function customCodecs(model: SpecModel): CustomCodecUse[] {
  const found: CustomCodecUse[] = [];
  const adder = (into: CustomCodecUse[]) => (codec: CodecModel | undefined, at: SourceLocation | undefined) => {
    if (codec?.kind === "custom" && at !== undefined) into.push({ module: codec.module, name: codec.export, at });
  };
  const add = adder(found);
  for (const t of model.topics.values()) add(t.codec, t.codecAt);
  for (const g of model.groups) {
    let uses = customCodecsOfGroup.get(g);
    if (uses === undefined) {
      const own: CustomCodecUse[] = [];
      const addOwn = adder(own);
      for (const i of g.inputs) addOwn(i.codec, i.codecAt);
      addOwn(g.persist?.codec, g.persist?.codecAt);
      addOwn(g.loop?.codec, g.loop?.codecAt);
      for (const e of [...g.joins, ...g.lookups, ...g.outputs]) addOwn(e.codec, e.codecAt);
      customCodecsOfGroup.set(g, own);
      uses = own;
    }
    found.push(...uses);
  }
  return found;
}

/**
 * Custom codec exports are imported under their own name into `topics.ts` and
 * the graphs: they must not equal a topic constant, a type or a binding
 * generated code declares, nor the same name exported by another module.
 */
function customCodecCollisions(model: SpecModel, typeNames: ReadonlySet<string>, out: Diagnostic[]): void {
  const codecs = customCodecs(model);
  if (codecs.length === 0) return;
  const topicNames = new Set(allTopics(model).map((t) => topicConstNameOf(t.name)));
  const groupNames = new Set(model.groups.flatMap((g) => GROUP_CONST_SUFFIXES.map((suffix) => `${groupConstPrefix(g.name)}${suffix}`)));
  const modules = new Map<string, { module: string; at: SourceLocation }>();
  const reported = new Set<string>();
  for (const c of codecs) {
    const key = `${c.module}#${c.name}`;
    if (reported.has(key)) continue;
    const seen = modules.get(c.name);
    if (seen === undefined) modules.set(c.name, { module: c.module, at: c.at });
    else if (seen.module !== c.module) {
      reported.add(key);
      out.push(
        diagnostic(
          "GK305",
          c.at,
          `custom codec export \`${c.name}\` of ${c.module} has the name of the one of ${seen.module} (${where(seen.at)})`,
          "export the codecs under different names",
        ),
      );
      continue;
    }
    if (topicNames.has(c.name) || groupNames.has(c.name) || typeNames.has(c.name) || GENERATED_BINDINGS.has(c.name)) {
      reported.add(key);
      out.push(
        diagnostic(
          "GK305",
          c.at,
          `custom codec export \`${c.name}\` has the name of a binding generated code declares`,
          `export the codec under another name, e.g. \`${c.name}Custom\``,
        ),
      );
    }
  }
}

/** Generated-name collisions across the folder. */
export const checkIdentifiers: Check = (ctx) => {
  const out: Diagnostic[] = [];
  topicCollisions(ctx.model, out);
  const groups = ctx.model.groups.map((g) => ({ name: g.name, at: g.at }));
  // type prefix, constant prefix, and the output folder on case-insensitive file systems
  collisions(groups, [groupTypePrefix, groupConstPrefix, (n) => n.toLowerCase()], "group", out);
  const typeNames = typeCollisions(ctx, out);
  handlerCollisions(ctx.model, typeNames, out);
  customCodecCollisions(ctx.model, typeNames, out);
  return out;
};
