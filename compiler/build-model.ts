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
import type { SourceLocation } from "./diagnostics.js";
import { relativePath } from "./build-model-paths.js";
import { readCodec, type CodecContext, type FileRef } from "./build-model-codec.js";
import type {
  GroupModel, InputModel, Located, LoopModel, OutputModel, PersistModel, SpecModel, TableRefModel, TopicDecl, TypeDecl,
  VisitorModel,
} from "./model.js";
import { tableTopic } from "./model.js";
import { camelCase } from "./names.js";
import type { SpecDocument } from "./parse.js";
import { childPointer } from "./pointer.js";

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
  /** The document that declared each type (first declaration). */
  readonly typeDocuments: ReadonlyMap<string, SpecDocument>;
}

/** Where the spec folder and project root are (display-relative). */
export interface BuildOptions {
  readonly root: string;
  readonly projectRoot: string;
}

type Rec = Record<string, unknown>;

function isRecord(value: unknown): value is Rec {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function records(value: unknown): [Rec, number][] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((v, i): [Rec, number][] => (isRecord(v) ? [[v, i]] : []));
}

function optionalString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** Builds the model from all documents (files sorted by path, documents in order). */
export function buildModel(documents: readonly SpecDocument[], options: BuildOptions): BuiltModel {
  const topics = new Map<string, TopicDecl>();
  const types = new Map<string, TypeDecl>();
  const groups: GroupModel[] = [];
  const groupNames = new Set<string>();
  const declarations = { groups: [] as Located<string>[], topics: [] as Located<string>[], types: [] as Located<string>[] };
  const fileRefs: FileRef[] = [];
  const typeDocuments = new Map<string, SpecDocument>();

  for (const doc of documents) {
    if (!isRecord(doc.value)) continue;
    const value = doc.value;
    const locate = (pointer: string) => doc.locate(pointer);
    const ctx: CodecContext = { file: doc.file, root: options.root, projectRoot: options.projectRoot, refs: fileRefs };
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
        topics.set(name, {
          name, partitions, codec, at,
          partitionsAt: locate(`${pointer}/partitions`),
          codecAt: locate(`${pointer}/codec`),
          ...(description === undefined ? {} : { description }),
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
    groups.push(readGroup(doc, value, name, groupAt, options.root, codecAt));
  }

  return { model: { root: options.root, topics, types, groups }, declarations, fileRefs, typeDocuments };
}

type ReadCodec = (value: unknown, pointer: string) => ReturnType<typeof readCodec>;

function readGroup(doc: SpecDocument, value: Rec, name: string, at: SourceLocation, root: string, readCodecAt: ReadCodec): GroupModel {
  const locate = (pointer: string) => doc.locate(pointer);
  const codecOf = (item: Rec, pointer: string) => {
    if (!("codec" in item)) return { codec: undefined, codecAt: undefined };
    return { codec: readCodecAt(item["codec"], `${pointer}/codec`), codecAt: locate(`${pointer}/codec`) };
  };

  const inputs: InputModel[] = [];
  for (const [item, i] of records(value["inputs"])) {
    const pointer = `/inputs/${i}`;
    const topics: Located<string>[] = [];
    if (typeof item["topic"] === "string") topics.push({ value: item["topic"], at: locate(`${pointer}/topic`) });
    else if (Array.isArray(item["topics"])) {
      item["topics"].forEach((t, j) => {
        if (typeof t === "string") topics.push({ value: t, at: locate(`${pointer}/topics/${j}`) });
      });
    }
    const first = topics[0];
    if (first === undefined) continue;
    const handler = optionalString(item["handler"]);
    inputs.push({
      topics,
      ...codecOf(item, pointer),
      handler: handler ?? camelCase(first.value),
      handlerAt: handler === undefined ? first.at : locate(`${pointer}/handler`),
      at: locate(pointer),
    });
  }

  let persist: PersistModel | undefined;
  if (isRecord(value["persist"])) {
    const codec = readCodecAt(value["persist"]["codec"], "/persist/codec");
    if (codec !== undefined) persist = { codec, at: locate("/persist"), codecAt: locate("/persist/codec") };
  }

  let loop: LoopModel | undefined;
  if (isRecord(value["loop"])) {
    const codec = readCodecAt(value["loop"]["codec"], "/loop/codec");
    const handler = optionalString(value["loop"]["handler"]);
    if (codec !== undefined) {
      loop = {
        codec,
        handler: handler ?? "loop",
        handlerAt: locate(handler === undefined ? "/loop" : "/loop/handler"),
        at: locate("/loop"),
        codecAt: locate("/loop/codec"),
      };
    }
  }

  const tableRefs = (key: "joins" | "lookups"): TableRefModel[] =>
    records(value[key]).flatMap(([item, i]): TableRefModel[] => {
      const pointer = `/${key}/${i}`;
      const group = optionalString(item["group"]);
      const table = optionalString(item["table"]) ?? (group === undefined ? undefined : tableTopic(group));
      if (table === undefined) return [];
      return [{ table, group: typeof item["table"] === "string" ? undefined : group, ...codecOf(item, pointer), at: locate(pointer) }];
    });

  const outputs: OutputModel[] = records(value["outputs"]).flatMap(([item, i]): OutputModel[] => {
    const pointer = `/outputs/${i}`;
    const topic = optionalString(item["topic"]);
    return topic === undefined ? [] : [{ topic, ...codecOf(item, pointer), at: locate(pointer) }];
  });

  const visitors: VisitorModel[] = records(value["visitors"]).flatMap(([item, i]): VisitorModel[] => {
    const pointer = `/visitors/${i}`;
    const visitorName = optionalString(item["name"]);
    if (visitorName === undefined) return [];
    const handler = optionalString(item["handler"]);
    return [{
      name: visitorName,
      handler: handler ?? camelCase(visitorName),
      handlerAt: locate(handler === undefined ? `${pointer}/name` : `${pointer}/handler`),
      at: locate(pointer),
    }];
  });

  const partitions = value["partitions"];
  const description = optionalString(value["description"]);
  return {
    name,
    ...(description === undefined ? {} : { description }),
    file: relativePath(root, doc.file),
    at,
    inputs,
    persist,
    loop,
    joins: tableRefs("joins"),
    lookups: tableRefs("lookups"),
    outputs,
    visitors,
    partitions: typeof partitions === "number" && Number.isInteger(partitions) && partitions >= 1
      ? { value: partitions, at: locate("/partitions") }
      : undefined,
  };
}
