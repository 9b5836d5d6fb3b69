/**
 * A group's `errors:` → `ErrorsModel`. Values the schema rejects are left
 * out (schema validation reports them), so the runtime defaults apply.
 */
import type { SourceLocation } from "../diagnostics/catalogue.js";
import { isRecord } from "./read-yaml.js";
import type { ErrorsModel } from "./model.js";

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;

/** `"200ms"`, `"30s"`, `"5m"`, `"1h"` in milliseconds; `undefined` for anything else. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value !== "string") return undefined;
  const match = /^([0-9]+)(ms|s|m|h)$/.exec(value);
  if (match === null) return undefined;
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

function policy(value: unknown): "fail" | "skip" | "dead-letter" | undefined {
  return value === "fail" || value === "skip" || value === "dead-letter" ? value : undefined;
}

/** Reads `errors:` (the group document's `value`), or `undefined` when absent or not a mapping. */
export function readErrors(value: unknown, at: SourceLocation): ErrorsModel | undefined {
  if (!isRecord(value)) return undefined;
  const decode = policy(value["decode"]);
  const handler = policy(value["handler"]);
  const retries = value["retries"];
  const backoffMs = parseDuration(value["backoff"]);
  const timeoutMs = parseDuration(value["timeout"]);
  const deadLetter = value["dead-letter"];
  return {
    ...(decode === undefined ? {} : { decode }),
    ...(handler === undefined ? {} : { handler }),
    ...(typeof retries === "number" && Number.isInteger(retries) && retries >= 0 ? { retries } : {}),
    ...(backoffMs === undefined ? {} : { backoffMs }),
    ...(timeoutMs === undefined || timeoutMs === 0 ? {} : { timeoutMs }),
    ...(typeof deadLetter === "string" ? { deadLetter } : {}),
    at,
  };
}
