/**
 * Checking and creating the topics a group needs, through the broker port
 * only (so it works on Kafka and on the in-memory broker alike).
 *
 * What is needed comes from the topic policy (`../topics/requirements.ts`):
 * a group's inputs, loop, group table and joined tables are copartitioned
 * (one partition count, else GK501, the compiler's code); a processor creates
 * its group table and loop when missing, the table compacted, with the
 * group's count, and joined tables the same way (their owner would create
 * them identically). Lookup tables and inputs must exist (GK902); outputs
 * only warn when missing.
 */
import { GokacError } from "../errors.js";
import type { GroupGraph } from "../graph.js";
import { topicRequirements, type GroupTopics, type TopicRequirement } from "../topics/requirements.js";
import type { Broker } from "./port.js";

export type { TopicRequirement, TopicRole } from "../topics/requirements.js";

/** The live state of a topic and what is done or wrong about it. */
export interface TopicStatus {
  readonly requirement: TopicRequirement;
  /** Live partition count; `undefined` when the topic does not exist (before any creation). */
  readonly livePartitions: number | undefined;
  readonly liveCompacted: boolean | undefined;
  /** `create`: missing and to be created with `partitions`; `missing`: missing and not creatable. */
  readonly action: "ok" | "create" | "missing";
  /** The count it must have (declared, or agreed by its copartitioned set). */
  readonly partitions: number | undefined;
}

/** A problem found by `checkTopics`. Codes match the compiler's catalogue. */
export interface TopicProblem {
  readonly code: "GK501" | "GK902" | "GK903";
  readonly severity: "error" | "warning";
  readonly topics: readonly string[];
  readonly message: string;
}

/** The result of checking a set of requirements against the cluster. */
export interface TopicReport {
  readonly topics: readonly TopicStatus[];
  readonly problems: readonly TopicProblem[];
}

/** Thrown by `ensureTopics` when the cluster cannot serve the groups; `code` is the first error's. */
export class TopicCheckError extends GokacError {
  override readonly name = "TopicCheckError";
  declare readonly code: TopicProblem["code"];
  readonly problems: readonly TopicProblem[];
  constructor(problems: readonly TopicProblem[]) {
    super(problems.map((p) => `${p.code} ${p.message}`).join("\n"), { code: problems[0]?.code ?? "GK902" });
    this.problems = problems;
  }
}

/** The topic policy's description of a group graph (names and counts only). */
export function groupTopicsOf(graph: GroupGraph): GroupTopics {
  return {
    name: graph.group,
    inputs: graph.inputs.flatMap((input) => input.topics),
    loop: graph.loop !== undefined,
    persist: graph.persist !== undefined,
    joins: (graph.joins ?? []).map((j) => j.table),
    lookups: (graph.lookups ?? []).map((l) => l.table),
    outputs: (graph.outputs ?? []).map((o) => o.topic),
    ...(graph.partitions === undefined ? {} : { partitions: graph.partitions }),
  };
}

/**
 * The topics a group graph needs, as its processor sees them (no topic
 * catalogue; create rule `"group-owned"`): inputs and loop (consumed), the
 * group table (created, compacted), joins (copartitioned tables), lookups,
 * outputs.
 */
export function groupTopicRequirements(graph: GroupGraph): TopicRequirement[] {
  return topicRequirements({ groups: [groupTopicsOf(graph)] }, { create: "group-owned" });
}

/** Compares requirements with the cluster; changes nothing. */
export async function checkTopics(broker: Broker, requirements: readonly TopicRequirement[]): Promise<TopicReport> {
  const names = [...new Set(requirements.map((r) => r.topic))];
  const live = new Map<string, { partitions: number | undefined; compacted: boolean | undefined }>();
  await Promise.all(
    names.map(async (topic) => {
      const partitions = await broker.partitionCount(topic);
      const compacted = partitions === undefined ? undefined : await broker.isCompacted(topic);
      live.set(topic, { partitions, compacted });
    }),
  );
  const problems: TopicProblem[] = [];

  // 1. Each copartitioned set must agree on one count, live or declared.
  const agreed = new Map<string, number | undefined>();
  const sets = new Map<string, TopicRequirement[]>();
  for (const r of requirements) {
    if (r.copartition === undefined) continue;
    const list = sets.get(r.copartition) ?? [];
    list.push(r);
    sets.set(r.copartition, list);
  }
  for (const [set, members] of sets) {
    const counts: { topic: string; count: number; source: string }[] = [];
    for (const r of members) {
      const n = live.get(r.topic)?.partitions;
      if (n !== undefined) counts.push({ topic: r.topic, count: n, source: "on the cluster" });
      if (r.partitions !== undefined && n === undefined) counts.push({ topic: r.topic, count: r.partitions, source: "declared" });
      if (r.partitions !== undefined && n !== undefined && r.partitions !== n) {
        counts.push({ topic: `${r.topic} (declared)`, count: r.partitions, source: "declared" });
      }
    }
    const distinct = new Set(counts.map((c) => c.count));
    if (distinct.size > 1) {
      const list = counts.map((c) => `${c.topic}: ${c.count} (${c.source})`).join(", ");
      problems.push({
        code: "GK501",
        severity: "error",
        topics: [...new Set(counts.map((c) => c.topic))],
        message: `copartitioned topics of ${set} have different partition counts: ${list}`,
      });
      agreed.set(set, undefined);
    } else {
      agreed.set(set, counts[0]?.count);
    }
  }

  // 2. Per topic: exists, to be created, or missing; tables must be compacted.
  const statuses: TopicStatus[] = [];
  const reported = new Set<string>();
  for (const r of requirements) {
    const state = live.get(r.topic);
    const partitions = r.partitions ?? (r.copartition === undefined ? undefined : agreed.get(r.copartition)) ?? state?.partitions;
    let action: TopicStatus["action"] = "ok";
    if (state?.partitions === undefined) {
      action = r.create && partitions !== undefined ? "create" : "missing";
      if (action === "missing" && !reported.has(r.topic)) {
        reported.add(r.topic);
        const why = r.create ? " and its partition count is unknown (no input exists, none declared)" : "";
        problems.push({
          code: "GK902",
          severity: r.required ? "error" : "warning",
          topics: [r.topic],
          message: `topic ${r.topic} (${r.role} of group ${r.group}) does not exist on the cluster${why}`,
        });
      }
    } else if (r.compacted && state.compacted === false && !reported.has(`${r.topic}#compact`)) {
      reported.add(`${r.topic}#compact`);
      problems.push({
        code: "GK903",
        severity: "warning",
        topics: [r.topic],
        message: `table ${r.topic} (${r.role} of group ${r.group}) is not compacted (cleanup.policy=compact): old values are never cleaned up and recovery reads them all`,
      });
    }
    statuses.push({ requirement: r, livePartitions: state?.partitions, liveCompacted: state?.compacted, action, partitions });
  }
  return { topics: statuses, problems };
}

/**
 * Checks, then creates every missing topic that may be created (tables
 * compacted), then throws `TopicCheckError` if any error remains.
 * Returns the report of the check (with `create` for what was created).
 */
export async function ensureTopics(broker: Broker, requirements: readonly TopicRequirement[]): Promise<TopicReport> {
  const report = await checkTopics(broker, requirements);
  const errors = report.problems.filter((p) => p.severity === "error");
  if (errors.length > 0) throw new TopicCheckError(errors);
  const created = new Set<string>();
  for (const status of report.topics) {
    if (status.action !== "create" || status.partitions === undefined || created.has(status.requirement.topic)) continue;
    created.add(status.requirement.topic);
    await broker.createTopic({ topic: status.requirement.topic, partitions: status.partitions, compacted: status.requirement.compacted });
  }
  return report;
}
