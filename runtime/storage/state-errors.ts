/**
 * Errors and checks of local state integrity: a table partition's store that
 * is damaged on disk, or that does not belong to the changelog it claims to
 * reflect. See docs/runtime.md, "State integrity".
 */
import { GokacError } from "../errors.js";
import { crc32 } from "node:zlib";

/** Why a store cannot be trusted. */
export type StateMismatchReason =
  /** The store's files are damaged: LevelDB cannot open or read them, or a checksum does not match. */
  | "corrupt"
  /** The store is at an offset the changelog has not reached (the topic was deleted and recreated, or another cluster). */
  | "ahead"
  /** The changelog record at the store's offset is not the one the store applied (topic recreated and refilled, another cluster). */
  | "different-log"
  /** The changelog no longer holds the records right after the store's offset (records deleted, log truncated). */
  | "truncated"
  /** Another writer appended to the changelog between this store's own writes. */
  | "foreign-writer"
  /** The store was written by an older gokac without checksums. */
  | "old-format";

/** What to do when a store cannot be trusted: rebuild it from the changelog (default) or stop. */
export type StateMismatchPolicy = "rebuild" | "fail";

/** A table partition's local state cannot be trusted; `path` is its directory when on disk. */
export class StateMismatchError extends GokacError {
  override readonly name = "StateMismatchError";
  /** Not retriable: deleting the state (or the default `rebuild` policy) fixes it; a restart alone does not. */
  declare readonly code: "STATE_MISMATCH";
  constructor(
    readonly reason: StateMismatchReason,
    readonly topic: string,
    readonly partition: number,
    readonly path: string | undefined,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`state of table ${topic} partition ${partition}${path === undefined ? "" : ` (${path})`}: ${reason}: ${detail}`, {
      code: "STATE_MISMATCH",
      cause: options?.cause,
    });
  }
}

/** Whether `value` is a policy, or absent (the default `rebuild`). */
export function isStateMismatchPolicy(value: unknown): value is StateMismatchPolicy | undefined {
  return value === undefined || value === "rebuild" || value === "fail";
}

const TOMBSTONE = new Uint8Array([0xff, 0x00, 0xff]);

/**
 * The identity of one changelog record, as stored next to the offset: the
 * CRC-32 of its key and value (a tombstone hashes as a marker no encoded
 * value takes alone with the same key).
 */
export function recordHash(key: string, value: Uint8Array | null): number {
  return crc32(value ?? TOMBSTONE, crc32(key + (value === null ? "\u0000d" : "\u0000v")));
}
