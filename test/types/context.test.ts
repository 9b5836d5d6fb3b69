/**
 * The handler context contract at the type level: against the golden groups'
 * generated graphs, correct use compiles and each misuse the spec language
 * names fails to compile. Snippets are virtual files next to the golden
 * output, checked in one TypeScript program; each failing snippet must
 * produce at least one error in itself, each passing one none.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";
import { beforeAll, describe, expect, it } from "vitest";
import { repoRoot, strictOptions } from "../golden/golden-helpers.js";

const full = join(repoRoot, "test/golden/full/expected");
const stateless = join(repoRoot, "test/golden/stateless/expected");
const multiple = join(repoRoot, "test/golden/multiple-inputs/expected");

const clicks = `import type { ClicksContext } from "./clicks/graph.js";\n`;
const forwarder = `import type { ForwarderContext } from "./forwarder/graph.js";\n`;
const counter = `import type { ClickCounterContext } from "./click-counter/graph.js";\n`;

interface Snippet {
  readonly name: string;
  readonly dir: string;
  readonly code: string;
  readonly compiles: boolean;
}

const snippets: Snippet[] = [
  {
    name: "every capability of a full group, used correctly",
    dir: full,
    compiles: true,
    code: `${clicks}export async function use(ctx: ClicksContext): Promise<void> {
  const count = await ctx.value();
  ctx.setValue({ total: (count?.total ?? 0) + 1, byKind: {} });
  ctx.delete();
  ctx.emit("alerts", ctx.key, { level: "warn", text: "many clicks" });
  ctx.emit("audit", "k", { user: ctx.key, action: "click" }, { headers: { origin: "test" } });
  ctx.loopback("any-key", "again");
  const user = await ctx.join("users-table");
  const where: string | undefined = await ctx.lookup("geo-table", user?.name ?? "");
  const done = ctx.deferCommit();
  done();
  const coordinates: [string, string, number, number, Date] = [ctx.key, ctx.topic, ctx.partition, ctx.offset, ctx.timestamp];
  if (where === undefined && coordinates[0] === "") ctx.fail(new Error("unreachable"));
}`,
  },
  {
    name: "a stateless group emitting correctly",
    dir: stateless,
    compiles: true,
    code: `${forwarder}export function use(ctx: ForwarderContext, msg: string): void {
  ctx.emit("clean-lines", ctx.key, msg.trim());
  ctx.emit("line-lengths", ctx.key, msg.length);
}`,
  },
  {
    name: "emit to an undeclared topic",
    dir: full,
    compiles: false,
    code: `${clicks}export function use(ctx: ClicksContext): void { ctx.emit("user-clicks", "k", { page: "p", at: 1, kind: "ad" }); }`,
  },
  {
    name: "emit a wrong value type",
    dir: full,
    compiles: false,
    code: `${clicks}export function use(ctx: ClicksContext): void { ctx.emit("alerts", "k", { level: "warn" }); }`,
  },
  {
    name: "emit a number to a string topic",
    dir: stateless,
    compiles: false,
    code: `${forwarder}export function use(ctx: ForwarderContext): void { ctx.emit("clean-lines", "k", 42); }`,
  },
  {
    name: "setValue with a wrong type",
    dir: full,
    compiles: false,
    code: `${clicks}export function use(ctx: ClicksContext): void { ctx.setValue({ total: "1", byKind: {} }); }`,
  },
  {
    name: "value() in a stateless group",
    dir: stateless,
    compiles: false,
    code: `${forwarder}export async function use(ctx: ForwarderContext): Promise<void> { await ctx.value(); }`,
  },
  {
    name: "setValue() in a stateless group",
    dir: stateless,
    compiles: false,
    code: `${forwarder}export function use(ctx: ForwarderContext): void { ctx.setValue("x"); }`,
  },
  {
    name: "emit in a group without outputs",
    dir: multiple,
    compiles: false,
    code: `${counter}export function use(ctx: ClickCounterContext): void { ctx.emit("ad-clicks", "k", "v"); }`,
  },
  {
    name: "join of a table the group does not join",
    dir: full,
    compiles: false,
    code: `${clicks}export async function use(ctx: ClicksContext): Promise<void> { await ctx.join("geo-table"); }`,
  },
  {
    name: "join in a group without joins",
    dir: stateless,
    compiles: false,
    code: `${forwarder}export async function use(ctx: ForwarderContext): Promise<void> { await ctx.join("clean-lines"); }`,
  },
  {
    name: "loopback without a loop",
    dir: stateless,
    compiles: false,
    code: `${forwarder}export function use(ctx: ForwarderContext): void { ctx.loopback("k", "v"); }`,
  },
  {
    name: "loopback with a wrong value type",
    dir: full,
    compiles: false,
    code: `${clicks}export function use(ctx: ClicksContext): void { ctx.loopback("k", 1); }`,
  },
  {
    name: "a non-string lookup key",
    dir: full,
    compiles: false,
    code: `${clicks}export async function use(ctx: ClicksContext): Promise<void> { await ctx.lookup("geo-table", 42); }`,
  },
  {
    name: "lookup of a table the group does not look up",
    dir: full,
    compiles: false,
    code: `${clicks}export async function use(ctx: ClicksContext): Promise<void> { await ctx.lookup("users-table", "k"); }`,
  },
  {
    name: "the joined value used without checking undefined",
    dir: full,
    compiles: false,
    code: `${clicks}export async function use(ctx: ClicksContext): Promise<string> { return (await ctx.join("users-table")).name; }`,
  },
];

let errors: Map<string, string[]>;

function snippetPath(s: Snippet, i: number): string {
  return join(s.dir, `__snippet_${i}.ts`);
}

/** One program over every snippet; the host serves snippets as virtual files. */
function checkAll(): Map<string, string[]> {
  const virtual = new Map(snippets.map((s, i) => [snippetPath(s, i), s.code] as const));
  const options = strictOptions();
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (f) => virtual.has(f) || fileExists.call(host, f);
  host.readFile = (f) => virtual.get(f) ?? readFile.call(host, f);
  host.getSourceFile = (f, lang, ...rest) => {
    const text = virtual.get(f);
    return text === undefined ? getSourceFile.call(host, f, lang, ...rest) : ts.createSourceFile(f, text, lang);
  };
  const program = ts.createProgram({ rootNames: [...virtual.keys()], options, host });
  const out = new Map<string, string[]>();
  for (const d of goldenDiagnostics(program)) {
    const file = d.file?.fileName ?? "";
    out.set(file, [...(out.get(file) ?? []), ts.flattenDiagnosticMessageText(d.messageText, "\n")]);
  }
  return out;
}

/**
 * Diagnostics of the program's files under test/golden (snippets and golden
 * output) plus its global ones. The runtime sources they import are checked
 * only as far as these files use them — checking all of them is `tsc`'s job
 * and would make every program here cost seconds more.
 */
function goldenDiagnostics(program: ts.Program): ts.Diagnostic[] {
  const golden = join(repoRoot, "test/golden/");
  const files = program.getSourceFiles().filter((f) => f.fileName.startsWith(golden));
  return [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...files.flatMap((f) => [...program.getSyntacticDiagnostics(f), ...program.getSemanticDiagnostics(f)]),
  ];
}

describe("handler context types", () => {
  beforeAll(() => {
    errors = checkAll();
  });

  it("the golden graphs themselves have no errors", () => {
    const own = [...errors.keys()].filter((f) => !f.includes("__snippet_"));
    expect(own).toEqual([]);
  });

  snippets.forEach((s, i) => {
    it(`${s.compiles ? "compiles" : "does not compile"}: ${s.name}`, () => {
      const found = errors.get(snippetPath(s, i)) ?? [];
      if (s.compiles) expect(found).toEqual([]);
      else expect(found.length).toBeGreaterThan(0);
    });
  });
});

describe("handler files are checked against the spec", () => {
  let previous: ts.Program | undefined;
  /** Parsed files other than the handler file, shared by every program below. */
  const parsed = new Map<string, ts.SourceFile | undefined>();
  /** Type-checks the stateless golden group with its handler file replaced by `handlers` (reusing the last program's files). */
  function withHandlers(handlers: string): string[] {
    const path = join(stateless, "forwarder/handlers.ts");
    const options = strictOptions();
    const host = ts.createCompilerHost(options);
    const { getSourceFile } = host;
    host.readFile = (f) => (f === path ? handlers : readFileSync(f, "utf8"));
    host.getSourceFile = (f, lang, ...rest) => {
      if (f === path) return ts.createSourceFile(f, handlers, lang);
      if (!parsed.has(f)) parsed.set(f, getSourceFile.call(host, f, lang, ...rest));
      return parsed.get(f);
    };
    const program = ts.createProgram({
      rootNames: [join(stateless, "forwarder/graph.ts")],
      options,
      host,
      ...(previous === undefined ? {} : { oldProgram: previous }),
    });
    previous = program;
    return goldenDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
  }
  const header = `import type { ForwarderContext } from "./graph.js";\n`;

  it("a matching handler compiles", () => {
    expect(
      withHandlers(
        `${header}export function rawLines(ctx: ForwarderContext, msg: string): void { ctx.emit("clean-lines", ctx.key, msg); }`,
      ),
    ).toEqual([]);
  });
  it("a handler file exporting helpers that are not handlers compiles", () => {
    expect(
      withHandlers(
        `${header}export const limit = 5;\nexport class Helper {}\nexport function rawLines(ctx: ForwarderContext, msg: string): void { ctx.emit("line-lengths", ctx.key, Math.min(limit, msg.length)); }`,
      ),
    ).toEqual([]);
  });
  it("a handler with the wrong message type does not compile", () => {
    expect(
      withHandlers(`${header}export function rawLines(ctx: ForwarderContext, msg: number): void { void ctx; void msg; }`).length,
    ).toBeGreaterThan(0);
  });
  it("a missing handler does not compile", () => {
    expect(
      withHandlers(`${header}export function other(ctx: ForwarderContext, msg: string): void { void ctx; void msg; }`).length,
    ).toBeGreaterThan(0);
  });
});
