/**
 * `topics.ts`: one `TopicSpec` constant per topic the specs know, built with
 * `defineTopic(name, codec)` (plus `{ partitioner }` when not the default
 * `kafka`), and `topicsByName` mapping topic names to them.
 */
import { codecExpression, jsonTypeName, type NeededImport } from "./codec-text.js";
import type { CatalogueTopic } from "../model/topic-catalogue.js";
import { docComment, fileText, importLine, ownedHeader, stringLiteral } from "./ts-text.js";

/** Module paths as seen from `topics.ts`. */
export interface TopicsPlace {
  readonly specRoot: string;
  readonly file: string;
}

/** The text of `topics.ts`. */
export function emitTopics(place: TopicsPlace, topics: readonly CatalogueTopic[]): string {
  let usesCodecs = false;
  let usesSchemas = false;
  const typeNames = new Set<string>();
  const valueImports: NeededImport[] = [];
  const body: string[] = [];
  for (const t of topics) {
    const codec = codecExpression(t.codec, place);
    usesCodecs ||= codec.usesCodecs;
    usesSchemas ||= codec.usesSchemas;
    valueImports.push(...codec.imports);
    const named = jsonTypeName(t.codec);
    if (named !== undefined) typeNames.add(named);
    const extra = [
      ...(t.compression === undefined ? [] : [`compression: ${stringLiteral(t.compression)}`]),
      ...(t.partitioner === "kafka" ? [] : [`partitioner: ${stringLiteral(t.partitioner)}`]),
    ];
    const options = extra.length === 0 ? "" : `, { ${extra.join(", ")} }`;
    body.push(
      ...docComment(t.description),
      `export const ${t.constName} = defineTopic(${stringLiteral(t.name)}, ${codec.expression}${options});`,
    );
  }

  const byModule = new Map<string, string[]>();
  for (const i of valueImports) byModule.set(i.from, [...(byModule.get(i.from) ?? []), i.name]);
  const lines = [
    ownedHeader(place.specRoot),
    ...importLine(usesCodecs ? ["codecs", "defineTopic"] : ["defineTopic"], "gokac/runtime", false),
    ...importLine(usesSchemas ? ["schemas"] : [], "./types.js", false),
    ...importLine(typeNames, "./types.js", true),
    ...[...byModule.keys()].sort().flatMap((from) => importLine(byModule.get(from) ?? [], from, false)),
    "",
    ...body,
    "",
    "/** Every topic above by its Kafka name. */",
    "export const topicsByName = {",
    ...topics.map((t) => `  ${stringLiteral(t.name)}: ${t.constName},`),
    "} as const;",
  ];
  return fileText(lines);
}
