/**
 * The system tests' one point of contact with the runtime's processor, view
 * and emitter API (`gokac/runtime`), so the scenarios read as Goka's
 * systemtests do and an API change touches only this file.
 */
import * as runtime from "gokac/runtime";
import type { Broker } from "../../runtime/broker/port.js";
import type { GroupDefinition, TopicSpec } from "../../runtime/graph.js";

/** A running processor. */
export interface RunningProcessor {
  /** Resolves with the error the processor stopped with, or undefined after `stop()`. */
  readonly done: Promise<Error | undefined>;
  stop(): Promise<void>;
}

/** Starts a group processor on `broker` with its local state under `stateDir`; resolves once it runs. */
export async function startProcessor(definition: GroupDefinition<any>, broker: Broker, stateDir: string): Promise<RunningProcessor> {
  const processor = runtime.createProcessor(definition, { broker, stateDir });
  let settle: (error: Error | undefined) => void = () => undefined;
  const done = new Promise<Error | undefined>((resolve) => (settle = resolve));
  const run = processor.run();
  run.then(() => settle(undefined), (error: unknown) => settle(error instanceof Error ? error : new Error(String(error))));
  await Promise.race([processor.waitRunning(), done.then((e) => Promise.reject(e ?? new Error("stopped before running")))]);
  return {
    done,
    async stop() {
      await processor.stop();
      await done;
    },
  };
}

/** A view of a table, recovered before it is returned. */
export interface OpenView<V> {
  get(key: string): Promise<V | undefined>;
  stop(): Promise<void>;
}

/** Opens and recovers a view of `table`. */
export async function openView<V>(broker: Broker, table: TopicSpec<V>): Promise<OpenView<V>> {
  const view = runtime.createView(broker, table);
  void view.run();
  await view.waitRecovered();
  return { get: async (key) => (await view.get(key)) as V | undefined, stop: () => view.stop() };
}

/** An emitter for `topic`. */
export function emitterOf<V>(broker: Broker, topic: TopicSpec<V>): { emit(key: string, value: V): Promise<void>; close(): Promise<void> } {
  const emitter = runtime.createEmitter(broker, topic);
  return { emit: async (key, value) => void (await emitter.emit(key, value)), close: () => emitter.close() };
}
