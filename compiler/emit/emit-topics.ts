/**
 * `topics.ts`: one `TopicSpec` constant per topic the specs know, built with
 * `defineTopic(name, codec)` (plus `{ partitioner }` when not the default
 * `kafka`), and `topicsByName` mapping topic names to them.
 */
import { codecExpression, jsonTypeName, type NeededImport } from "./codec-text.js";
import type { CatalogueTopic } from "../model/topic-catalogue.js";
import { docComment, importLine, ownedHeader, rememberedFileText, stringLiteral, type FileTextMemo } from "./ts-text.js";

/** Module paths as seen from `topics.ts`. */
export interface TopicsPlace {
  readonly specRoot: string;
  readonly file: string;
}

/** One topic's part of `topics.ts`: its lines and what they need imported. */
interface TopicPiece {
  readonly lines: readonly string[];
  readonly usesCodecs: boolean;
  readonly usesSchemas: boolean;
  readonly imports: readonly NeededImport[];
  readonly typeName: string | undefined;
}

/**
 * Topic pieces kept between builds (watch mode) by catalogue entry (entries
 * are kept per group and per catalogue declaration, model/topic-catalogue.ts),
 * and the last whole text.
 */
export interface TopicsMemo {
  readonly pieces: WeakMap<CatalogueTopic, { readonly place: TopicsPlace; readonly piece: TopicPiece }>;
  readonly file: FileTextMemo;
}

function topicPiece(place: TopicsPlace, t: CatalogueTopic): TopicPiece {
  const codec = codecExpression(t.codec, place);
  const extra = [
    ...(t.compression === undefined ? [] : [`compression: ${stringLiteral(t.compression)}`]),
    ...(t.partitioner === "kafka" ? [] : [`partitioner: ${stringLiteral(t.partitioner)}`]),
  ];
  const options = extra.length === 0 ? "" : `, { ${extra.join(", ")} }`;
  return {
    lines: [
      ...docComment(t.description),
      `export const ${t.constName} = defineTopic(${stringLiteral(t.name)}, ${codec.expression}${options});`,
    ],
    usesCodecs: codec.usesCodecs,
    usesSchemas: codec.usesSchemas,
    imports: codec.imports,
    typeName: jsonTypeName(t.codec),
  };
}

/** The text of `topics.ts`; `memo` keeps each topic's piece between builds. */
export function emitTopics(place: TopicsPlace, topics: readonly CatalogueTopic[], memo?: TopicsMemo): string {
  let usesCodecs = false;
  let usesSchemas = false;
  const typeNames = new Set<string>();
  const valueImports: NeededImport[] = [];
  const body: string[] = [];
  for (const t of topics) {
    const kept = memo?.pieces.get(t);
    let piece = kept !== undefined && kept.place.specRoot === place.specRoot && kept.place.file === place.file ? kept.piece : undefined;
    if (piece === undefined) {
      piece = topicPiece(place, t);
      memo?.pieces.set(t, { place, piece });
    }
    usesCodecs ||= piece.usesCodecs;
    usesSchemas ||= piece.usesSchemas;
    valueImports.push(...piece.imports);
    if (piece.typeName !== undefined) typeNames.add(piece.typeName);
    body.push(...piece.lines);
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
  return rememberedFileText(lines, memo?.file);
}
