/**
 * `gokac breaking <specs> --against <git-ref> [--format text|json|github] [--allow CODE]...`:
 * compares the spec folder as it is now with the same folder at a git ref
 * (every `*.yaml`/`*.yml` below it, and every file they reference, read with
 * `git ls-tree` / `git show`) and reports breaking changes (GK951–GK959,
 * docs/breaking-changes.md). `--allow CODE` turns that rule's findings into
 * warnings, for deliberate migrations. Exit 0 when nothing breaks (or all is
 * allowed), 1 on a breaking change or errors in the current specs, 2 on bad
 * usage: not a git repository, an unknown ref, an unknown code, or specs at
 * the ref that do not analyse.
 */
import { execFileSync } from "node:child_process";
import type { Command } from "commander";
import { BREAKING_CODES, findBreakingChanges, isBreakingCode } from "../../compiler/breaking/find-breaking-changes.js";
import {
  analyze,
  diagnostic,
  formatDiagnostics,
  hasErrors,
  type AnalyzeInput,
  type Diagnostic,
  type DiagnosticFormat,
} from "../../compiler/index.js";
import { normalizePath } from "../../compiler/shared/paths.js";
import type { ExitStatus } from "../exit.js";
import type { CommandIo } from "../io/command-io.js";
import { displayPath, readSpecFolder, unreadableSpecFiles } from "../io/read-specs.js";
import { diagnosticFormatOption } from "../options.js";
import type { CommandContext } from "../program.js";

/** Options of `gokac breaking`. */
export interface BreakingOptions {
  readonly against: string;
  readonly format: DiagnosticFormat;
  readonly allow: readonly string[];
}

/** Runs git in `cwd`; its stdout, or the error with git's stderr. */
function git(cwd: string, args: readonly string[]): { ok: true; out: string } | { ok: false; reason: string } {
  try {
    return {
      ok: true,
      out: execFileSync("git", args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 256 * 1024 * 1024 }),
    };
  } catch (error) {
    const e = error as { code?: string; stderr?: string; message?: string };
    if (e.code === "ENOENT") return { ok: false, reason: "git is not installed (or not on PATH)" };
    return { ok: false, reason: (e.stderr ?? e.message ?? String(error)).trim().split("\n")[0] ?? "git failed" };
  }
}

/** True for a path below the spec folder that the build would read (hidden folders and node_modules skipped). */
function isSpecFile(specsRoot: string, path: string): boolean {
  const inside = specsRoot === "." ? path : path.slice(specsRoot.length + 1);
  const segments = inside.split("/");
  return /\.ya?ml$/i.test(path) && segments.slice(0, -1).every((s) => s !== "node_modules" && !s.startsWith("."));
}

/**
 * The spec folder at `commit` as an `AnalyzeInput` with the same display
 * paths as the working tree: `git ls-tree` lists the files (paths relative to
 * `cwd`), `git show <commit>:./<path>` reads them and any referenced file.
 */
function readSpecFolderAt(cwd: string, specs: string, commit: string): AnalyzeInput {
  const root = displayPath(cwd, specs);
  const listed = git(cwd, ["ls-tree", "-r", "-z", "--name-only", commit, "--", root]);
  const paths = listed.ok
    ? listed.out
        .split("\0")
        .filter((p) => p !== "")
        .map((p) => normalizePath(p))
    : [];
  const cache = new Map<string, string | undefined>();
  const readFile = (path: string): string | undefined => {
    if (!cache.has(path)) {
      const shown = git(cwd, ["show", `${commit}:./${path}`]);
      cache.set(path, shown.ok ? shown.out : undefined);
    }
    return cache.get(path);
  };
  const files = paths
    .filter((p) => isSpecFile(root, p))
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    .flatMap((path) => {
      const text = readFile(path);
      return text === undefined ? [] : [{ path, text }];
    });
  return { root, projectRoot: ".", files, readFile };
}

/** Compares `specs` with the same folder at `options.against`; resolves with the exit status. */
export async function breakingCommandAction(io: CommandIo, specs: string, options: BreakingOptions): Promise<ExitStatus> {
  const format = options.format;
  const report = (text: string) => (format === "text" ? io.stderr(text) : io.stdout(text));
  // 1. Usage: known codes, a ref that is not an option, a git repository, a commit.
  const allowed = new Set(
    options.allow
      .flatMap((a) => a.split(","))
      .map((a) => a.trim().toUpperCase())
      .filter((a) => a !== ""),
  );
  const unknown = [...allowed].filter((code) => !isBreakingCode(code));
  if (unknown.length > 0) {
    io.stderr(`gokac: --allow ${unknown.join(", ")}: not a breaking-change code (one of ${BREAKING_CODES.join(", ")})\n`);
    return 2;
  }
  const ref = options.against;
  if (ref === "" || ref.startsWith("-")) {
    io.stderr(`gokac: --against ${JSON.stringify(ref)}: not a git ref\n`);
    return 2;
  }
  const repo = git(io.cwd, ["rev-parse", "--is-inside-work-tree"]);
  if (!repo.ok || repo.out.trim() !== "true") {
    io.stderr(
      `gokac: ${io.cwd} is not inside a git work tree${repo.ok ? "" : ` (${repo.reason})`}; gokac breaking reads the old specs from git\n`,
    );
    return 2;
  }
  const commit = git(io.cwd, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
  if (!commit.ok || commit.out.trim() === "") {
    io.stderr(`gokac: --against ${ref}: unknown git ref (a branch, tag or commit, e.g. origin/main)\n`);
    return 2;
  }
  const sha = commit.out.trim();

  // 2. The current specs must analyse: their errors are the build's, reported as it would.
  const unreadable: string[] = [];
  const nextInput = readSpecFolder(io.cwd, specs, undefined, unreadable);
  const next = analyze(nextInput);
  const nextErrors: Diagnostic[] = [...unreadableSpecFiles(unreadable), ...next.diagnostics.filter((d) => d.severity === "error")];
  if (next.model === undefined || hasErrors(nextErrors)) {
    report(formatDiagnostics(nextErrors, format));
    if (format === "text") io.stderr(`gokac: the specs have errors; fix them before checking for breaking changes\n`);
    return 1;
  }

  // 3. The specs at the ref: none means everything is new; errors make a comparison meaningless.
  const oldInput = readSpecFolderAt(io.cwd, specs, sha);
  if (oldInput.files.length === 0) {
    if (format === "json") io.stdout(formatDiagnostics([], format));
    if (format === "text") io.stdout(`gokac: ${oldInput.root} has no spec files at ${ref}; nothing to compare\n`);
    return 0;
  }
  const old = analyze(oldInput);
  const oldErrors = old.diagnostics.filter((d) => d.severity === "error");
  if (old.model === undefined || oldErrors.length > 0) {
    io.stderr(formatDiagnostics(oldErrors, "text"));
    io.stderr(`gokac: the specs at ${ref} have errors (above, as of that ref); compare against a ref whose specs build\n`);
    return 2;
  }

  // 4. Compare; allowed rules are reported as warnings.
  const findings = findBreakingChanges({ input: oldInput, model: old.model }, { input: nextInput, model: next.model }).map((d) =>
    allowed.has(d.code) ? diagnostic(d.code, d, `${d.message} (allowed by --allow ${d.code})`, d.hint, "warning") : d,
  );
  if (format === "json" || findings.length > 0) report(formatDiagnostics(findings, format));
  const breaking = findings.filter((d) => d.severity === "error").length;
  if (format === "text") {
    const allowedCount = findings.length - breaking;
    const note = allowedCount > 0 ? ` (${allowedCount} allowed)` : "";
    if (breaking > 0) io.stderr(`gokac: ${breaking} breaking change${breaking === 1 ? "" : "s"} against ${ref}${note}\n`);
    else io.stdout(`gokac: no breaking changes against ${ref}${note}\n`);
  }
  return breaking > 0 ? 1 : 0;
}

/** Registers `breaking` on the gokac program. */
export function registerBreakingCommand(program: Command, { io, run }: CommandContext): void {
  const command = program
    .command("breaking")
    .description("report changes to the specs that break stored state or running producers/consumers, compared with a git ref")
    .argument("<specs>", "spec folder");
  command
    .requiredOption("--against <git-ref>", "the git ref (branch, tag, commit) holding the specs as deployed")
    .option(
      "--allow <code>",
      "accept this rule's findings as warnings (repeatable), for a deliberate migration",
      (value: string, previous: string[]) => [...previous, value],
      [] as string[],
    )
    .addOption(diagnosticFormatOption(command))
    .action(async (specs: string, options: BreakingOptions) => {
      await run(() => breakingCommandAction(io, specs, options), "internal");
    });
}
