/**
 * Durations typed on the command line (`--max-outage 5m`): a number with a
 * unit `ms`, `s`, `m` or `h` (decimals allowed, e.g. `1.5m`), or a plain
 * number of milliseconds.
 */

const UNITS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** Milliseconds of `text`, or `undefined` if it is not a duration (negative ones are not). */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/.exec(text.trim());
  if (match === null) return undefined;
  const ms = Number(match[1]) * (UNITS[match[2] ?? "ms"] ?? 1);
  return Number.isFinite(ms) ? Math.round(ms) : undefined;
}
