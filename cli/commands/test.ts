/**
 * `gokac test [specs] [--out generated] [--brokers LIST]`: runs the
 * declarative tests (`*.test.yaml` beside the specs, cli/testing/) on the
 * in-memory broker with the groups of the build in `--out`. Prints one line
 * per case and, for a failure, each difference at its place in the test
 * file. Exit 0 all passed, 1 a failure or an error in a test file or the
 * specs, 2 bad usage.
 *
 * With `--brokers` (or `--kafka-config`) the same cases run on a real
 * cluster: the run gets a namespace `gokac-test-<random>.` and each case
 * its own `<namespace><n>.` (createKafkaBroker's `namespace`), so every
 * case starts from empty topics and nothing of an earlier run leaks in; the
 * run's topics and consumer groups are deleted at the end unless `--keep`.
 * `GOKAC_BROKERS` alone does not switch to the cluster (CI exports it for
 * the system tests while running the in-memory tests).
 */
import { randomBytes } from "node:crypto";
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
import { brokersOption, clusterOptions, kafkaConfigOption, outOption } from "../options.js";
import { loadRuntime } from "../runtime.js";
import type * as Testing from "../../runtime/testing/index.js";
import type { CommandContext } from "../program.js";
import { runCase, type CaseTester } from "../testing/run-tests.js";
import { readTestFile } from "../testing/test-file.js";
import { specModelOrReport } from "./cluster-common.js";

/** Options of `gokac test`. */
export interface TestOptions {
  readonly out?: string;
  readonly brokers?: string;
  readonly kafkaConfig?: string;
  /** Keep the run's topics and consumer groups on the cluster (for debugging). */
  readonly keep?: boolean;
}

const TESTING_MODULE = "gokac/runtime/testing";

type TestingModule = typeof Testing;

/** Where the cases run: a fresh tester per case, and what to do once all ran. */
interface CaseRunner {
  readonly createTester: (index: number) => CaseTester;
  readonly finish: () => Promise<void>;
}

/** The in-memory broker: a fresh tester per case, nothing to clean up. */
function memoryRunner(testing: TestingModule): CaseRunner {
  return { createTester: () => testing.createTester(), finish: async () => undefined };
}

/** A real cluster: each case in its own namespace below the run's; the run's topics and groups deleted at the end unless `keep`. */
async function clusterRunner(io: CommandIo, options: TestOptions, testing: TestingModule): Promise<CaseRunner> {
  const cluster = await clusterOptions(io, options, "test");
  const runtime = await loadRuntime(io);
  const namespace = `gokac-test-${randomBytes(4).toString("hex")}.`;
  io.stdout(`on ${cluster.brokers.toString()}, namespace ${namespace}\n`);
  return {
    createTester: (index) => testing.createClusterTester(runtime.createKafkaBroker({ ...cluster, namespace: `${namespace}${index}.` })),
    finish: async () => {
      if (options.keep === true) {
        io.stdout(`kept the topics and consumer groups of namespace ${namespace} (--keep)\n`);
        return;
      }
      const admin = runtime.createKafkaBroker({ ...cluster, namespace });
      try {
        // The metadata may lag: delete until a listing shows none left (a few rounds at most).
        let deleted = 0;
        for (let round = 0; round < 5; round++) {
          const topics = await admin.listTopics();
          if (topics.length === 0) break;
          await admin.deleteTopics(topics);
          deleted += topics.length;
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
        await admin.deleteGroups(await admin.listGroups());
        io.stdout(`deleted the ${deleted} topics of namespace ${namespace}\n`);
      } finally {
        await admin.close();
      }
    },
  };
}

/** The command body; resolves with the exit status. */
export async function testCommandAction(io: CommandIo, specs: string, options: TestOptions): Promise<ExitStatus> {
  if (options.keep === true && options.brokers === undefined && options.kafkaConfig === undefined)
    throw new UsageError("--keep keeps a cluster run's topics: give it with --brokers or --kafka-config");
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
    import(TESTING_MODULE) as Promise<TestingModule>,
  ]);
  const onCluster = options.brokers !== undefined || options.kafkaConfig !== undefined;
  const runner = onCluster ? await clusterRunner(io, options, testing) : memoryRunner(testing);
  let passed = 0;
  let total = 0;
  try {
    for (const f of read) {
      for (const test of f.cases) {
        const index = ++total;
        const result = await runCase(() => runner.createTester(index), groups, topics, test);
        const where = `${f.file}:${test.at.line}:${test.at.column}`;
        if (result.diagnostics.length > 0) {
          io.stdout(`✗ ${test.name} (${where})\n`);
          io.stderr(result.diagnostics.map(formatText).join(""));
        } else if (result.mismatches.length > 0) {
          io.stdout(`✗ ${test.name} (${where})\n`);
          for (const m of result.mismatches) {
            io.stdout(
              `  ${m.at.file}:${m.at.line}:${m.at.column}: ${m.what}\n    - expected: ${m.expected}\n    + actual:   ${m.actual}\n`,
            );
          }
        } else {
          passed++;
          io.stdout(`✓ ${test.name}\n`);
        }
      }
    }
  } finally {
    await runner.finish();
  }
  io.stdout(`${passed} of ${total} tests passed (${read.length} file${read.length === 1 ? "" : "s"})\n`);
  return passed === total ? 0 : 1;
}

/** Registers `test` on the gokac program. */
export function registerTestCommand(program: Command, { io, run }: CommandContext): void {
  const command = program
    .command("test")
    .description("run the declarative tests (*.test.yaml beside the specs) on the in-memory broker, or a real cluster with --brokers")
    .argument("[specs]", 'spec folder (default: "gokac.specs" of package.json)');
  command
    .addOption(brokersOption(command, "run on this cluster instead of in memory (each run in a namespace of its own)"))
    .addOption(kafkaConfigOption(command))
    .option("--keep", "keep the run's topics and consumer groups on the cluster (for debugging)")
    .addOption(outOption(command))
    .action(async (specs: string | undefined, options: TestOptions) => {
      await run(() => testCommandAction(io, resolveSpecs(io.cwd, specs), options), "failure");
    });
}
