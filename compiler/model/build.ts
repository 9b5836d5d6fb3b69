/**
 * Model building: validated documents → the normalised `SpecModel`, with
 * defaults applied. Reads defensively (documents may have failed validation):
 * anything structurally unusable is skipped, schema validation has reported it.
 *
 * Defaults:
 * - an input's handler is the camelCase of its (first) topic, also for the
 *   `topics:` form (`[ad-clicks, promo-clicks]` → `adClicks`);
 * - the loop's handler is `loop`;
 * - a visitor's handler is the camelCase of its `name`;
 * - `group: X` in a join or lookup means the table `X-table`.
 * Omitted codecs stay `undefined` in the model; `resolve-codec.ts` derives them.
 */
import { readCodec, type CodecContext, type FileRef } from "./build-codec.js";
import { readGroup } from "./build-group.js";
import { relativePath } from "../shared/paths.js";
import { isRecord, optionalString, readPartitioner } from "./read-yaml.js";
import { isTopicCompression, type GroupModel, type Located, type SpecModel, type TopicDecl, type TypeDecl } from "./model.js";
import type { SourceLocation } from "../diagnostics/catalogue.js";
import type { SpecDocument } from "../parse/parse.js";
import { childPointer } from "../diagnostics/pointer.js";

/** Every declaration as written, duplicates included (the model keeps the first of each name). */
export interface Declarations {
  readonly groups: readonly Located<string>[];
  readonly topics: readonly Located<string>[];
  readonly types: readonly Located<string>[];
}

/** The model plus what checks need beyond it. */
export interface BuiltModel {
  readonly model: SpecModel;
  readonly declarations: Declarations;
  /** Files referenced by codecs (schema files, custom modules), in declaration order. */
  readonly fileRefs: readonly FileRef[];
  /** Type names referenced by `{ json: TypeName }` codecs, located at the name. */
  readonly typeRefs: readonly Located<string>[];
  /** The document that declared each type (first declaration). */
  readonly typeDocuments: ReadonlyMap<string, SpecDocument>;
}

/** Where the spec folder and project root are (display-relative). */
export interface BuildOptions {
  readonly root: string;
  readonly projectRoot: string;
}

/** One catalogue entry of a document, with the files and types its codec names. */
interface TopicEntry {
  readonly name: string;
  readonly at: SourceLocation;
  /** False when the entry is not a mapping: then it contributes its name only. */
  readonly usable: boolean;
  readonly decl: TopicDecl | undefined;
  readonly refs: readonly FileRef[];
  readonly typeRefs: readonly Located<string>[];
}

/** What one document declares, read on its own; `buildModel` merges these (the first declaration of a name wins). */
export interface DocumentContribution {
  readonly topics: readonly TopicEntry[];
  readonly types: readonly { readonly name: string; readonly at: SourceLocation; readonly decl: TypeDecl }[];
  readonly group:
    | {
        readonly name: string;
        readonly at: SourceLocation;
        readonly model: GroupModel;
        readonly refs: readonly FileRef[];
        readonly typeRefs: readonly Located<string>[];
      }
    | undefined;
}

/** Per-document contributions kept between builds of one folder (watch mode), by document and build options. */
export type ContributionMemo = WeakMap<SpecDocument, { readonly options: BuildOptions; readonly contribution: DocumentContribution }>;

/** What `doc` declares. Its model objects are new for each call; a memo keeps them (and so their identity) while the document is the same. */
export function documentContribution(doc: SpecDocument, options: BuildOptions): DocumentContribution {
  const empty: DocumentContribution = { topics: [], types: [], group: undefined };
  if (!isRecord(doc.value)) return empty;
  const value = doc.value;
  const locate = (pointer: string) => doc.locate(pointer);
  const reader = (refs: FileRef[], typeRefs: Located<string>[]) => {
    const ctx: CodecContext = { file: doc.file, root: options.root, projectRoot: options.projectRoot, refs, typeRefs };
    return (v: unknown, pointer: string) => readCodec(v, ctx, locate, pointer);
  };

  const topics: TopicEntry[] = [];
  if (isRecord(value["topics"])) {
    for (const [name, entry] of Object.entries(value["topics"])) {
      const pointer = childPointer("/topics", name);
      const at = doc.locate(pointer, "key");
      if (!isRecord(entry)) {
        topics.push({ name, at, usable: false, decl: undefined, refs: [], typeRefs: [] });
        continue;
      }
      const refs: FileRef[] = [];
      const typeRefs: Located<string>[] = [];
      const partitions = entry["partitions"];
      const codec = reader(refs, typeRefs)(entry["codec"], `${pointer}/codec`);
      let decl: TopicDecl | undefined;
      if (typeof partitions === "number" && Number.isInteger(partitions) && partitions >= 1 && codec !== undefined) {
        const description = optionalString(entry["description"]);
        const compression = entry["compression"];
        const partitioner = readPartitioner(entry["partitioner"], locate, `${pointer}/partitioner`);
        decl = {
          name,
          partitions,
          codec,
          at,
          partitionsAt: locate(`${pointer}/partitions`),
          codecAt: locate(`${pointer}/codec`),
          ...(description === undefined ? {} : { description }),
          ...(isTopicCompression(compression) && compression !== "none" ? { compression } : {}),
          ...(partitioner === undefined ? {} : { partitioner }),
        };
      }
      topics.push({ name, at, usable: true, decl, refs, typeRefs });
    }
  }

  const types: { name: string; at: SourceLocation; decl: TypeDecl }[] = [];
  if (isRecord(value["types"])) {
    for (const [name, schema] of Object.entries(value["types"])) {
      const at = doc.locate(childPointer("/types", name), "key");
      const description = isRecord(schema) ? optionalString(schema["description"]) : undefined;
      types.push({ name, at, decl: { name, schema, at, ...(description === undefined ? {} : { description }) } });
    }
  }

  const name = value["group"];
  if (typeof name !== "string") return { topics, types, group: undefined };
  const groupAt = locate("/group");
  const refs: FileRef[] = [];
  const typeRefs: Located<string>[] = [];
  const model = readGroup(doc, value, name, groupAt, relativePath(options.root, doc.file), reader(refs, typeRefs));
  return { topics, types, group: { name, at: groupAt, model, refs, typeRefs } };
}

/** Builds the model from all documents (files sorted by path, documents in order); `memo` keeps documents' contributions between builds. */
export function buildModel(documents: readonly SpecDocument[], options: BuildOptions, memo?: ContributionMemo): BuiltModel {
  const topics = new Map<string, TopicDecl>();
  const types = new Map<string, TypeDecl>();
  const groups: GroupModel[] = [];
  const groupNames = new Set<string>();
  const declarations = { groups: [] as Located<string>[], topics: [] as Located<string>[], types: [] as Located<string>[] };
  const fileRefs: FileRef[] = [];
  const typeRefs: Located<string>[] = [];
  const typeDocuments = new Map<string, SpecDocument>();

  for (const doc of documents) {
    let contribution: DocumentContribution;
    const kept = memo?.get(doc);
    if (kept !== undefined && kept.options.root === options.root && kept.options.projectRoot === options.projectRoot) {
      contribution = kept.contribution;
    } else {
      contribution = documentContribution(doc, options);
      memo?.set(doc, { options, contribution });
    }
    for (const t of contribution.topics) {
      declarations.topics.push({ value: t.name, at: t.at });
      if (topics.has(t.name) || !t.usable) continue;
      fileRefs.push(...t.refs);
      typeRefs.push(...t.typeRefs);
      if (t.decl !== undefined) topics.set(t.name, t.decl);
    }
    for (const t of contribution.types) {
      declarations.types.push({ value: t.name, at: t.at });
      if (types.has(t.name)) continue;
      typeDocuments.set(t.name, doc);
      types.set(t.name, t.decl);
    }
    const g = contribution.group;
    if (g === undefined) continue;
    declarations.groups.push({ value: g.name, at: g.at });
    if (groupNames.has(g.name)) continue;
    groupNames.add(g.name);
    fileRefs.push(...g.refs);
    typeRefs.push(...g.typeRefs);
    groups.push(g.model);
  }

  return { model: { root: options.root, topics, types, groups }, declarations, fileRefs, typeRefs, typeDocuments };
}
