/**
 * GK503: a group's copartitioned topics (inputs, joined tables, its own
 * table and loop) must place keys alike, or partition p of one holds other
 * keys than partition p of another: a join misses, a view of the group
 * table looks in the wrong partition. Topics the specs say nothing about are
 * left out (their partitioner is unknown at build time).
 */
import { diagnostic, type Diagnostic, type SourceLocation } from "../diagnostics/catalogue.js";
import { loopTopic, tableTopic, type GroupModel } from "../model/model.js";
import { modelLookup, type ModelLookup } from "../model/lookup.js";
import { declaredPartitioner, groupPartitioner, type DeclaredPartitioner } from "../model/partitioners.js";
import { where, type Check } from "./check-context.js";

/** One copartitioned topic of the group, where the group names it, and its partitioner. */
interface Member {
  readonly label: string;
  readonly at: SourceLocation;
  readonly partitioner: DeclaredPartitioner;
  /** The group's own table and loop (fixed by the group's `partitioner:`). */
  readonly own: boolean;
}

function membersOf(lookup: ModelLookup, g: GroupModel): Member[] {
  const members: Member[] = [];
  const ownTopics = new Set([tableTopic(g.name), loopTopic(g.name)]);
  if (g.persist !== undefined || g.loop !== undefined || g.partitioner !== undefined) {
    members.push({
      label: `the table and loop of group \`${g.name}\``,
      at: g.partitioner?.at ?? g.at,
      partitioner: groupPartitioner(g),
      own: true,
    });
    for (const topic of ownTopics) {
      const decl = lookup.topic(topic);
      const p = declaredPartitioner(lookup, topic);
      if (decl !== undefined && p !== undefined) members.push({ label: `\`${topic}\``, at: p.at, partitioner: p, own: false });
    }
  }
  const add = (topic: string, at: SourceLocation) => {
    if (ownTopics.has(topic)) return; // GK203
    const p = declaredPartitioner(lookup, topic);
    if (p !== undefined) members.push({ label: `\`${topic}\``, at, partitioner: p, own: false });
  };
  for (const input of g.inputs) for (const t of input.topics) add(t.value, t.at);
  for (const j of g.joins) add(j.table, j.at);
  return members;
}

/** GK503 for group `g`, reaching other topics and groups through `lookup`. */
export function partitionerRules(g: GroupModel, lookup: ModelLookup): Diagnostic[] {
  const members = membersOf(lookup, g);
  const reference = members.find((m) => m.own) ?? members[0];
  const odd = reference === undefined ? undefined : members.find((m) => m.partitioner.value !== reference.partitioner.value);
  if (reference === undefined || odd === undefined) return [];
  const entries = [
    ...new Set(members.map((m) => `${m.label} ${m.partitioner.value} (${m.partitioner.source}, ${where(m.partitioner.at)})`)),
  ];
  const hint =
    reference.own && g.partitioner === undefined
      ? `give group \`${g.name}\` \`partitioner: ${odd.partitioner.value}\` like ${odd.label}, or declare ${odd.label} with \`partitioner: ${reference.partitioner.value}\``
      : `declare ${odd.label} with \`partitioner: ${reference.partitioner.value}\` like ${reference.label}, or repartition it`;
  return [
    diagnostic("GK503", odd.at, `copartitioned topics of group \`${g.name}\` use different partitioners: ${entries.join(", ")}`, hint),
  ];
}

/** Partitioners of every group's copartitioned topics. */
export const checkPartitioners: Check = (ctx) => ctx.model.groups.flatMap((g) => partitionerRules(g, modelLookup(ctx.model)));
