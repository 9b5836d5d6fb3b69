/**
 * One group document → `GroupModel`, with the defaults described in
 * model/build.ts. Items that are structurally unusable are skipped (schema
 * validation reports them).
 */
import type { SourceLocation } from "../diagnostics/catalogue.js";
import type { readCodec } from "./build-codec.js";
import { readErrors } from "./build-errors.js";
import { isRecord, optionalString, readPartitioner, records, type Rec } from "./read-yaml.js";
import type { GroupModel, InputModel, Located, LoopModel, OutputModel, PersistModel, TableRefModel, VisitorModel } from "./model.js";
import { tableTopic } from "./model.js";
import { camelCase } from "../shared/names.js";
import type { SpecDocument } from "../parse/parse.js";

/** Reads the codec written at a pointer of the current document. */
export type ReadCodec = (value: unknown, pointer: string) => ReturnType<typeof readCodec>;

/** Reads the group `name` declared by `doc` (whose top level is `value`); `file` is the spec path relative to the spec root. */
export function readGroup(
  doc: SpecDocument,
  value: Rec,
  name: string,
  at: SourceLocation,
  file: string,
  readCodecAt: ReadCodec,
): GroupModel {
  const locate = (pointer: string) => doc.locate(pointer);
  const codecOf = (item: Rec, pointer: string) => {
    if (!("codec" in item)) return { codec: undefined, codecAt: undefined };
    return { codec: readCodecAt(item["codec"], `${pointer}/codec`), codecAt: locate(`${pointer}/codec`) };
  };

  const inputs: InputModel[] = [];
  for (const [item, i] of records(value["inputs"])) {
    const pointer = `/inputs/${i}`;
    const topics: Located<string>[] = [];
    if (typeof item["topic"] === "string") topics.push({ value: item["topic"], at: locate(`${pointer}/topic`) });
    else if (Array.isArray(item["topics"])) {
      item["topics"].forEach((t, j) => {
        if (typeof t === "string") topics.push({ value: t, at: locate(`${pointer}/topics/${j}`) });
      });
    }
    const first = topics[0];
    if (first === undefined) continue;
    const handler = optionalString(item["handler"]);
    inputs.push({
      topics,
      ...codecOf(item, pointer),
      handler: handler ?? camelCase(first.value),
      handlerAt: handler === undefined ? first.at : locate(`${pointer}/handler`),
      at: locate(pointer),
    });
  }

  let persist: PersistModel | undefined;
  if (isRecord(value["persist"])) {
    const codec = readCodecAt(value["persist"]["codec"], "/persist/codec");
    if (codec !== undefined) persist = { codec, at: locate("/persist"), codecAt: locate("/persist/codec") };
  }

  let loop: LoopModel | undefined;
  if (isRecord(value["loop"])) {
    const codec = readCodecAt(value["loop"]["codec"], "/loop/codec");
    const handler = optionalString(value["loop"]["handler"]);
    if (codec !== undefined) {
      loop = {
        codec,
        handler: handler ?? "loop",
        handlerAt: locate(handler === undefined ? "/loop" : "/loop/handler"),
        at: locate("/loop"),
        codecAt: locate("/loop/codec"),
      };
    }
  }

  const tableRefs = (key: "joins" | "lookups"): TableRefModel[] =>
    records(value[key]).flatMap(([item, i]): TableRefModel[] => {
      const pointer = `/${key}/${i}`;
      const group = optionalString(item["group"]);
      const table = optionalString(item["table"]) ?? (group === undefined ? undefined : tableTopic(group));
      if (table === undefined) return [];
      return [{ table, group: typeof item["table"] === "string" ? undefined : group, ...codecOf(item, pointer), at: locate(pointer) }];
    });

  const outputs: OutputModel[] = records(value["outputs"]).flatMap(([item, i]): OutputModel[] => {
    const pointer = `/outputs/${i}`;
    const topic = optionalString(item["topic"]);
    return topic === undefined ? [] : [{ topic, ...codecOf(item, pointer), at: locate(pointer) }];
  });

  const visitors: VisitorModel[] = records(value["visitors"]).flatMap(([item, i]): VisitorModel[] => {
    const pointer = `/visitors/${i}`;
    const visitorName = optionalString(item["name"]);
    if (visitorName === undefined) return [];
    const handler = optionalString(item["handler"]);
    return [
      {
        name: visitorName,
        handler: handler ?? camelCase(visitorName),
        handlerAt: locate(handler === undefined ? `${pointer}/name` : `${pointer}/handler`),
        at: locate(pointer),
      },
    ];
  });

  const partitions = value["partitions"];
  const description = optionalString(value["description"]);
  const errors = readErrors(value["errors"], locate("/errors"));
  const partitioner = readPartitioner(value["partitioner"], locate, "/partitioner");
  const guarantee = value["guarantee"];
  const standby = value["standby"];
  return {
    name,
    ...(description === undefined ? {} : { description }),
    file,
    at,
    inputs,
    persist,
    loop,
    joins: tableRefs("joins"),
    lookups: tableRefs("lookups"),
    outputs,
    visitors,
    partitions:
      typeof partitions === "number" && Number.isInteger(partitions) && partitions >= 1
        ? { value: partitions, at: locate("/partitions") }
        : undefined,
    ...(errors === undefined ? {} : { errors }),
    ...(partitioner === undefined ? {} : { partitioner }),
    ...(guarantee === "at-least-once" || guarantee === "exactly-once" ? { guarantee: { value: guarantee, at: locate("/guarantee") } } : {}),
    ...(typeof standby === "number" && Number.isInteger(standby) && standby >= 0
      ? { standby: { value: standby, at: locate("/standby") } }
      : {}),
  };
}
