/**
 * `gokac topics [specs] --brokers LIST [--create]`: compares the topics the
 * specs need (partition counts, compaction of tables) with the cluster and,
 * with `--create`, creates what is missing and whose count is known.
 *
 * Exit 0 when every needed topic exists as specified (after creating),
 * 1 on spec errors, mismatches (GK501) or missing topics, 2 on bad usage.
 */
import type { Command } from "commander";
import { loopTopic, tableTopic, type SourceLocation, type SpecModel } from "../../compiler/index.js";
import type {
  TopicPolicyInput,
  TopicRequirement as RuntimeTopicRequirement,
  TopicStatus as RuntimeTopicStatus,
} from "../../runtime/index.js";
import type { ExitStatus } from "../exit.js";
import type { CommandIo } from "../io/command-io.js";
import { brokersOption, clusterOptions, kafkaConfigOption } from "../options.js";
import type { CommandContext } from "../program.js";
import { resolveSpecs } from "../io/project-config.js";
import { loadRuntime, type RuntimeModule } from "../runtime.js";
import { analyzeSpecFolder, reportDiagnostics } from "./cluster-common.js";

/** A requirement plus where the specs name the topic. */
interface Need {
  readonly requirement: RuntimeTopicRequirement;
  readonly at: SourceLocation;
}

/** The model as the runtime's topic policy reads it (names and counts only). */
function policyInput(model: SpecModel): TopicPolicyInput {
  return {
    groups: model.groups.map((g) => ({
      name: g.name,
      inputs: g.inputs.flatMap((i) => i.topics.map((t) => t.value)),
      loop: g.loop !== undefined,
      persist: g.persist !== undefined,
      joins: g.joins.map((j) => j.table),
      lookups: g.lookups.map((l) => l.table),
      outputs: g.outputs.map((o) => o.topic),
      ...(g.partitions === undefined ? {} : { partitions: g.partitions.value }),
    })),
    topics: [...model.topics.values()].map((t) => ({ name: t.name, ...(t.partitions === undefined ? {} : { partitions: t.partitions }) })),
  };
}

/** Where the specs name each use, in the policy's documented order (per group: inputs, loop, table, joins, lookups, outputs; then the catalogue). */
function usePositions(model: SpecModel): SourceLocation[] {
  const at: SourceLocation[] = [];
  const named = new Set<string>();
  const use = (where: SourceLocation, topic: string): void => {
    at.push(where);
    named.add(topic);
  };
  for (const g of model.groups) {
    for (const input of g.inputs) for (const t of input.topics) use(t.at, t.value);
    if (g.loop !== undefined) use(g.loop.at, loopTopic(g.name));
    if (g.persist !== undefined) use(g.persist.at, tableTopic(g.name));
    for (const j of g.joins) use(j.at, j.table);
    for (const l of g.lookups) use(l.at, l.table);
    for (const o of g.outputs) use(o.at, o.topic);
  }
  for (const t of model.topics.values()) if (!named.has(t.name)) at.push(t.at);
  return at;
}

/**
 * Every topic the specs need, with the count each must have when the specs
 * know it: the runtime's one topic policy (runtime/topics/requirements.ts,
 * the processor uses it too) with every declared topic creatable, each
 * requirement paired with where the specs name it.
 */
export function specTopicNeeds(runtime: Pick<RuntimeModule, "topicRequirements">, model: SpecModel): Need[] {
  const requirements = runtime.topicRequirements(policyInput(model), { create: "all-declared" });
  const at = usePositions(model);
  if (at.length !== requirements.length) throw new Error(`topic policy gave ${requirements.length} requirements for ${at.length} uses`);
  return requirements.map((requirement, i) => ({ requirement, at: at[i]! }));
}

function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join("  ")).join("\n") + "\n";
}

/** The command body; resolves with the exit status. */
export async function topicsCommandAction(
  io: CommandIo,
  specs: string,
  options: { brokers?: string; kafkaConfig?: string; create?: boolean },
): Promise<ExitStatus> {
  const cluster = await clusterOptions(io, options, "topics");
  const first = analyzeSpecFolder(io, specs);
  if (first.model === undefined || first.diagnostics.some((d) => d.severity === "error")) {
    reportDiagnostics(io, first.diagnostics);
    return 1;
  }
  const runtime = await loadRuntime(io);
  const needs = specTopicNeeds(runtime, first.model);
  const broker = runtime.createKafkaBroker(cluster);
  try {
    // 1. Copartitioning with the live counts, reported at the spec positions (GK501).
    const live = new Map<string, number>();
    for (const topic of new Set(needs.map((n) => n.requirement.topic))) {
      const n = await broker.partitionCount(topic);
      if (n !== undefined) live.set(topic, n);
    }
    const second = analyzeSpecFolder(io, specs, live);
    const mismatched = reportDiagnostics(
      io,
      second.diagnostics.filter((d) => d.code === "GK501"),
    );
    let failed = mismatched;

    // 2. Existence and compaction, topic by topic.
    const requirements = needs.map((n) => n.requirement);
    const report = await runtime.checkTopics(broker, requirements);
    const at = new Map(needs.map((n) => [n.requirement.topic, n.at] as const));
    for (const p of report.problems) {
      if (p.code === "GK501") continue;
      if (p.code === "GK902" && options.create === true) {
        const creatable = report.topics.some((t) => t.requirement.topic === p.topics[0] && t.action === "create");
        if (creatable) continue;
      }
      const where = at.get(p.topics[0] ?? "");
      io.stderr(`${where === undefined ? "" : `${where.file}:${where.line}:${where.column}: `}${p.severity} ${p.code}: ${p.message}\n`);
      if (p.severity === "error") failed = true;
    }

    // 3. Create what is missing and known, unless counts disagree: never half-build a mismatched group.
    const byTopic = new Map<string, RuntimeTopicStatus>();
    for (const s of report.topics) if (!byTopic.has(s.requirement.topic)) byTopic.set(s.requirement.topic, s);
    const created = new Set<string>();
    if (options.create === true && !mismatched) {
      for (const s of byTopic.values()) {
        if (s.action === "create" && s.partitions !== undefined) {
          await broker.createTopic({ topic: s.requirement.topic, partitions: s.partitions, compacted: s.requirement.compacted });
          created.add(s.requirement.topic);
        }
      }
    }

    const rows = [["TOPIC", "ROLE", "PARTITIONS", "ON CLUSTER", "CLEANUP", "STATUS"]];
    for (const s of byTopic.values()) {
      const roles = [
        ...new Set(report.topics.filter((t) => t.requirement.topic === s.requirement.topic).map((t) => t.requirement.role)),
      ].join(",");
      const status = created.has(s.requirement.topic)
        ? "created"
        : s.action === "ok"
          ? "ok"
          : s.action === "create"
            ? "missing (--create creates it)"
            : "missing";
      const cleanup =
        s.liveCompacted === undefined ? (s.requirement.compacted ? "compact" : "delete") : s.liveCompacted ? "compact" : "delete";
      rows.push([s.requirement.topic, roles, String(s.partitions ?? "?"), String(s.livePartitions ?? "-"), cleanup, status]);
      if (s.action !== "ok" && !created.has(s.requirement.topic) && s.requirement.required) failed = true;
    }
    io.stdout(table(rows));
    return failed ? 1 : 0;
  } finally {
    await broker.close();
  }
}

/** Registers `topics` on the gokac program. */
export function registerTopicsCommand(program: Command, { io, run }: CommandContext): void {
  const command = program
    .command("topics")
    .description("compare the topics the specs need (partitions, compaction of tables) with the cluster; create what is missing")
    .argument("[specs]", 'spec folder (default: "gokac.specs" of package.json)');
  command
    .addOption(brokersOption(command))
    .addOption(kafkaConfigOption(command))
    .option("--create", "create missing topics whose partition count the specs know (tables compacted)")
    .action(async (specs: string | undefined, options: { brokers?: string; kafkaConfig?: string; create?: boolean }) => {
      await run(() => topicsCommandAction(io, resolveSpecs(io.cwd, specs), options), "failure");
    });
}
