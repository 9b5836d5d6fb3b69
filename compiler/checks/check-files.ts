/**
 * Files named by codecs: GK705 absolute or escaping the project root, GK706
 * missing, GK707 a schema file that is not JSON or not a valid JSON Schema.
 * Each file is read and compiled once however often it is referenced.
 */
import { diagnostic, type Diagnostic } from "../diagnostics/catalogue.js";
import type { FileRef } from "../model/build-codec.js";
import { schemaProblem } from "./ajv-user-schemas.js";
import type { Check, CheckContext } from "./check-context.js";

/** Where a module written as `x.js` (NodeNext style) may live as TypeScript source. */
function moduleCandidates(path: string): string[] {
  const swaps: [RegExp, string][] = [
    [/\.js$/, ".ts"],
    [/\.mjs$/, ".mts"],
    [/\.cjs$/, ".cts"],
  ];
  const out = [path];
  for (const [from, to] of swaps) if (from.test(path)) out.push(path.replace(from, to));
  if (!/\.[cm]?[jt]s$/.test(path)) out.push(`${path}.ts`, `${path}.js`);
  return out;
}

type Outcome = { code: "GK706" | "GK707"; message: string } | undefined;

function inspect(ref: FileRef, ctx: CheckContext): Outcome {
  if (ref.kind === "module") {
    return moduleCandidates(ref.display).some((p) => ctx.readFile(p) !== undefined)
      ? undefined
      : { code: "GK706", message: `custom codec module \`${ref.written}\` not found (looked for ${ref.display})` };
  }
  const text = ctx.readFile(ref.display);
  if (text === undefined) return { code: "GK706", message: `schema file \`${ref.written}\` not found (looked for ${ref.display})` };
  let schema: unknown;
  try {
    schema = JSON.parse(text);
  } catch (error) {
    return { code: "GK707", message: `schema file ${ref.display} is not valid JSON: ${(error as Error).message}` };
  }
  const problem = schemaProblem(schema);
  return problem === undefined
    ? undefined
    : { code: "GK707", message: `schema file ${ref.display} is not a valid JSON Schema: ${problem.message}` };
}

/** Referenced files, checked once each. */
export const checkFiles: Check = (ctx) => {
  const outcomes = new Map<string, Outcome>();
  const out: Diagnostic[] = [];
  for (const ref of ctx.fileRefs) {
    if (ref.unsafe) {
      out.push(
        diagnostic(
          "GK705",
          ref.at,
          `path \`${ref.written}\` is absolute or leaves the project`,
          "use a path relative to this spec file that stays inside the project, e.g. `./schemas/x.json`",
        ),
      );
      continue;
    }
    const candidates = ref.kind === "module" ? moduleCandidates(ref.display) : [ref.display];
    if (candidates.some((p) => ctx.leavesProject(p))) {
      // never read (or quote) what lies outside: the file's contents are nobody's business here
      out.push(
        diagnostic(
          "GK705",
          ref.at,
          `path \`${ref.written}\` leads outside the project through a symbolic link`,
          "copy the file into the project, or link to a file that lives inside it",
        ),
      );
      continue;
    }
    const key = `${ref.kind} ${ref.display}`;
    if (!outcomes.has(key)) outcomes.set(key, inspect(ref, ctx));
    const outcome = outcomes.get(key);
    if (outcome === undefined) continue;
    const hint =
      outcome.code === "GK706"
        ? "paths are relative to the spec file that names them"
        : "the file must hold one JSON Schema (draft 2020-12)";
    out.push(diagnostic(outcome.code, ref.at, outcome.message, hint));
  }
  return out;
};
