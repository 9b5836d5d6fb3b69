/**
 * The normalised model of a spec folder: every group, topic and type across all
 * files, each element remembering where it was declared. Produced by model
 * building (after parse + schema validation), consumed by checks and emitters.
 */
import type { SourceLocation } from "../diagnostics/catalogue.js";

/** A codec as written in a spec, resolved (paths made relative to the spec root, with `/`). */
export type CodecModel =
  | { readonly kind: "string" | "int64" | "float64" | "boolean" | "bytes" | "json" }
  /** `{ json: TypeName }` — a named type from some `types:` section. */
  | { readonly kind: "json-type"; readonly type: string }
  /** `{ json: { schema: ./path.json } }` — a type generated from a schema file. */
  | { readonly kind: "json-schema"; readonly path: string; readonly typeName: string }
  /** `{ custom: { module: ./codecs/x.ts, export: xCodec } }`. `module` is relative to the spec root. */
  | { readonly kind: "custom"; readonly module: string; readonly export: string };

/** A value with the place it was written. */
export interface Located<T> {
  readonly value: T;
  readonly at: SourceLocation;
}

export { isTopicCompression, TOPIC_COMPRESSIONS, type TopicCompression } from "../shared/compression.js";
import type { TopicCompression } from "../shared/compression.js";
/** How producers place keys on a topic's partitions (`partitioner:`). */
export type PartitionerName = "kafka" | "goka";

export interface TopicDecl {
  readonly name: string;
  readonly partitions: number;
  readonly codec: CodecModel;
  /** Absent: `none`. */
  readonly compression?: TopicCompression;
  /** As written; absent means the default (`kafka`). */
  readonly partitioner?: Located<PartitionerName>;
  readonly description?: string;
  readonly at: SourceLocation;
  readonly partitionsAt: SourceLocation;
  readonly codecAt: SourceLocation;
}

export interface TypeDecl {
  readonly name: string;
  /** The JSON Schema as written (draft 2020-12); `$ref: "#/types/X"` refers to another type. */
  readonly schema: unknown;
  readonly description?: string;
  readonly at: SourceLocation;
}

export interface InputModel {
  /** One topic (`topic:`) or several (`topics:`). */
  readonly topics: readonly Located<string>[];
  /** Undefined when omitted in the spec; then the catalogue's codec applies (see `resolvedCodec`). */
  readonly codec: CodecModel | undefined;
  readonly codecAt: SourceLocation | undefined;
  /** Explicit or defaulted (camelCase of the first topic). */
  readonly handler: string;
  readonly handlerAt: SourceLocation;
  readonly at: SourceLocation;
}

/** A group's `errors:` (durations in milliseconds; absent fields take the runtime's defaults). */
export interface ErrorsModel {
  readonly decode?: "fail" | "skip" | "dead-letter";
  readonly handler?: "fail" | "skip" | "dead-letter";
  readonly retries?: number;
  readonly backoffMs?: number;
  readonly timeoutMs?: number;
  /** The dead-letter topic as written (the runtime defaults it to `<group>-dlq`). */
  readonly deadLetter?: string;
  readonly at: SourceLocation;
}

export interface PersistModel {
  readonly codec: CodecModel;
  readonly at: SourceLocation;
  readonly codecAt: SourceLocation;
}

export interface LoopModel {
  readonly codec: CodecModel;
  readonly handler: string;
  readonly handlerAt: SourceLocation;
  readonly at: SourceLocation;
  readonly codecAt: SourceLocation;
}

export interface TableRefModel {
  /** The table topic, e.g. `users-table` (for `group: users` it is `users-table`). */
  readonly table: string;
  /** Set when written as `group: X`. */
  readonly group: string | undefined;
  /** Undefined when omitted: taken from the catalogue or, for `group: X`, from X's persist. */
  readonly codec: CodecModel | undefined;
  readonly codecAt: SourceLocation | undefined;
  readonly at: SourceLocation;
}

export interface OutputModel {
  readonly topic: string;
  readonly codec: CodecModel | undefined;
  readonly codecAt: SourceLocation | undefined;
  readonly at: SourceLocation;
}

export interface VisitorModel {
  readonly name: string;
  readonly handler: string;
  readonly handlerAt: SourceLocation;
  readonly at: SourceLocation;
}

export interface GroupModel {
  readonly name: string;
  readonly description?: string;
  /** Spec file path relative to the spec root, with `/`. */
  readonly file: string;
  readonly at: SourceLocation;
  readonly inputs: readonly InputModel[];
  readonly persist: PersistModel | undefined;
  readonly loop: LoopModel | undefined;
  readonly joins: readonly TableRefModel[];
  readonly lookups: readonly TableRefModel[];
  readonly outputs: readonly OutputModel[];
  readonly visitors: readonly VisitorModel[];
  readonly partitions: Located<number> | undefined;
  /** The spec's `errors:`, when given. */
  readonly errors?: ErrorsModel;
  /** `partitioner:` as written, for the group's own table and loop; absent means `kafka`. */
  readonly partitioner?: Located<PartitionerName>;
  /** `guarantee:` as written; absent means `at-least-once`. */
  readonly guarantee?: Located<Guarantee>;
  /** `standby:` as written; absent means 0. */
  readonly standby?: Located<number>;
}

/** A group's processing guarantee (`guarantee:`). */
export type Guarantee = "at-least-once" | "exactly-once";

/** The whole spec folder. Maps are keyed by name and iterate in declaration order (files sorted by path). */
export interface SpecModel {
  /** The spec folder as displayed (relative to the working directory, e.g. `specs`). */
  readonly root: string;
  readonly topics: ReadonlyMap<string, TopicDecl>;
  readonly types: ReadonlyMap<string, TypeDecl>;
  readonly groups: readonly GroupModel[];
}

/** `<group>-table`, Goka's table topic name. */
export function tableTopic(group: string): string {
  return `${group}-table`;
}

/** `<group>-loop`, Goka's loopback topic name. */
export function loopTopic(group: string): string {
  return `${group}-loop`;
}

/** The group whose `<group>-table` `topic` would be (`clicks-table` → `clicks`), or undefined for other names. */
export function tableTopicGroup(topic: string): string | undefined {
  const suffix = tableTopic("");
  return topic.endsWith(suffix) ? topic.slice(0, -suffix.length) : undefined;
}
