/** JSON pointers (RFC 6901) as used in diagnostics: `/inputs/0/topic`. */

/** Escapes one segment (`~` → `~0`, `/` → `~1`). */
export function escapeSegment(segment: string): string {
  return segment.replace(/~/g, "~0").replace(/\//g, "~1");
}

/** Splits a pointer into unescaped segments; `""` is the whole document. */
export function splitPointer(pointer: string): string[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** Joins segments into a pointer. */
export function joinPointer(...segments: readonly (string | number)[]): string {
  return segments.map((s) => `/${escapeSegment(String(s))}`).join("");
}

/** Appends segments to a pointer. */
export function childPointer(pointer: string, ...segments: readonly (string | number)[]): string {
  return pointer + joinPointer(...segments);
}
