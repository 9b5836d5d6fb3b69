/**
 * The topic policy: which topics groups need, in which role, compacted or
 * not, copartitioned with what, with what partition count, and which may be
 * created. Pure (no broker): the processor (`groupTopicRequirements`, then
 * `ensureTopics`) and the CLI (`gokac topics`, from the specs) both compute
 * their requirements here, from a plain description of the groups, and
 * differ only in the create rule they pass.
 *
 * Goka's rules: a group's inputs, loop, group table and joined tables are
 * copartitioned (one partition count); tables (the group table, joins,
 * lookups) are compacted; inputs, loop and tables must exist, outputs only
 * should. The group table is `tableTopic(group)` (Goka's `GroupTable`), the
 * loop `loopTopic(group)` (`GroupLoop`).
 */

/** The role a topic plays for a group. */
export type TopicRole = "input" | "loop" | "table" | "join" | "lookup" | "output";

/** What a group (or the CLI, from specs) needs of one topic. */
export interface TopicRequirement {
  readonly topic: string;
  readonly role: TopicRole;
  /** The group that needs it (`CATALOGUE_GROUP` for a catalogue topic no group names). */
  readonly group: string;
  /** The declared partition count, if known. */
  readonly partitions?: number;
  /** Whether it must be compacted (tables). */
  readonly compacted: boolean;
  /** Created when missing (given a partition count, declared or agreed by its copartitioned set). */
  readonly create: boolean;
  /** Topics with the same key must have the same partition count (the group's copartitioned set). */
  readonly copartition?: string;
  /** A missing topic that is not created is an error (else a warning). */
  readonly required: boolean;
}

/** The group table of `group` (Goka's `GroupTable`): `<group>-table`. */
export function tableTopic(group: string): string {
  return `${group}-table`;
}

/** The loop topic of `group` (Goka's `GroupLoop`): `<group>-loop`. */
export function loopTopic(group: string): string {
  return `${group}-loop`;
}

/** The `group` of requirements for catalogue topics that no group names (rule `"all-declared"`). */
export const CATALOGUE_GROUP = "(catalogue)";

/**
 * One group as the topic policy sees it: names and counts only, so it is
 * JSON-serialisable and can be built from a runtime `GroupGraph`
 * (`groupTopicsOf`) or from the compiler's model alike.
 */
export interface GroupTopics {
  /** The group's name; its table is `tableTopic(name)`, its loop `loopTopic(name)`. */
  readonly name: string;
  /** Input topics, every input edge's topics in declaration order. */
  readonly inputs: readonly string[];
  /** The group has a loop (`loopTopic(name)`). */
  readonly loop?: boolean;
  /** The group persists a table (`tableTopic(name)`). */
  readonly persist?: boolean;
  /** Joined table topics (copartitioned with the inputs). */
  readonly joins?: readonly string[];
  /** Looked-up table topics (any partition count). */
  readonly lookups?: readonly string[];
  /** Output topics. */
  readonly outputs?: readonly string[];
  /** The group's declared copartitioned partition count (spec `partitions:`), if any. */
  readonly partitions?: number;
}

/** A topic of the topic catalogue (the specs' `topics:`), with its partition count when declared. */
export interface CatalogueTopic {
  readonly name: string;
  readonly partitions?: number;
}

/** What the topic policy reads: the groups, and the topic catalogue when known (the CLI has it, a processor does not). */
export interface TopicPolicyInput {
  readonly groups: readonly GroupTopics[];
  /** Declared topics; each topic at most once. */
  readonly topics?: readonly CatalogueTopic[];
}

/**
 * Which missing topics may be created:
 * - `"group-owned"` (the processor at start): the group's own table and
 *   loop, and its joined tables (their owner would create them identically);
 *   never inputs, lookups or outputs, which other groups or producers own.
 * - `"all-declared"` (`gokac topics --create`): every topic whose partition
 *   count the description knows, including catalogue topics no group names.
 */
export type TopicCreateRule = "group-owned" | "all-declared";

/** Options of `topicRequirements`. */
export interface TopicPolicyOptions {
  readonly create: TopicCreateRule;
}

/**
 * The topics the groups need, one requirement per (group, role, topic) use,
 * in this order: per group (in input order) its inputs, loop, table, joins,
 * lookups, outputs (each in input order); then, with `"all-declared"`, the
 * catalogue topics no group names (role `output`, group `CATALOGUE_GROUP`,
 * not required), in catalogue order. A caller can zip the result with its
 * own per-use data (such as spec positions) by that order.
 *
 * Partition counts (`partitions`, left out when unknown):
 * - the group's count: its declared `partitions`, else the catalogue count
 *   of its first input that has one;
 * - an input: its catalogue count, else the group's declared `partitions`;
 * - loop and group table: the group's count;
 * - a joined table: its catalogue count, else the count of the group that
 *   owns it (`tableTopic(owner) === table`), else the joining group's count;
 * - a lookup: its catalogue count, else its owner group's count;
 * - an output: its catalogue count.
 *
 * Inputs, loop, table and joins of a group share the copartition set
 * `group <name>`; tables (table, joins, lookups) are compacted; outputs are
 * not required (missing: a warning), everything else is.
 */
export function topicRequirements(input: TopicPolicyInput, options: TopicPolicyOptions): TopicRequirement[] {
  const catalogue = new Map<string, number | undefined>();
  for (const t of input.topics ?? []) catalogue.set(t.name, t.partitions);
  const declared = (topic: string) => catalogue.get(topic);
  const groupCount = (g: GroupTopics): number | undefined => {
    if (g.partitions !== undefined) return g.partitions;
    for (const topic of g.inputs) {
      const n = declared(topic);
      if (n !== undefined) return n;
    }
    return undefined;
  };
  const tableCount = (table: string): number | undefined => {
    const n = declared(table);
    if (n !== undefined) return n;
    const owner = input.groups.find((g) => tableTopic(g.name) === table);
    return owner === undefined ? undefined : groupCount(owner);
  };
  const allDeclared = options.create === "all-declared";

  const result: TopicRequirement[] = [];
  const add = (topic: string, role: TopicRole, group: string, partitions: number | undefined, copartition: string | undefined) => {
    const owned = role === "loop" || role === "table" || role === "join";
    const requirement: TopicRequirement = {
      topic,
      role,
      group,
      compacted: role === "table" || role === "join" || role === "lookup",
      create: allDeclared ? partitions !== undefined : owned,
      required: role !== "output",
      ...(copartition === undefined ? {} : { copartition }),
      ...(partitions === undefined ? {} : { partitions }),
    };
    result.push(requirement);
  };
  for (const g of input.groups) {
    const set = `group ${g.name}`;
    const count = groupCount(g);
    for (const topic of g.inputs) add(topic, "input", g.name, declared(topic) ?? g.partitions, set);
    if (g.loop === true) add(loopTopic(g.name), "loop", g.name, count, set);
    if (g.persist === true) add(tableTopic(g.name), "table", g.name, count, set);
    for (const table of g.joins ?? []) add(table, "join", g.name, tableCount(table) ?? count, set);
    for (const table of g.lookups ?? []) add(table, "lookup", g.name, tableCount(table), undefined);
    for (const topic of g.outputs ?? []) add(topic, "output", g.name, declared(topic), undefined);
  }
  if (allDeclared) {
    const named = new Set(result.map((r) => r.topic));
    for (const t of input.topics ?? []) if (!named.has(t.name)) add(t.name, "output", CATALOGUE_GROUP, t.partitions, undefined);
  }
  return result;
}
