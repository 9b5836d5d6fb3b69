/**
 * GK501/GK502: Goka copartitions a group's inputs, joined tables, group table
 * and loop, so they need one partition count. Counts come from the catalogue,
 * from `partitions:` of the group owning a `<group>-table`/`<group>-loop`
 * (or the count its inputs agree on), or from the live cluster.
 */
import { diagnostic, type Diagnostic, type SourceLocation } from "../diagnostics.js";
import { loopTopic, tableTopic, type GroupModel } from "../model.js";
import { where, type Check, type CheckContext } from "./check-context.js";

/** A known partition count and where it was declared (undefined: the live cluster). */
interface Count {
  readonly count: number;
  readonly at: SourceLocation | undefined;
  readonly source: string;
}

/** One copartitioned topic of a group, where this group names it. */
interface Member {
  readonly topic: string;
  /** How messages name it: `` `user-clicks` `` or `` the `partitions:` of group `clicks` ``. */
  readonly label: string;
  readonly role: string;
  readonly at: SourceLocation;
  readonly count: Count | undefined;
}

function describeCount(c: Count): string {
  return c.at === undefined ? c.source : `${c.source}, ${where(c.at)}`;
}

/** Counts of topics across the folder, memoised; group counts are derived on demand. */
function createCounter(ctx: CheckContext) {
  const owners = new Map<string, GroupModel>();
  for (const g of ctx.model.groups) {
    owners.set(tableTopic(g.name), g);
    owners.set(loopTopic(g.name), g);
  }
  const groupCounts = new Map<string, Count | undefined>();
  const inProgress = new Set<string>();

  const cluster = (topic: string): Count | undefined => {
    const n = ctx.clusterPartitions?.get(topic);
    return n === undefined ? undefined : { count: n, at: undefined, source: "on the cluster" };
  };

  const declared = (topic: string): Count | undefined => {
    const decl = ctx.model.topics.get(topic);
    return decl === undefined ? undefined : { count: decl.partitions, at: decl.partitionsAt, source: "catalogue" };
  };

  /** The count of a group's table and loop: its `partitions:`, else what its inputs' known counts say first. */
  const groupCount = (g: GroupModel): Count | undefined => {
    if (g.partitions !== undefined) {
      return { count: g.partitions.value, at: g.partitions.at, source: `partitions of group ${g.name}` };
    }
    if (groupCounts.has(g.name)) return groupCounts.get(g.name);
    if (inProgress.has(g.name)) return undefined; // a cycle through tables: no count from here
    inProgress.add(g.name);
    let found: Count | undefined;
    for (const input of g.inputs) {
      for (const t of input.topics) {
        found ??= topicCount(t.value);
      }
    }
    inProgress.delete(g.name);
    groupCounts.set(g.name, found);
    return found;
  };

  const topicCount = (topic: string): Count | undefined => {
    const owner = owners.get(topic);
    return declared(topic) ?? (owner === undefined ? undefined : groupCount(owner)) ?? cluster(topic);
  };

  return { topicCount, declared, cluster, owners };
}

function checkGroup(g: GroupModel, counter: ReturnType<typeof createCounter>): Diagnostic[] {
  const { owners } = counter;
  const members: Member[] = [];
  for (const input of g.inputs) {
    for (const t of input.topics) members.push({ topic: t.value, label: `\`${t.value}\``, role: "input", at: t.at, count: counter.topicCount(t.value) });
  }
  // a join of an undeclared group is GK702; its count is not worth a warning on top
  for (const j of g.joins) if (j.group === undefined || owners.has(j.table)) members.push({ topic: j.table, label: `\`${j.table}\``, role: "join", at: j.at, count: counter.topicCount(j.table) });
  if (g.partitions !== undefined) {
    const count = { count: g.partitions.value, at: g.partitions.at, source: `partitions of group ${g.name}` };
    members.push({ topic: tableTopic(g.name), label: `the \`partitions:\` of group \`${g.name}\``, role: "group", at: g.partitions.at, count });
  }
  // the group's own table and loop, when declared in the catalogue or present on the cluster
  const own: [string, { at: SourceLocation } | undefined][] = [[tableTopic(g.name), g.persist], [loopTopic(g.name), g.loop]];
  for (const [topic, edge] of own) {
    if (edge === undefined) continue;
    const count = counter.declared(topic) ?? counter.cluster(topic);
    if (count !== undefined) members.push({ topic, label: `\`${topic}\``, role: topic.endsWith("-table") ? "persist" : "loop", at: edge.at, count });
  }

  const out: Diagnostic[] = [];
  const known = members.filter((m): m is Member & { count: Count } => m.count !== undefined);
  const reference = known.find((m) => m.role === "group") ?? known[0];
  const odd = reference === undefined ? undefined : known.find((m) => m.count.count !== reference.count.count);
  if (reference !== undefined && odd !== undefined) {
    const list = known.map((m) => `${m.label} ${m.count.count} (${describeCount(m.count)})`).join(", ");
    out.push(diagnostic("GK501", odd.at, `copartitioned topics of group \`${g.name}\` have different partition counts: ${list}`,
      `give \`${odd.topic}\` ${reference.count.count} partitions like ${reference.label} (${describeCount(reference.count)}), or repartition the others`));
  }
  const seen = new Set<string>();
  for (const m of members) {
    if (m.count !== undefined || seen.has(m.topic)) continue;
    seen.add(m.topic);
    out.push(diagnostic("GK502", m.at, `partition count of ${m.role} \`${m.topic}\` of group \`${g.name}\` cannot be known at build time; the runtime checks it at start`,
      `declare \`${m.topic}\` with its partitions in a \`topics:\` catalogue${g.partitions === undefined ? `, or give group \`${g.name}\` \`partitions:\`` : ""}`));
  }
  return out;
}

/** Copartitioning of every group. */
export const checkCopartitioning: Check = (ctx) => {
  const counter = createCounter(ctx);
  return ctx.model.groups.flatMap((g) => checkGroup(g, counter));
};
