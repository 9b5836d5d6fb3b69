/**
 * Loads the built TypeScript output (`generated/` by default) at run time
 * through tsx, so `gokac run/emit/get` work on the user's sources without a
 * separate compile step.
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { GroupDefinition, TopicSpec } from "../../runtime/index.js";
import { UsageError } from "../exit.js";
import type { CommandIo } from "./command-io.js";

/** A topic as `topics.ts` defines it: name and codec. */
export type GeneratedTopic = TopicSpec<unknown>;

/** A group definition as `index.ts` lists it. */
export type GeneratedGroup = GroupDefinition<unknown>;

async function importTs(io: CommandIo, out: string, file: string): Promise<Record<string, unknown>> {
  const path = resolve(io.cwd, out, file);
  if (!existsSync(path)) {
    throw new UsageError(`${out}/${file} not found: run gokac build first (or pass --out with the build's output folder)`);
  }
  const { tsImport } = await import("tsx/esm/api");
  return (await tsImport(pathToFileURL(path).href, pathToFileURL(resolve(io.cwd, "package.json")).href)) as Record<string, unknown>;
}

/** `topicsByName` of `<out>/topics.ts`. */
export async function loadGeneratedTopics(io: CommandIo, out: string): Promise<ReadonlyMap<string, GeneratedTopic>> {
  const module = await importTs(io, out, "topics.ts");
  const byName = module["topicsByName"];
  if (typeof byName !== "object" || byName === null)
    throw new UsageError(`${out}/topics.ts exports no topicsByName: rebuild with gokac build`);
  return new Map(Object.entries(byName as Record<string, GeneratedTopic>));
}

/** `groups` of `<out>/index.ts`. */
export async function loadGeneratedGroups(io: CommandIo, out: string): Promise<readonly GeneratedGroup[]> {
  const module = await importTs(io, out, "index.ts");
  const groups = module["groups"];
  if (!Array.isArray(groups)) throw new UsageError(`${out}/index.ts exports no groups: rebuild with gokac build`);
  return groups as GeneratedGroup[];
}
