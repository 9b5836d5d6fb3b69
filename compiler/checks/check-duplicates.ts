/** GK206/GK207/GK208: groups, catalogue topics and types are declared once across the whole folder. */
import { diagnostic, type Diagnostic, type DiagnosticCode } from "../diagnostics/catalogue.js";
import type { Located } from "../model/model.js";
import { where, type Check } from "./check-context.js";

function duplicates(items: readonly Located<string>[], code: DiagnosticCode, what: string): Diagnostic[] {
  const first = new Map<string, Located<string>>();
  const out: Diagnostic[] = [];
  for (const item of items) {
    const seen = first.get(item.value);
    if (seen === undefined) first.set(item.value, item);
    else {
      out.push(
        diagnostic(
          code,
          item.at,
          `${what} \`${item.value}\` is declared twice`,
          `it is already declared at ${where(seen.at)}; names are global across the spec folder, so keep one declaration`,
        ),
      );
    }
  }
  return out;
}

/** Declarations of the same name, even when identical. */
export const checkDuplicates: Check = (ctx) => [
  ...duplicates(ctx.declarations.groups, "GK206", "group"),
  ...duplicates(ctx.declarations.topics, "GK207", "topic"),
  ...duplicates(ctx.declarations.types, "GK208", "type"),
];
