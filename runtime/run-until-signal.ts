/**
 * Runs processors until SIGINT or SIGTERM (or until one fails), then stops
 * them all cleanly. Never exits the process: the caller decides the status.
 */
import { asError } from "./errors.js";
import type { Processor } from "./processor/processor.js";

/** Options of `runUntilSignal`. */
export interface RunUntilSignalOptions {
  /** Default `["SIGINT", "SIGTERM"]`. */
  readonly signals?: readonly NodeJS.Signals[];
  /** Called once stopping begins, with the reason. */
  readonly onStopping?: (reason: { signal: NodeJS.Signals } | { error: Error }) => void;
}

/**
 * Starts every processor (unless already started), waits for a signal or the
 * first failure, stops them all, and resolves with the first failure (or
 * `undefined` after a signal).
 */
export async function runUntilSignal(
  processors: readonly Processor<any>[],
  options: RunUntilSignalOptions = {},
): Promise<Error | undefined> {
  const signals = options.signals ?? ["SIGINT", "SIGTERM"];
  let resolveSignal!: (reason: { signal: NodeJS.Signals }) => void;
  const signalled = new Promise<{ signal: NodeJS.Signals }>((resolve) => {
    resolveSignal = resolve;
  });
  const listeners = signals.map((signal) => [signal, () => resolveSignal({ signal })] as const);
  for (const [signal, listener] of listeners) process.on(signal, listener);
  try {
    const failed = Promise.race(
      processors.map((p) => p.done.then((error) => (error === undefined ? new Promise<never>(() => {}) : { error }))),
    );
    const starting = Promise.all(processors.filter((p) => p.lifecycle === "idle").map((p) => p.start())).then(
      () => undefined,
      (error: unknown) => ({ error: asError(error) }),
    );
    // A signal during start-up (lookup views, first recoveries) stops at once: stopping abandons the recoveries.
    const early = await Promise.race([starting, signalled]);
    const reason = early ?? (await Promise.race([signalled, failed]));
    options.onStopping?.(reason);
    const stops = await Promise.allSettled(processors.map((p) => p.stop()));
    const stopFailure = stops.find((s): s is PromiseRejectedResult => s.status === "rejected");
    if ("error" in reason) return reason.error;
    return stopFailure === undefined ? undefined : asError(stopFailure.reason);
  } finally {
    for (const [signal, listener] of listeners) process.off(signal, listener);
  }
}
