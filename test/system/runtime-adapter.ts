/**
 * The system tests' one point of contact with the runtime's processor, view
 * and emitter API (`gokac/runtime`), so the scenarios read as Goka's
 * systemtests do and an API change touches only this file.
 */
import { createEmitter, createProcessor, createView } from "gokac/runtime";
import type { Broker } from "../../runtime/broker/port.js";
import type { GroupDefinition, TopicSpec } from "../../runtime/graph.js";

/** A running processor. */
export interface RunningProcessor {
  /** Resolves with the error the processor stopped with, or undefined after `stop()`. */
  readonly done: Promise<Error | undefined>;
  /** The group table's value of `key` in the processor's local copy (if it owns the key's partition). */
  get(key: string): Promise<unknown>;
  stop(): Promise<void>;
}

/** Starts a group processor on `broker` with its local state under `stateDir`; resolves once it runs. */
export async function startProcessor(definition: GroupDefinition<any>, broker: Broker, stateDir: string): Promise<RunningProcessor> {
  const processor = createProcessor(definition, { broker, stateDir });
  await processor.start();
  return {
    done: processor.done,
    get: (key) => processor.get(key),
    async stop() {
      await processor.stop();
    },
  };
}

/** A view of a table, recovered before it is returned. */
export interface OpenView<V> {
  get(key: string): Promise<V | undefined>;
  stop(): Promise<void>;
}

/** Opens and recovers a view of `table` (memory storage). */
export async function openView<V>(broker: Broker, table: TopicSpec<V>): Promise<OpenView<V>> {
  const view = createView(broker, table);
  await view.start();
  return { get: (key) => view.get(key), stop: () => view.stop() };
}

/** An emitter for `topic`. */
export function emitterOf<V>(broker: Broker, topic: TopicSpec<V>): { emit(key: string, value: V): Promise<void>; close(): Promise<void> } {
  const emitter = createEmitter(broker, topic);
  return { emit: async (key, value) => void (await emitter.emit(key, value)), close: () => emitter.close() };
}
