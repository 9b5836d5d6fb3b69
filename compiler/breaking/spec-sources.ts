/**
 * What the breaking-change rules read beyond the `SpecModel`: the parsed
 * documents (to locate nodes inside types and to read `partitioner:` keys as
 * written) and the JSON Schema behind each JSON codec. Pure: files come from
 * the `AnalyzeInput`.
 */
import type { AnalyzeInput } from "../analyze.js";
import { joinPath } from "../shared/paths.js";
import type { SourceLocation } from "../diagnostics/catalogue.js";
import type { CodecModel, SpecModel } from "../model/model.js";
import { parseSpecFile, type SpecDocument } from "../parse/parse.js";
import { childPointer } from "../diagnostics/pointer.js";
import type { SchemaCursor } from "./compare-json-schemas.js";

/** One side of a comparison: the specs as analysed, and the input they were analysed from. */
export interface AnalysedSpecs {
  /** The spec files and the reader of referenced files (schema files) they were analysed from. */
  readonly input: AnalyzeInput;
  /** `analyze(input).model`. */
  readonly model: SpecModel;
}

/** A value as written (or defaulted) and where to point at it. */
export interface Written<T> {
  readonly value: T;
  readonly at: SourceLocation;
}

/** The indexed documents of one side. */
export interface SpecSources {
  readonly specs: AnalysedSpecs;
  /** The schema behind a JSON codec (`json` is the schema `true`), or undefined for other codecs and unreadable files. */
  schemaOf(codec: CodecModel, codecAt: SourceLocation): SchemaCursor | undefined;
  /** Each catalogue topic's `partitioner:` (default `kafka`), first declaration. */
  readonly topicPartitioners: ReadonlyMap<string, Written<string>>;
  /** Each group's `partitioner:` (default `kafka`), first declaration. */
  readonly groupPartitioners: ReadonlyMap<string, Written<string>>;
}

/** The partitioner a topic or group has when `partitioner:` is omitted (contract-v2, "New spec keys"). */
export const DEFAULT_PARTITIONER = "kafka";

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Parses the files of `specs` once and indexes what the rules need. */
export function indexSpecSources(specs: AnalysedSpecs): SpecSources {
  const documents: SpecDocument[] = specs.input.files.flatMap((f) => parseSpecFile(f.path, f.text).documents);
  const typeDocuments = new Map<string, SpecDocument>();
  const topicPartitioners = new Map<string, Written<string>>();
  const groupPartitioners = new Map<string, Written<string>>();
  // `partitioner:` is read from the documents as written, so the rules do not depend on the model carrying it
  const partitioner = (doc: SpecDocument, owner: Record<string, unknown>, pointer: string, fallback: SourceLocation): Written<string> => {
    const value = owner["partitioner"];
    return typeof value === "string"
      ? { value, at: doc.locate(childPointer(pointer, "partitioner")) }
      : { value: DEFAULT_PARTITIONER, at: fallback };
  };
  for (const doc of documents) {
    if (!isRecord(doc.value)) continue;
    const value = doc.value;
    if (isRecord(value["types"])) {
      for (const name of Object.keys(value["types"])) if (!typeDocuments.has(name)) typeDocuments.set(name, doc);
    }
    if (isRecord(value["topics"])) {
      for (const [name, entry] of Object.entries(value["topics"])) {
        const pointer = childPointer("/topics", name);
        if (!topicPartitioners.has(name) && isRecord(entry))
          topicPartitioners.set(name, partitioner(doc, entry, pointer, doc.locate(pointer, "key")));
      }
    }
    const group = value["group"];
    if (typeof group === "string" && !groupPartitioners.has(group))
      groupPartitioners.set(group, partitioner(doc, value, "", doc.locate("/group")));
  }

  const resolveType = (name: string): SchemaCursor | undefined => {
    const decl = specs.model.types.get(name);
    const doc = typeDocuments.get(name);
    if (decl === undefined || doc === undefined) return undefined;
    return { node: decl.schema, pointer: childPointer("/types", name), root: doc.value, locate: (p) => doc.locate(p), resolveType };
  };
  const schemaFiles = new Map<string, SpecDocument | undefined>();
  const schemaFile = (path: string): SpecDocument | undefined => {
    if (!schemaFiles.has(path)) {
      const text = specs.input.readFile(path);
      // JSON is YAML: the spec parser gives positions inside schema files too
      schemaFiles.set(path, text === undefined ? undefined : parseSpecFile(path, text).documents[0]);
    }
    return schemaFiles.get(path);
  };

  return {
    specs,
    topicPartitioners,
    groupPartitioners,
    schemaOf(codec, codecAt) {
      switch (codec.kind) {
        case "json":
          return { node: true, pointer: "", root: true, locate: () => codecAt, resolveType };
        case "json-type":
          return resolveType(codec.type);
        case "json-schema": {
          const doc = schemaFile(joinPath(specs.model.root, codec.path));
          return doc === undefined
            ? undefined
            : { node: doc.value, pointer: "", root: doc.value, locate: (p) => doc.locate(p), resolveType };
        }
        default:
          return undefined;
      }
    },
  };
}
