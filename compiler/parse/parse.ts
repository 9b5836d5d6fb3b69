/**
 * Parse: YAML text → plain documents that remember where every node was
 * written, so any JSON pointer maps back to `file:line:col`.
 */
import { LineCounter, isAlias, isMap, isPair, isScalar, isSeq, parseAllDocuments } from "yaml";
import type { Document, Node, Pair, YAMLMap } from "yaml";
import { diagnostic, type Diagnostic, type SourceLocation } from "../diagnostics/catalogue.js";
import { splitPointer } from "../diagnostics/pointer.js";

/** One YAML document of a spec file, as plain data plus a way back to positions. */
export interface SpecDocument {
  /** The spec file's display path. */
  readonly file: string;
  /** 0-based index of the document in its file. */
  readonly index: number;
  /** The document as plain JSON-like data. */
  readonly value: unknown;
  /**
   * The location of the node at `pointer`: its value, or with `part: "key"`
   * the key naming it (for unknown keys). Falls back to the deepest existing
   * ancestor when the pointer does not exist (e.g. a missing key).
   */
  locate(pointer: string, part?: "key" | "value"): SourceLocation;
}

/** The documents of one file that could be read, and GK001 for the rest. */
export interface ParsedFile {
  readonly documents: readonly SpecDocument[];
  readonly diagnostics: readonly Diagnostic[];
}

/** Aliases may not expand beyond this many nodes (guards against "billion laughs"). */
const MAX_ALIAS_COUNT = 1000;

/** Parses every document of a spec file; documents with YAML errors are reported (GK001) and left out. */
export function parseSpecFile(file: string, text: string): ParsedFile {
  const lineCounter = new LineCounter();
  const at = (offset: number, pointer: string): SourceLocation => {
    const pos = lineCounter.linePos(offset);
    return { file, line: pos.line, column: pos.col, pointer };
  };
  const documents: SpecDocument[] = [];
  const diagnostics: Diagnostic[] = [];
  let docs: ReturnType<typeof parseAllDocuments>;
  try {
    // yaml's own `uniqueKeys` check scans every earlier key of a mapping for each key (quadratic in its size);
    // duplicates are found below in one pass instead.
    docs = parseAllDocuments(text, { lineCounter, uniqueKeys: false, prettyErrors: false, logLevel: "error", merge: true });
  } catch (error) {
    // the parser recurses per nesting level; absurd nesting exhausts the stack
    diagnostics.push(diagnostic("GK001", at(0, ""), `file cannot be parsed: ${(error as Error).message}`));
    return { documents, diagnostics };
  }
  if (!Array.isArray(docs)) return { documents, diagnostics };
  docs.forEach((doc, index) => {
    // the first error of a document is the real one; later ones are usually the parser losing its footing
    const error = doc.errors[0];
    if (error !== undefined) {
      diagnostics.push(
        diagnostic(
          "GK001",
          at(error.pos[0], ""),
          error.message.split("\n")[0] ?? error.message,
          error.code === "DUPLICATE_KEY" ? DUPLICATE_KEY_HINT : undefined,
        ),
      );
      return;
    }
    const duplicate = firstDuplicateKey(doc.contents);
    if (duplicate !== undefined) {
      diagnostics.push(
        diagnostic("GK001", at(duplicate.offset, ""), `Map keys must be unique: "${duplicate.key}" appears twice`, DUPLICATE_KEY_HINT),
      );
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (error) {
      const start = rangeStart(doc.contents) ?? 0;
      diagnostics.push(diagnostic("GK001", at(start, ""), `document cannot be read: ${(error as Error).message}`));
      return;
    }
    if (value === null || value === undefined) return; // an empty document (only comments) declares nothing
    // Each place found once per document: the model and checks locate the same pointers again on every build of a
    // watch session (the document itself is reused while its file is unchanged), and locations are immutable.
    const located = new Map<string, SourceLocation>();
    documents.push({
      file,
      index,
      value,
      locate: (pointer, part = "value") => {
        const key = `${part}\0${pointer}`;
        let location = located.get(key);
        if (location === undefined) {
          location = at(offsetOf(doc, pointer, part), pointer);
          located.set(key, location);
        }
        return location;
      },
    });
  });
  return { documents, diagnostics };
}

const DUPLICATE_KEY_HINT = "each key may appear once in a mapping; remove or merge the duplicate";

/** The first key that repeats within one mapping (in document order), found in one pass over the tree. */
function firstDuplicateKey(root: unknown): { key: string; offset: number } | undefined {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        const key = keyText(pair.key);
        if (key !== undefined) {
          if (seen.has(key)) return { key, offset: rangeStart(pair.key) ?? 0 };
          seen.add(key);
        }
        stack.push(pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push(item);
    }
  }
  return undefined;
}

/** Key → pair of each mapping, built on first lookup, so locating n nodes of one mapping stays linear. */
const pairIndex = new WeakMap<YAMLMap, Map<string, Pair>>();

function pairOf(map: YAMLMap, key: string): Pair | undefined {
  let index = pairIndex.get(map);
  if (index === undefined) {
    index = new Map();
    for (const pair of map.items) {
      const text = isPair(pair) ? keyText(pair.key) : undefined;
      // the first occurrence wins, as when searching in order
      if (text !== undefined && !index.has(text)) index.set(text, pair);
    }
    pairIndex.set(map, index);
  }
  return index.get(key);
}

/** The start offset of the node at `pointer` (or its key), or of its deepest existing ancestor. */
function offsetOf(doc: Document, pointer: string, part: "key" | "value"): number {
  let node: unknown = doc.contents;
  let offset = rangeStart(node) ?? 0;
  const segments = splitPointer(pointer);
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i] as string;
    const last = i === segments.length - 1;
    if (isAlias(node)) node = node.resolve(doc);
    if (isMap(node)) {
      const pair = pairOf(node, segment);
      if (pair === undefined) return offset;
      const keyStart = rangeStart(pair.key);
      if (last && part === "key" && keyStart !== undefined) return keyStart;
      node = pair.value;
      // `key:` with no value has no value node; point at the key
      offset = rangeStart(node) ?? keyStart ?? offset;
    } else if (isSeq(node)) {
      const item = node.items[Number(segment)];
      if (item === undefined || !/^\d+$/.test(segment)) return offset;
      node = item;
      offset = rangeStart(node) ?? offset;
    } else {
      return offset;
    }
  }
  return offset;
}

function keyText(key: unknown): string | undefined {
  if (isScalar(key)) return String(key.value);
  return undefined;
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? range[0] : undefined;
}
