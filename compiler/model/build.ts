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

/** Builds the model from all documents (files sorted by path, documents in order). */
export function buildModel(documents: readonly SpecDocument[], options: BuildOptions): BuiltModel {
  const topics = new Map<string, TopicDecl>();
  const types = new Map<string, TypeDecl>();
  const groups: GroupModel[] = [];
  const groupNames = new Set<string>();
  const declarations = { groups: [] as Located<string>[], topics: [] as Located<string>[], types: [] as Located<string>[] };
  const fileRefs: FileRef[] = [];
  const typeRefs: Located<string>[] = [];
  const typeDocuments = new Map<string, SpecDocument>();

  for (const doc of documents) {
    if (!isRecord(doc.value)) continue;
    const value = doc.value;
    const locate = (pointer: string) => doc.locate(pointer);
    const ctx: CodecContext = { file: doc.file, root: options.root, projectRoot: options.projectRoot, refs: fileRefs, typeRefs };
    const codecAt = (v: unknown, pointer: string) => readCodec(v, ctx, locate, pointer);

    if (isRecord(value["topics"])) {
      for (const [name, entry] of Object.entries(value["topics"])) {
        const pointer = childPointer("/topics", name);
        const at = doc.locate(pointer, "key");
        declarations.topics.push({ value: name, at });
        if (topics.has(name) || !isRecord(entry)) continue;
        const partitions = entry["partitions"];
        const codec = codecAt(entry["codec"], `${pointer}/codec`);
        if (typeof partitions !== "number" || !Number.isInteger(partitions) || partitions < 1 || codec === undefined) continue;
        const description = optionalString(entry["description"]);
        const compression = entry["compression"];
        const partitioner = readPartitioner(entry["partitioner"], locate, `${pointer}/partitioner`);
        topics.set(name, {
          name,
          partitions,
          codec,
          at,
          partitionsAt: locate(`${pointer}/partitions`),
          codecAt: locate(`${pointer}/codec`),
          ...(description === undefined ? {} : { description }),
          ...(isTopicCompression(compression) && compression !== "none" ? { compression } : {}),
          ...(partitioner === undefined ? {} : { partitioner }),
        });
      }
    }

    if (isRecord(value["types"])) {
      for (const [name, schema] of Object.entries(value["types"])) {
        const at = doc.locate(childPointer("/types", name), "key");
        declarations.types.push({ value: name, at });
        if (types.has(name)) continue;
        typeDocuments.set(name, doc);
        const description = isRecord(schema) ? optionalString(schema["description"]) : undefined;
        types.set(name, { name, schema, at, ...(description === undefined ? {} : { description }) });
      }
    }

    const name = value["group"];
    if (typeof name !== "string") continue;
    const groupAt = locate("/group");
    declarations.groups.push({ value: name, at: groupAt });
    if (groupNames.has(name)) continue;
    groupNames.add(name);
    groups.push(readGroup(doc, value, name, groupAt, relativePath(options.root, doc.file), codecAt));
  }

  return { model: { root: options.root, topics, types, groups }, declarations, fileRefs, typeRefs, typeDocuments };
}
