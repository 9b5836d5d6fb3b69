/** Defensive readers for documents that may have failed schema validation. */
import type { SourceLocation } from "../diagnostics/catalogue.js";
import type { Located, PartitionerName } from "./model.js";

/** A YAML mapping as plain data. */
export type Rec = Record<string, unknown>;

/** True for a mapping (not null, not a list). */
export function isRecord(value: unknown): value is Rec {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The mappings of a list with their indexes; anything else is skipped. */
export function records(value: unknown): [Rec, number][] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((v, i): [Rec, number][] => (isRecord(v) ? [[v, i]] : []));
}

/** The value when it is a string. */
export function optionalString(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** A `partitioner:` value (`kafka` or `goka`) with where it was written; anything else is undefined (validation reported it). */
export function readPartitioner(
  value: unknown,
  locate: (pointer: string) => SourceLocation,
  pointer: string,
): Located<PartitionerName> | undefined {
  return value === "kafka" || value === "goka" ? { value, at: locate(pointer) } : undefined;
}
