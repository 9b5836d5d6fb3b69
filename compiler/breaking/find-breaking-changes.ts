/**
 * Breaking changes between two versions of a spec folder (`gokac breaking`):
 * changes that make data already in Kafka or in tables, or messages old
 * producers still send, unreadable or misplaced for the new processors. Each
 * rule has a code in the diagnostics catalogue's 95x range (GK951–GK959,
 * documented in docs/breaking-changes.md) and points at the line in the new
 * specs, or in the old ones when the thing is gone. Pure: both sides come in
 * analysed; nothing here reads files or the process.
 */
import { codecKey } from "../model/build-codec.js";
import { diagnostic, type Diagnostic, type DiagnosticCode, type SourceLocation } from "../diagnostics/catalogue.js";
import { loopTopic, tableTopic, type CodecModel, type GroupModel, type SpecModel } from "../model/model.js";
import { createCodecResolver } from "../model/resolve-codec.js";
import { compareSchemas } from "./compare-json-schemas.js";
import { indexSpecSources, type AnalysedSpecs, type SpecSources } from "./spec-sources.js";

export type { AnalysedSpecs } from "./spec-sources.js";

/** The codes `findBreakingChanges` reports, one a rule. */
export const BREAKING_CODES = [
  "GK951",
  "GK952",
  "GK953",
  "GK954",
  "GK955",
  "GK956",
  "GK957",
  "GK958",
  "GK959",
] as const satisfies readonly DiagnosticCode[];
/** One of BREAKING_CODES. */
export type BreakingCode = (typeof BREAKING_CODES)[number];

/** True for a code `gokac breaking` can report (for validating `--allow`). */
export function isBreakingCode(code: string): code is BreakingCode {
  return (BREAKING_CODES as readonly string[]).includes(code);
}

/** A topic or table some group reads or writes, with the codec it has there. */
interface Channel {
  readonly name: string;
  readonly table: boolean;
  readonly codec: CodecModel;
  readonly at: SourceLocation;
}

/** Every topic and table of a model with its codec: catalogue entries first, then in group order. */
function channelsOf(model: SpecModel): Map<string, Channel> {
  const resolver = createCodecResolver(model);
  const tables = new Set<string>();
  for (const g of model.groups) {
    if (g.persist !== undefined) tables.add(tableTopic(g.name));
    for (const ref of [...g.joins, ...g.lookups]) tables.add(ref.table);
  }
  const channels = new Map<string, Channel>();
  const add = (name: string, codec: CodecModel | undefined, at: SourceLocation) => {
    if (codec !== undefined && !channels.has(name)) channels.set(name, { name, table: tables.has(name), codec, at });
  };
  for (const t of model.topics.values()) add(t.name, t.codec, t.codecAt);
  for (const g of model.groups) {
    if (g.persist !== undefined) add(tableTopic(g.name), g.persist.codec, g.persist.codecAt);
    if (g.loop !== undefined) add(loopTopic(g.name), g.loop.codec, g.loop.codecAt);
    for (const input of g.inputs) for (const t of input.topics) add(t.value, resolver.input(input), input.codecAt ?? t.at);
    for (const ref of [...g.joins, ...g.lookups]) add(ref.table, resolver.table(ref), ref.codecAt ?? ref.at);
    for (const output of g.outputs) add(output.topic, resolver.output(output), output.codecAt ?? output.at);
  }
  return channels;
}

/** Topics whose partitions must line up with a group's state: each input, join, table and loop of a stateful group. */
function copartitionedTopics(group: GroupModel): string[] {
  const topics = [
    ...group.inputs.flatMap((i) => i.topics.map((t) => t.value)),
    ...group.joins.map((j) => j.table),
    ...(group.persist === undefined ? [] : [tableTopic(group.name)]),
    ...(group.loop === undefined ? [] : [loopTopic(group.name)]),
  ];
  const stateful = group.persist !== undefined || group.loop !== undefined || group.joins.length > 0 || topics.length > 1;
  return stateful ? topics : [];
}

/** The partition count of a group's own table: `partitions:`, else that of its first copartitioned catalogue topic. */
function groupPartitions(model: SpecModel, group: GroupModel): number | undefined {
  if (group.partitions !== undefined) return group.partitions.value;
  for (const topic of copartitionedTopics(group)) {
    const decl = model.topics.get(topic);
    if (decl !== undefined) return decl.partitions;
  }
  return undefined;
}

function where(at: SourceLocation): string {
  return `${at.file}:${at.line}:${at.column}`;
}

/** A finder's findings, collected in one list. */
type Report = (code: BreakingCode, at: SourceLocation, message: string, hint: string) => void;

/** GK951, GK955–GK959: each topic and table on both sides, its codec compared (JSON types structurally). */
function compareCodecs(old: SpecSources, next: SpecSources, report: Report): void {
  const oldChannels = channelsOf(old.specs.model);
  // one JSON change may affect several topics sharing a type: reported once, naming them all
  const schemaChanges = new Map<string, { code: BreakingCode; at: SourceLocation; message: string; places: string[] }>();
  for (const channel of channelsOf(next.specs.model).values()) {
    const before = oldChannels.get(channel.name);
    if (before === undefined) continue;
    const what = `${channel.table ? "table" : "topic"} \`${channel.name}\``;
    const oldSchema = old.schemaOf(before.codec, before.at);
    const newSchema = next.schemaOf(channel.codec, channel.at);
    if (oldSchema !== undefined && newSchema !== undefined) {
      for (const change of compareSchemas(oldSchema, newSchema)) {
        const key = `${change.code}|${where(change.at)}|${change.message}`;
        const entry = schemaChanges.get(key) ?? { code: change.code, at: change.at, message: change.message, places: [] };
        entry.places.push(what);
        schemaChanges.set(key, entry);
      }
      continue;
    }
    if (codecKey(before.codec) === codecKey(channel.codec)) continue;
    const change = `codec changed from ${codecKey(before.codec)} (${where(before.at)} before) to ${codecKey(channel.codec)}`;
    if (channel.table) {
      report(
        "GK951",
        channel.at,
        `${what}: ${change}; the values already stored cannot be read with the new codec`,
        `keep ${codecKey(before.codec)}, or persist into a new group (a new table) and migrate; --allow GK951 if the table is rebuilt from scratch`,
      );
    } else {
      report(
        "GK955",
        channel.at,
        `${what}: ${change}; messages already in the topic and those old producers send cannot be decoded`,
        `keep ${codecKey(before.codec)}, or write the new format to a new topic and move producers and consumers over`,
      );
    }
  }
  const hints: Record<string, string> = {
    GK956: "make the property optional (leave it out of `required`) and give handlers a default for old values",
    GK957: "keep the property (optional, possibly deprecated in its description) as long as old values exist",
    GK958: "allow what was allowed before; put the stricter shape under a new type on a new topic or table",
    GK959: "keep the enum value; treat it as deprecated in handlers",
  };
  for (const c of schemaChanges.values()) {
    const effect =
      c.code === "GK957"
        ? "values already stored or sent by old producers still carry it, and handlers of the new type no longer see it (a closed type rejects them)"
        : "values already stored or sent by old producers fail the new type on decode";
    report(c.code, c.at, `${c.places.join(", ")}: ${c.message}; ${effect}`, hints[c.code] ?? "");
  }
}

/** GK952: partition counts of tables and copartitioned topics. */
function comparePartitions(old: SpecModel, next: SpecModel, report: Report): void {
  const readers = new Map<string, Set<string>>();
  const tables = new Set<string>();
  for (const model of [old, next]) {
    for (const g of model.groups) {
      for (const t of copartitionedTopics(g)) readers.set(t, (readers.get(t) ?? new Set()).add(g.name));
      for (const ref of [...g.joins, ...g.lookups]) tables.add(ref.table);
    }
  }
  const reported = new Set<string>();
  for (const topic of next.topics.values()) {
    const before = old.topics.get(topic.name);
    if (before === undefined || before.partitions === topic.partitions) continue;
    const groups = readers.get(topic.name);
    if (groups === undefined && !tables.has(topic.name)) continue;
    reported.add(topic.name);
    const role =
      groups === undefined
        ? "it is a table"
        : `it is copartitioned in group${groups.size === 1 ? "" : "s"} ${[...groups].sort().join(", ")}`;
    report(
      "GK952",
      topic.partitionsAt,
      `topic \`${topic.name}\`: partitions changed from ${before.partitions} (${where(before.partitionsAt)} before) to ${topic.partitions}; ${role}, and keys already stored would be looked for in other partitions`,
      `keep ${before.partitions} partitions; to repartition, create a new topic with the new count and re-key into it`,
    );
  }
  for (const group of next.groups) {
    const before = old.groups.find((g) => g.name === group.name);
    if (before === undefined || (group.persist === undefined && group.loop === undefined)) continue;
    const was = groupPartitions(old, before);
    const now = groupPartitions(next, group);
    if (was === undefined || now === undefined || was === now) continue;
    if (copartitionedTopics(group).some((t) => reported.has(t))) continue;
    report(
      "GK952",
      group.partitions?.at ?? group.at,
      `group \`${group.name}\`: the partitions of its table and loop change from ${was} to ${now}; keys already stored would be looked for in other partitions`,
      `keep ${was} partitions; to repartition, move the state into a new group with the new count`,
    );
  }
}

/** GK953: a table that disappears (its group removed, renamed or no longer persisting) while a new group still reads it. */
function compareTableOwners(old: SpecModel, next: SpecModel, report: Report): void {
  for (const before of old.groups) {
    if (before.persist === undefined) continue;
    const table = tableTopic(before.name);
    const now = next.groups.find((g) => g.name === before.name);
    if (now?.persist !== undefined) continue;
    const readers = next.groups.flatMap((g) => [
      ...g.joins.filter((r) => r.table === table).map((r) => `joined by group \`${g.name}\` (${where(r.at)})`),
      ...g.lookups.filter((r) => r.table === table).map((r) => `looked up by group \`${g.name}\` (${where(r.at)})`),
    ]);
    if (readers.length === 0) continue;
    const gone =
      now === undefined
        ? `group \`${before.name}\` (declared here in the old specs) was removed or renamed`
        : `group \`${before.name}\` no longer persists`;
    report(
      "GK953",
      now === undefined ? before.at : now.at,
      `${gone}, but its table \`${table}\` is still ${readers.join(", ")}; nothing writes the table any more`,
      `keep group \`${before.name}\` (with its persist) until no group reads \`${table}\`; to rename, add the new group beside the old one, move the readers over, then remove the old one`,
    );
  }
}

/** GK954: a catalogue topic's or a group's `partitioner:` changed (default `kafka`). */
function comparePartitioners(old: SpecSources, next: SpecSources, report: Report): void {
  for (const [name, now] of next.topicPartitioners) {
    const before = old.topicPartitioners.get(name);
    if (before === undefined || before.value === now.value) continue;
    report(
      "GK954",
      now.at,
      `topic \`${name}\`: partitioner changed from ${before.value} to ${now.value}; keys already written sit in the partitions the old partitioner chose`,
      `keep \`partitioner: ${before.value}\`; a topic keeps its partitioner for life`,
    );
  }
  for (const [name, now] of next.groupPartitioners) {
    const before = old.groupPartitioners.get(name);
    const group = old.specs.model.groups.find((g) => g.name === name);
    if (
      before === undefined ||
      before.value === now.value ||
      group === undefined ||
      (group.persist === undefined && group.loop === undefined)
    )
      continue;
    report(
      "GK954",
      now.at,
      `group \`${name}\`: partitioner of its table and loop changed from ${before.value} to ${now.value}; keys already stored sit in the partitions the old partitioner chose`,
      `keep \`partitioner: ${before.value}\`; to change it, move the state into a new group`,
    );
  }
}

function compare(a: string | number, b: string | number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Every breaking change from `old` to `next`, as error diagnostics sorted by
 * file, line, column and code. Purely additive changes (new groups, topics,
 * outputs, optional properties) report nothing.
 */
export function findBreakingChanges(old: AnalysedSpecs, next: AnalysedSpecs): Diagnostic[] {
  const findings: Diagnostic[] = [];
  const report: Report = (code, at, message, hint) => void findings.push(diagnostic(code, at, message, hint));
  const oldSources = indexSpecSources(old);
  const nextSources = indexSpecSources(next);
  compareCodecs(oldSources, nextSources, report);
  comparePartitions(old.model, next.model, report);
  compareTableOwners(old.model, next.model, report);
  comparePartitioners(oldSources, nextSources, report);
  return findings.sort(
    (a, b) => compare(a.file, b.file) || compare(a.line, b.line) || compare(a.column, b.column) || compare(a.code, b.code),
  );
}
