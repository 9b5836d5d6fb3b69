/**
 * `gokac build [specs] [--out generated] [--check | --watch] [--brokers LIST] [--format text|json|github]`:
 * validate, check and emit. Writes only files whose content changes and
 * nothing at all when any error is found; `--check` writes nothing and exits
 * 1 when any file would change. Exit 0 clean (warnings allowed), 1 errors in
 * the specs or stale output (`--check`), 2 bad usage or an internal failure.
 */
import { resolve } from "node:path";
import type { Command } from "commander";
// modules, not compiler/index.js: this file is loaded for up-to-date builds too; compile() is imported lazily below
import type { CompileResult } from "../../compiler/compile.js";
import { diagnostic, type Diagnostic } from "../../compiler/diagnostics/catalogue.js";
import { formatDiagnostics, githubAnnotation } from "../../compiler/diagnostics/format.js";
import { loopTopic, tableTopic } from "../../compiler/model/model.js";
import type { ExitStatus } from "../exit.js";
import { saveBuildCache } from "../io/build-cache.js";
import type { CommandIo } from "../io/command-io.js";
import { resolveOut, resolveSpecs } from "../io/project-config.js";
import { displayPath, readSpecFolder, unreadableSpecFiles } from "../io/read-specs.js";
import { applyChanges, planChanges, snapshotOutput } from "../io/write-files.js";
import { resolveBrokers, type BrokerSource } from "../options.js";
import type { CommandContext } from "../program.js";
import { loadRuntime } from "../runtime.js";
import { addBuildFlags, type BuildOptions } from "./build-flags.js";
import { reportIfUpToDate } from "./build-up-to-date.js";

/**
 * Live partition counts of every topic the specs name, or a GK901 diagnostic
 * when the cluster cannot be reached: an error for an explicit `--brokers`,
 * a warning for brokers taken from `GOKAC_BROKERS` (the build then goes on
 * with the counts the specs declare, so an exported variable never makes an
 * offline build fail).
 */
async function livePartitions(
  io: CommandIo,
  brokers: BrokerSource,
  topics: readonly string[],
  at: string,
): Promise<ReadonlyMap<string, number> | Diagnostic> {
  try {
    const runtime = await loadRuntime(io);
    const broker = runtime.createKafkaBroker({ brokers: brokers.list, clientId: "gokac-build", logLevel: "nothing" });
    try {
      const counts = new Map<string, number>();
      for (const topic of topics) {
        const n = await broker.partitionCount(topic);
        if (n !== undefined) counts.set(topic, n);
      }
      return counts;
    } finally {
      await broker.close();
    }
  } catch (error) {
    const reason = `cannot reach the cluster at ${brokers.list}: ${error instanceof Error ? error.message : String(error)}`;
    return brokers.fromEnv
      ? diagnostic(
          "GK901",
          { file: at, line: 1, column: 1, pointer: "" },
          `${reason} (GOKAC_BROKERS); partition counts were checked against the specs only`,
          "start Kafka, or unset GOKAC_BROKERS to build offline",
          "warning",
        )
      : diagnostic("GK901", { file: at, line: 1, column: 1, pointer: "" }, reason, "check --brokers and that Kafka is running");
  }
}

function topicNames(result: CompileResult): string[] {
  const model = result.model;
  if (model === undefined) return [];
  const names = new Set(model.topics.keys());
  for (const g of model.groups) {
    for (const i of g.inputs) for (const t of i.topics) names.add(t.value);
    for (const e of [...g.joins, ...g.lookups]) names.add(e.table);
    for (const o of g.outputs) names.add(o.topic);
    names.add(tableTopic(g.name));
    names.add(loopTopic(g.name));
  }
  return [...names].sort();
}

/** Runs a build; resolves with the exit status. */
export async function buildCommandAction(io: CommandIo, specsArgument: string | undefined, options: BuildOptions): Promise<ExitStatus> {
  if (options.watch === true) return (await import("./build-watch.js")).watchBuildAction(io, specsArgument, options);
  const specs = resolveSpecs(io.cwd, specsArgument);
  const out = displayPath(io.cwd, resolveOut(io.cwd, options.out));
  const format = options.format;
  const brokers = resolveBrokers(io, options.brokers);
  // 1. Nothing changed since the last successful build: answer from the cache (never with brokers: the cluster may have).
  if (brokers === undefined && reportIfUpToDate(io, specs, out, options.check === true, format) === 0) return 0;

  // 2. A full build; the compiler is loaded only now, keeping up-to-date builds fast.
  const { compile } = await import("../../compiler/index.js");
  const referenced = new Set<string>();
  const unreadable: string[] = [];
  const snapshot = snapshotOutput(io.cwd, out);
  // Texts the build already holds, so that fingerprinting it for the cache does not read them again.
  const known = new Map<string, string>();
  const run = (clusterPartitions?: ReadonlyMap<string, number>) => {
    unreadable.length = 0;
    const input = readSpecFolder(io.cwd, specs, clusterPartitions, unreadable);
    for (const f of input.files) known.set(resolve(io.cwd, f.path), f.text);
    return compile({
      analyzeInput: { ...input, readFile: (path) => (referenced.add(path), input.readFile(path)) },
      outDir: out,
      existingFiles: (path) => snapshot.read(path),
      existingPaths: snapshot.paths,
    });
  };
  const remember = (files: number) => {
    if (brokers !== undefined) return;
    for (const f of result.files) known.set(resolve(io.cwd, f.path), f.content);
    saveBuildCache(
      { cwd: io.cwd, specs: displayPath(io.cwd, specs), out },
      { referenced: [...referenced], diagnostics: result.diagnostics, files },
      known,
    );
  };
  let result = run();
  let extra: Diagnostic[] = [];
  if (brokers !== undefined && result.model !== undefined) {
    const live = await livePartitions(io, brokers, topicNames(result), displayPath(io.cwd, specs));
    if (live instanceof Map) result = run(live);
    else extra = [live as Diagnostic];
  }
  const diagnostics = [...unreadableSpecFiles(unreadable), ...extra, ...result.diagnostics];
  const failed = diagnostics.some((d) => d.severity === "error");
  const report = (text: string) => (format === "text" ? io.stderr(text) : io.stdout(text));
  if (format === "json" || diagnostics.length > 0) report(formatDiagnostics(diagnostics, format));
  if (failed) {
    if (format === "text") io.stderr(`gokac: build failed; nothing under ${out} was changed\n`);
    return 1;
  }

  if (options.check === true) {
    const plan = planChanges(snapshot, result.files, result.deletes);
    const stale = [...plan.written, ...plan.deleted];
    if (stale.length > 0) {
      if (format === "text")
        io.stderr(stale.map((p) => `gokac: ${p} is out of date\n`).join("") + `gokac: run gokac build ${specs} to update ${out}\n`);
      // in CI, each stale file becomes an annotation on the file itself
      if (format === "github") {
        io.stdout(
          stale
            .map((p) =>
              githubAnnotation({
                severity: "error",
                file: p,
                line: 1,
                column: 1,
                title: "gokac build --check",
                message: `${p} is out of date: run gokac build ${specs} and commit the result`,
              }),
            )
            .join(""),
        );
      }
      return 1;
    }
    if (format === "text") io.stdout(`gokac: ${out} is up to date (${plan.unchanged} files)\n`);
    remember(result.files.length);
    return 0;
  }
  const done = applyChanges(snapshot, result.files, result.deletes);
  remember(result.files.length);
  if (format === "text") {
    const parts = [
      `${done.written.length} written`,
      `${done.unchanged} unchanged`,
      ...(done.deleted.length > 0 ? [`${done.deleted.length} deleted`] : []),
    ];
    io.stdout(`gokac: ${out}: ${parts.join(", ")}\n`);
  }
  return 0;
}

/** Registers `build` on the gokac program (its flags: build-flags.ts). */
export function registerBuildCommand(program: Command, { io, run }: CommandContext): void {
  const command = program
    .command("build")
    .description("validate and check the specs, then emit typed TypeScript (types, topics, group graphs, handler stubs)")
    .argument("[specs]", 'spec folder (default: "gokac.specs" of package.json)');
  addBuildFlags(command).action(async (specs: string | undefined, options: BuildOptions) => {
    await run(() => buildCommandAction(io, specs, options), "internal");
  });
}
