/**
 * The runtime as the cluster commands (`topics`, `run`, `emit`, `get`, and
 * `build --brokers`) use it. Its types come from the runtime's sources with a
 * type-only import (erased at compile time); the module itself is loaded
 * lazily by name, `import("gokac/runtime")`, when a command needs it, so
 * `build` and `graph` never load kafkajs or LevelDB.
 */
import type * as Runtime from "../runtime/index.js";
import type { CommandIo } from "./io/command-io.js";

/** The `gokac/runtime` module. */
export type RuntimeModule = typeof Runtime;

const RUNTIME_MODULE = "gokac/runtime";

/** Loads `gokac/runtime` (or what `io.loadRuntime` gives, in tests). */
export async function loadRuntime(io: CommandIo): Promise<RuntimeModule> {
  return (await (io.loadRuntime ?? (() => import(RUNTIME_MODULE)))()) as RuntimeModule;
}
