/** `index.ts`: re-exports every group definition and lists them in `groups`. */
import { groupConstPrefix } from "../shared/names.js";
import { fileText, ownedHeader, stringLiteral } from "./ts-text.js";

/** The text of `index.ts` for `groups` (names, in spec order). */
export function emitIndex(specRoot: string, groups: readonly string[]): string {
  const lines = [ownedHeader(specRoot)];
  for (const g of groups) lines.push(`import { ${groupConstPrefix(g)}Group } from ${stringLiteral(`./${g}/graph.js`)};`);
  if (groups.length > 0) lines.push("", `export { ${groups.map((g) => `${groupConstPrefix(g)}Group`).join(", ")} };`);
  lines.push("");
  lines.push("/** Every group of the specs, in spec order. */");
  lines.push(`export const groups = [${groups.map((g) => `${groupConstPrefix(g)}Group`).join(", ")}] as const;`);
  return fileText(lines);
}
