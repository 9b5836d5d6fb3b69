/**
 * GK501/GK502: Goka copartitions a group's inputs, joined tables, group table
 * and loop, so they need one partition count. Counts come from the catalogue,
 * from `partitions:` of the group owning a `<group>-table`/`<group>-loop`
 * (or the count its inputs agree on), and, with `--brokers`, from the live
 * cluster. A topic with both a declared and a live count contributes both, so
 * a cluster that disagrees with the specs is a mismatch too.
 */
import { diagnostic, type Diagnostic, type SourceLocation } from "../diagnostics/catalogue.js";
import { loopTopic, tableTopic, type GroupModel } from "../model/model.js";
import { modelLookup, ownerGroup, type ModelLookup } from "../model/lookup.js";
import { where, type Check } from "./check-context.js";

/** A known partition count and where it was declared (undefined: the live cluster). */
interface Count {
  readonly count: number;
  readonly at: SourceLocation | undefined;
  readonly source: string;
}

/** One copartitioned topic of a group, where this group names it, with one of its counts. */
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

/** Counts of topics across the folder; group counts are derived on demand and memoised. */
function createCounter(lookup: ModelLookup, clusterPartitions: ReadonlyMap<string, number> | undefined) {
  const owners = { get: (topic: string) => ownerGroup(lookup, topic), has: (topic: string) => ownerGroup(lookup, topic) !== undefined };
  const groupCounts = new Map<string, Count | undefined>();
  const inProgress = new Set<string>();

  const cluster = (topic: string): Count | undefined => {
    const n = clusterPartitions?.get(topic);
    return n === undefined ? undefined : { count: n, at: undefined, source: "on the cluster" };
  };

  const catalogue = (topic: string): Count | undefined => {
    const decl = lookup.topic(topic);
    return decl === undefined ? undefined : { count: decl.partitions, at: decl.partitionsAt, source: "catalogue" };
  };

  /** The count of a group's table and loop: its `partitions:`, else the first known count of its inputs. */
  const groupCount = (g: GroupModel): Count | undefined => {
    if (g.partitions !== undefined) {
      return { count: g.partitions.value, at: g.partitions.at, source: `partitions of group ${g.name}` };
    }
    if (groupCounts.has(g.name)) return groupCounts.get(g.name);
    if (inProgress.has(g.name)) return undefined; // a cycle through tables: no count from here
    inProgress.add(g.name);
    let first: Count | undefined;
    for (const input of g.inputs) for (const t of input.topics) first ??= declared(t.value) ?? cluster(t.value);
    const found = first === undefined ? undefined : { ...first, source: `like the inputs of group ${g.name}: ${first.source}` };
    inProgress.delete(g.name);
    groupCounts.set(g.name, found);
    return found;
  };

  /** What the specs say: the catalogue, else the owning group's count. */
  const declared = (topic: string): Count | undefined => {
    const owner = owners.get(topic);
    return catalogue(topic) ?? (owner === undefined ? undefined : groupCount(owner));
  };

  /** Every known count of a topic: declared and live (both, when both are known). */
  const counts = (topic: string): Count[] => [declared(topic), cluster(topic)].filter((c): c is Count => c !== undefined);

  return { counts, catalogue, cluster, owners };
}

/** The group's copartitioned members: inputs, joins, its `partitions:`, and its own table/loop where declared or live. */
function membersOf(g: GroupModel, counter: ReturnType<typeof createCounter>): Member[] {
  const members: Member[] = [];
  const add = (topic: string, role: string, at: SourceLocation, counts: readonly Count[]) => {
    if (counts.length === 0) members.push({ topic, label: `\`${topic}\``, role, at, count: undefined });
    for (const count of counts) members.push({ topic, label: `\`${topic}\``, role, at, count });
  };
  const own = new Set([tableTopic(g.name), loopTopic(g.name)]); // as inputs they are GK203, not members
  for (const input of g.inputs) {
    for (const t of input.topics) if (!own.has(t.value)) add(t.value, "input", t.at, counter.counts(t.value));
  }
  for (const j of g.joins) {
    // a join of an undeclared group is GK702; its unknown count is not worth a warning on top
    if (j.group === undefined || counter.owners.has(j.table)) add(j.table, "join", j.at, counter.counts(j.table));
  }
  if (g.partitions !== undefined) {
    const count = { count: g.partitions.value, at: g.partitions.at, source: "declared on the group" };
    members.push({
      topic: tableTopic(g.name),
      label: `the \`partitions:\` of group \`${g.name}\``,
      role: "group",
      at: g.partitions.at,
      count,
    });
  }
  // the group's own table and loop follow the group; only a count declared elsewhere or live can disagree
  const ownEdges: [string, string, { at: SourceLocation } | undefined][] = [
    [tableTopic(g.name), "persist", g.persist],
    [loopTopic(g.name), "loop", g.loop],
  ];
  for (const [topic, role, edge] of ownEdges) {
    if (edge === undefined) continue;
    const counts = [counter.catalogue(topic), counter.cluster(topic)].filter((c): c is Count => c !== undefined);
    if (counts.length > 0) add(topic, role, edge.at, counts);
  }
  return members;
}

/** GK501/GK502 for group `g`, reaching other topics and groups through `lookup`. */
export function copartitioningRules(
  g: GroupModel,
  lookup: ModelLookup,
  clusterPartitions: ReadonlyMap<string, number> | undefined,
): Diagnostic[] {
  return checkGroup(g, createCounter(lookup, clusterPartitions));
}

function checkGroup(g: GroupModel, counter: ReturnType<typeof createCounter>): Diagnostic[] {
  const members = membersOf(g, counter);
  const out: Diagnostic[] = [];
  const known = members.filter((m): m is Member & { count: Count } => m.count !== undefined);
  const reference = known.find((m) => m.role === "group") ?? known[0];
  const odd = reference === undefined ? undefined : known.find((m) => m.count.count !== reference.count.count);
  if (reference !== undefined && odd !== undefined) {
    const entries = known.map((m) => `${m.label} ${m.count.count} (${describeCount(m.count)})`);
    out.push(
      diagnostic(
        "GK501",
        odd.at,
        `copartitioned topics of group \`${g.name}\` have different partition counts: ${[...new Set(entries)].join(", ")}`,
        `give \`${odd.topic}\` ${reference.count.count} partitions like ${reference.label} (${describeCount(reference.count)}), or repartition the others`,
      ),
    );
  }
  const seen = new Set<string>();
  for (const m of members) {
    if (m.count !== undefined || seen.has(m.topic)) continue;
    seen.add(m.topic);
    out.push(
      diagnostic(
        "GK502",
        m.at,
        `partition count of ${m.role} \`${m.topic}\` of group \`${g.name}\` cannot be known at build time; the runtime checks it at start`,
        `declare \`${m.topic}\` with its partitions in a \`topics:\` catalogue${g.partitions === undefined ? `, or give group \`${g.name}\` \`partitions:\`` : ""}`,
      ),
    );
  }
  return out;
}

/** Copartitioning of every group. */
export const checkCopartitioning: Check = (ctx) => {
  const counter = createCounter(modelLookup(ctx.model), ctx.clusterPartitions);
  return ctx.model.groups.flatMap((g) => checkGroup(g, counter));
};
