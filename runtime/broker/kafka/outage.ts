/**
 * Riding out broker outages. A broker restart (or a network cut) makes every
 * kafkajs call fail for a while; kafkajs alone gives up after a few retries.
 * Here each part of the Kafka broker (group members, producers, readers,
 * admin look-ups) keeps retrying what an outage explains for up to
 * `maxOutageMs`, counted from its last contact with the cluster. Past that it
 * gives up with a `BrokerUnreachableError`, and so does every other part that
 * is stuck in the same outage (at once, not after its own deadline), so a
 * processor that stops does not wait on work that cannot finish.
 */

import { GokacError, reasonOf } from "../../errors.js";

/** Default of `maxOutageMs`: how long the Kafka broker rides out an unreachable cluster. */
export const DEFAULT_MAX_OUTAGE_MS = 5 * 60_000;

/** The cluster could not be reached (or kept failing) for longer than `maxOutageMs`. */
export class BrokerUnreachableError extends GokacError {
  override readonly name = "BrokerUnreachableError";
  /** Retriable: a restart (once the cluster is back) may succeed. */
  declare readonly code: "BROKER_UNREACHABLE";
  constructor(
    /** What gave up first: `group member of <group>`, `producer`, `reader of <topic>/<partition>`, `admin`. */
    readonly what: string,
    /** The bootstrap brokers. */
    readonly brokers: readonly string[],
    /** How long it had been without contact, in milliseconds. */
    readonly unreachableMs: number,
    /** The allowance it exceeded. */
    readonly maxOutageMs: number,
    cause: unknown,
  ) {
    const reason = reasonOf(cause);
    super(
      `Kafka cluster ${brokers.join(",")} unreachable for ${seconds(unreachableMs)} (${what}), longer than the allowed outage of ${seconds(maxOutageMs)}` +
        ` (raise it with --max-outage / maxOutageMs); last error: ${reason}`,
      { code: "BROKER_UNREACHABLE", retriable: true, cause },
    );
  }
}

function seconds(ms: number): string {
  return ms >= 60_000 && ms % 60_000 === 0 ? `${ms / 60_000} min` : `${(ms / 1000).toFixed(1)} s`;
}

/** kafkajs error names that mean "could not talk to the cluster". */
const CONNECTION_ERRORS = new Set([
  "KafkaJSConnectionError",
  "KafkaJSConnectionClosedError",
  "KafkaJSRequestTimeoutError",
  "KafkaJSNoBrokerAvailableError",
  "KafkaJSBrokerNotFound",
  "KafkaJSMetadataNotLoaded",
  "KafkaJSLockTimeout",
  // No broker answered the coordinator look-up (kafkajs calls it non-retriable).
  "KafkaJSGroupCoordinatorNotFound",
]);

function field(error: unknown, name: string): unknown {
  return typeof error === "object" && error !== null && name in error ? (error as Record<string, unknown>)[name] : undefined;
}

/** Whether `error` (or a cause of it) is a failure to connect to or hear from the cluster. */
export function isConnectionError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e !== undefined && e !== null && depth < 10; e = field(e, "cause"), depth++) {
    const name = field(e, "name");
    if (typeof name === "string" && CONNECTION_ERRORS.has(name)) return true;
  }
  return false;
}

/**
 * Whether `error` is what a broker outage looks like: a connection failure,
 * kafkajs giving up its own retries of one, or a retriable protocol error
 * (leader or coordinator moving, not yet loaded). Follows `cause` chains.
 */
export function isOutageError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e !== undefined && e !== null && depth < 10; e = field(e, "cause"), depth++) {
    const name = field(e, "name");
    if (typeof name === "string" && CONNECTION_ERRORS.has(name)) return true;
    if (name === "KafkaJSNumberOfRetriesExceeded") continue;
    if (field(e, "retriable") === true) return true;
    // kafkajs's "each partition failed" aggregate: an outage when every partition's error is one.
    const errors = field(e, "errors");
    if (Array.isArray(errors) && errors.length > 0 && errors.every((x) => isOutageError(x))) return true;
  }
  return false;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The outage allowance of one Kafka broker, shared by all its parts. */
export class OutageGuard {
  private gaveUpWith: { error: BrokerUnreachableError; at: number } | undefined;
  private readonly waiters = new Set<(error: BrokerUnreachableError) => void>();
  /** The broker was closed: retries end (see `close`). */
  private closed = false;

  constructor(
    readonly maxOutageMs: number,
    readonly brokers: readonly string[],
  ) {}

  /** The broker is closing: a failing attempt from now on is not retried, its error is thrown. */
  close(): void {
    this.closed = true;
  }

  /** The error some part gave up with, if one did. */
  get gaveUp(): BrokerUnreachableError | undefined {
    return this.gaveUpWith?.error;
  }

  /**
   * For a part without contact since `since` (ms timestamp) that just failed
   * with `cause`: the error to stop with if the outage is over the allowance
   * (then every part stuck in an outage that began before now stops too), or
   * if another part gave up during this outage; `undefined` to keep trying.
   */
  exceeded(what: string, since: number, cause: unknown): BrokerUnreachableError | undefined {
    const given = this.gaveUpWith;
    if (given !== undefined && given.at > since) return given.error;
    const now = Date.now();
    if (now - since < this.maxOutageMs) return undefined;
    const error = new BrokerUnreachableError(what, this.brokers, now - since, this.maxOutageMs, cause);
    this.gaveUpWith = { error, at: now };
    for (const wake of this.waiters) wake(error);
    this.waiters.clear();
    return error;
  }

  /** Resolves with the error when some part gives up (from now on). */
  private nextGiveUp(): { promise: Promise<BrokerUnreachableError>; cancel(): void } {
    let wake!: (error: BrokerUnreachableError) => void;
    const promise = new Promise<BrokerUnreachableError>((resolve) => (wake = resolve));
    this.waiters.add(wake);
    return { promise, cancel: () => this.waiters.delete(wake) };
  }

  /**
   * Runs `action`, retrying it while it fails as an outage does
   * (`isOutageError`, or `transient` if given) until the allowance is
   * exceeded. Other errors reject at once. While in an outage, an attempt is
   * abandoned as soon as another part gives up.
   */
  async retry<T>(what: string, action: () => Promise<T>, transient: (error: unknown) => boolean = isOutageError): Promise<T> {
    let since: number | undefined;
    for (let attempt = 0; ; attempt++) {
      const started = Date.now();
      let result: { value: T } | { error: unknown };
      if (since === undefined) {
        result = await action().then(
          (value) => ({ value }),
          (error: unknown) => ({ error }),
        );
      } else {
        const giveUp = this.nextGiveUp();
        try {
          result = await Promise.race([
            action().then(
              (value) => ({ value }),
              (error: unknown) => ({ error }),
            ),
            giveUp.promise.then((error) => ({ error, gaveUp: true })),
          ]);
        } finally {
          giveUp.cancel();
        }
      }
      if ("value" in result) return result.value;
      const { error } = result;
      // A closed broker retries nothing: its sockets are gone, and a retry left running would keep the process alive.
      if (error instanceof BrokerUnreachableError || !transient(error) || this.closed) throw error;
      // The outage began when the first failing attempt was sent.
      since ??= started;
      const stop = this.exceeded(what, since, error);
      if (stop !== undefined) throw stop;
      await sleep(Math.min(1_000, 100 * 2 ** Math.min(attempt, 4)));
    }
  }
}
