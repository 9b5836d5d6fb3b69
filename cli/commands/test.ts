/**
 * `gokac test [specs] [--out generated] [--brokers LIST]`: runs the
 * declarative tests (`*.test.yaml` beside the specs, cli/testing/) on the
 * in-memory broker with the groups of the build in `--out`. Prints one line
 * per case and, for a failure, each difference at its place in the test
 * file. Exit 0 all passed, 1 a failure or an error in a test file or the
 * specs, 2 bad usage. `--brokers` (a real cluster) is not supported yet: a
 * usage error (exit 2).
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import { formatText } from "../../compiler/diagnostics/format.js";
import { UsageError, type ExitStatus } from "../exit.js";
import type { CommandIo } from "../io/command-io.js";
import { loadGeneratedGroups, loadGeneratedTopics } from "../io/load-generated.js";
import { resolveOut, resolveSpecs } from "../io/project-config.js";
import { displayPath, isFolder, isTestFileName } from "../io/read-specs.js";
import { walkFiles } from "../io/walk.js";
import { outOption } from "../options.js";
import type { CommandContext } from "../program.js";
import { runCase, type CreateTester } from "../testing/run-tests.js";
import { readTestFile } from "../testing/test-file.js";
import { specModelOrReport } from "./cluster-common.js";

/** Options of `gokac test`. */
export interface TestOptions {
  readonly out?: string;
  readonly brokers?: string;
}

const TESTING_MODULE = "gokac/runtime/testing";

/** The command body; resolves with the exit status. */
export async function testCommandAction(io: CommandIo, specs: string, options: TestOptions): Promise<ExitStatus> {
  if (options.brokers !== undefined)
    throw new UsageError("gokac test --brokers (on a real cluster) is not supported yet; run without it for the in-memory broker");
  if (!isFolder(io.cwd, specs)) throw new UsageError(`spec folder ${specs} does not exist or is not a folder`);
  const found: string[] = [];
  walkFiles(resolve(io.cwd, specs), isTestFileName, found);
  const files = found.map((p) => displayPath(io.cwd, p)).sort();
  if (files.length === 0) {
    io.stderr(`gokac: no *.test.yaml files in ${specs}\n`);
    return 0;
  }
  const model = specModelOrReport(io, specs);
  if (model === undefined) return 1;
  const read = files.map((f) => readTestFile(f, readFileSync(resolve(io.cwd, f), "utf8")));
  const refused = read.filter((f) => f.diagnostics.length > 0);
  for (const f of refused) io.stderr(f.diagnostics.map(formatText).join(""));
  if (refused.length > 0) return 1;

  const out = resolveOut(io.cwd, options.out);
  const [groups, topics, testing] = await Promise.all([
    loadGeneratedGroups(io, out),
    loadGeneratedTopics(io, out),
    import(TESTING_MODULE) as Promise<{ createTester: CreateTester }>,
  ]);
  let passed = 0;
  let total = 0;
  for (const f of read) {
    for (const test of f.cases) {
      total++;
      const result = await runCase(() => testing.createTester(), groups, topics, test);
      const where = `${f.file}:${test.at.line}:${test.at.column}`;
      if (result.diagnostics.length > 0) {
        io.stdout(`✗ ${test.name} (${where})\n`);
        io.stderr(result.diagnostics.map(formatText).join(""));
      } else if (result.mismatches.length > 0) {
        io.stdout(`✗ ${test.name} (${where})\n`);
        for (const m of result.mismatches) {
          io.stdout(`  ${m.at.file}:${m.at.line}:${m.at.column}: ${m.what}\n    - expected: ${m.expected}\n    + actual:   ${m.actual}\n`);
        }
      } else {
        passed++;
        io.stdout(`✓ ${test.name}\n`);
      }
    }
  }
  io.stdout(`${passed} of ${total} tests passed (${read.length} file${read.length === 1 ? "" : "s"})\n`);
  return passed === total ? 0 : 1;
}

/** Registers `test` on the gokac program. */
export function registerTestCommand(program: Command, { io, run }: CommandContext): void {
  const command = program
    .command("test")
    .description("run the declarative tests (*.test.yaml beside the specs) on the in-memory broker")
    .argument("[specs]", 'spec folder (default: "gokac.specs" of package.json)')
    .option("--brokers <list>", "a real cluster (not supported yet: exit 2)");
  command.addOption(outOption(command)).action(async (specs: string | undefined, options: TestOptions) => {
    await run(() => testCommandAction(io, resolveSpecs(io.cwd, specs), options), "failure");
  });
}
