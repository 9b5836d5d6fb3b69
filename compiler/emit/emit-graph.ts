/**
 * `<group>/graph.ts`: the group's typed context (composed from the runtime's
 * context pieces according to its spec, so misuse does not compile), its
 * handler interface, its `GroupGraph` and its definition, as described in
 * docs/generated-code.md.
 */
import type { GroupModel } from "../model/model.js";
import type { ModelLookup } from "../model/lookup.js";
import { loopTopic, tableTopic } from "../model/model.js";
import { groupPartitionsIn } from "../model/partitions.js";
import { DEFAULT_PARTITIONER, groupPartitioner, topicPartitioner } from "../model/partitioners.js";
import { groupConstPrefix, groupTypePrefix, topicConstName } from "../shared/names.js";
import type { CodecResolver } from "../model/resolve-codec.js";
import { valueType, type CodecPlace, type NeededImport } from "./codec-text.js";
import { contextTypeName, groupHandlers } from "./group-handlers.js";
import { compareText, docComment, fileText, importLine, ownedHeader, stringLiteral } from "./ts-text.js";

/** What `emitGraph` needs besides the group. */
export interface GraphInput {
  /** The rest of the folder, by name (a group's graph depends on the topics and groups it names). */
  readonly lookup: ModelLookup;
  readonly codecs: CodecResolver;
  readonly place: CodecPlace;
  /** Spec file of the group, as shown in the header (display-relative). */
  readonly source: string;
}

function typeMap(name: string, doc: string, entries: readonly [string, string][]): string[] {
  if (entries.length === 0) return [];
  return [`/** ${doc} */`, `export interface ${name} {`, ...entries.map(([k, v]) => `  ${stringLiteral(k)}: ${v};`), "}", ""];
}

/** The graph's `errors` object literal (the runtime's `ErrorPolicyGraph`), fields in a fixed order. */
function errorsText(g: GroupModel): string {
  const e = g.errors;
  if (e === undefined) return "{}";
  const fields: string[] = [];
  if (e.decode !== undefined) fields.push(`decode: ${stringLiteral(e.decode)}`);
  if (e.handler !== undefined) fields.push(`handler: ${stringLiteral(e.handler)}`);
  if (e.retries !== undefined) fields.push(`retries: ${e.retries}`);
  if (e.backoffMs !== undefined) fields.push(`backoffMs: ${e.backoffMs}`);
  if (e.timeoutMs !== undefined) fields.push(`timeoutMs: ${e.timeoutMs}`);
  if (e.deadLetter !== undefined) fields.push(`deadLetter: ${stringLiteral(e.deadLetter)}`);
  return fields.length === 0 ? "{}" : `{ ${fields.join(", ")} }`;
}

/** The text of `<group>/graph.ts`. */
export function emitGraph(g: GroupModel, input: GraphInput): string {
  const { codecs, place } = input;
  const typeImports: NeededImport[] = [];
  const typeOf = (codec: Parameters<typeof valueType>[0] | undefined): string => {
    if (codec === undefined) return "unknown";
    const t = valueType(codec, place, "../types.js");
    typeImports.push(...t.imports);
    return t.type;
  };
  /** `, partitioner: "goka"` for a topic that does not use the default. */
  const partitionerField = (name: string): string => {
    const p = topicPartitioner(input.lookup, name);
    return p === DEFAULT_PARTITIONER ? "" : `, partitioner: ${stringLiteral(p)}`;
  };
  const prefix = groupTypePrefix(g.name);
  const constPrefix = groupConstPrefix(g.name);
  const contextName = contextTypeName(g.name);
  const topicConsts = new Set<string>();
  const topic = (name: string) => {
    const c = topicConstName(name);
    topicConsts.add(c);
    return c;
  };

  // 1. The context: one runtime piece per capability the spec declares.
  const runtimeTypes = new Set(["BaseContext", "GroupGraph"]);
  const pieces = ["BaseContext"];
  const tableType = g.persist === undefined ? undefined : typeOf(g.persist.codec);
  if (tableType !== undefined) {
    pieces.push(`TableContext<${tableType}>`);
    runtimeTypes.add("TableContext");
  }
  const outputs = g.outputs.map((o) => [o.topic, typeOf(codecs.output(o))] as [string, string]);
  const joins = g.joins.map((j) => [j.table, typeOf(codecs.table(j))] as [string, string]);
  const lookups = g.lookups.map((l) => [l.table, typeOf(codecs.table(l))] as [string, string]);
  if (outputs.length > 0) {
    pieces.push(`EmitContext<${prefix}Outputs>`);
    runtimeTypes.add("EmitContext");
  }
  const loopType = g.loop === undefined ? undefined : typeOf(g.loop.codec);
  if (loopType !== undefined) {
    pieces.push(`LoopContext<${loopType}>`);
    runtimeTypes.add("LoopContext");
  }
  if (joins.length > 0) {
    pieces.push(`JoinContext<${prefix}Joins>`);
    runtimeTypes.add("JoinContext");
  }
  if (lookups.length > 0) {
    pieces.push(`LookupContext<${prefix}Lookups>`);
    runtimeTypes.add("LookupContext");
  }

  // 2. The handlers interface.
  const handlers = groupHandlers(g, codecs, place, "../types.js");
  for (const h of handlers) typeImports.push(...h.imports);

  // 3. The graph object.
  const graph: string[] = [`export const ${constPrefix}Graph: GroupGraph = {`, `  group: ${stringLiteral(g.name)},`];
  if (g.description !== undefined) graph.push(`  description: ${stringLiteral(g.description.trim())},`);
  graph.push("  inputs: [");
  for (const [i, input] of g.inputs.entries()) {
    const names = input.topics.map((t) => `${topic(t.value)}.name`);
    const first = input.topics[0]?.value ?? "";
    graph.push(
      `    { topics: [${names.join(", ")}], codec: ${topic(first)}.codec, handler: ${stringLiteral(handlers[i]?.name ?? input.handler)}${partitionerField(first)} },`,
    );
  }
  graph.push("  ],");
  if (g.persist !== undefined) graph.push(`  persist: { codec: ${topic(tableTopic(g.name))}.codec },`);
  if (g.loop !== undefined) graph.push(`  loop: { codec: ${topic(loopTopic(g.name))}.codec, handler: ${stringLiteral(g.loop.handler)} },`);
  const edges = (key: string, field: string, items: readonly string[]) => {
    if (items.length === 0) return;
    graph.push(
      `  ${key}: [`,
      ...items.map((t) => `    { ${field}: ${topic(t)}.name, codec: ${topic(t)}.codec${partitionerField(t)} },`),
      "  ],",
    );
  };
  edges(
    "joins",
    "table",
    g.joins.map((j) => j.table),
  );
  edges(
    "lookups",
    "table",
    g.lookups.map((l) => l.table),
  );
  edges(
    "outputs",
    "topic",
    g.outputs.map((o) => o.topic),
  );
  if (g.visitors.length > 0) {
    graph.push(
      "  visitors: [",
      ...g.visitors.map((v) => `    { name: ${stringLiteral(v.name)}, handler: ${stringLiteral(v.handler)} },`),
      "  ],",
    );
  }
  const partitions = groupPartitionsIn(input.lookup, g);
  if (partitions !== undefined) graph.push(`  partitions: ${partitions},`);
  // The compression of each topic the group writes whose catalogue entry says one.
  const written = [
    ...(g.persist === undefined ? [] : [tableTopic(g.name)]),
    ...(g.loop === undefined ? [] : [loopTopic(g.name)]),
    ...g.outputs.map((o) => o.topic),
  ];
  const compressed = [...new Set(written)].flatMap((t) => {
    const compression = input.lookup.topic(t)?.compression;
    return compression === undefined ? [] : [`${stringLiteral(t)}: ${stringLiteral(compression)}`];
  });
  if (compressed.length > 0) graph.push(`  compression: { ${compressed.join(", ")} },`);
  const own = groupPartitioner(g).value;
  if (own !== DEFAULT_PARTITIONER) graph.push(`  partitioner: ${stringLiteral(own)},`);
  if (g.errors !== undefined) graph.push(`  errors: ${errorsText(g)},`);
  if (g.guarantee !== undefined && g.guarantee.value !== "at-least-once") graph.push(`  guarantee: ${stringLiteral(g.guarantee.value)},`);
  if (g.standby !== undefined && g.standby.value > 0) graph.push(`  standby: ${g.standby.value},`);
  graph.push("};");

  // 4. Imports, then the file.
  const byModule = new Map<string, Set<string>>();
  for (const i of typeImports) byModule.set(i.from, (byModule.get(i.from) ?? new Set()).add(i.name));
  const runtimeImports = [...runtimeTypes].sort(compareText).map((t) => `type ${t}`);
  const lines = [
    ownedHeader(input.source),
    `import { defineGroup, ${runtimeImports.join(", ")} } from "gokac/runtime";`,
    ...[...byModule.keys()].sort(compareText).flatMap((from) => importLine(byModule.get(from) ?? [], from, true)),
    ...importLine(topicConsts, "../topics.js", false),
    `import * as handlers from "./handlers.js";`,
    "",
    ...typeMap(`${prefix}Outputs`, `Topics handlers of \`${g.name}\` may emit to, with their value types.`, outputs),
    ...typeMap(`${prefix}Joins`, `Tables \`${g.name}\` joins (read by the message key), with their value types.`, joins),
    ...typeMap(`${prefix}Lookups`, `Tables \`${g.name}\` looks up by any key, with their value types.`, lookups),
    ...docComment(g.description ?? `The handler context of group \`${g.name}\`.`),
    `export interface ${contextName} extends ${pieces.join(", ")} {}`,
    "",
    `/** The handlers \`${g.name}\` needs; \`handlers.ts\` must export each of them. */`,
    `export interface ${prefix}Handlers {`,
    ...handlers.flatMap((h) => [
      `  /** Handles ${h.kind === "visitor" ? `${h.handles}; \`msg\` is the meta value given to visitAll` : h.handles}. */`,
      `  ${h.name}(ctx: ${contextName}, msg: ${h.msgType}): void | Promise<void>;`,
    ]),
    "}",
    "",
    `/** The graph of group \`${g.name}\`, as the runtime runs it. */`,
    ...graph,
    "",
    `/** Group \`${g.name}\`: its graph bound to the handlers in \`handlers.ts\` (a missing or mistyped handler does not compile). */`,
    // The handlers are picked by name rather than passing the module namespace, so that handlers.ts may export helpers of any kind.
    `export const ${constPrefix}Group = defineGroup<${tableType ?? "never"}>(${constPrefix}Graph, {`,
    ...handlers.map((h) => `  ${h.name}: handlers.${h.name},`),
    `} satisfies ${prefix}Handlers);`,
  ];
  return fileText(lines);
}
