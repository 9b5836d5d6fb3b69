/**
 * Produce acknowledgement control for the in-memory broker. Normally a send is
 * appended and acknowledged asynchronously (after a macrotask, like a network
 * round trip). Holding acks queues sends unappended and unacknowledged until
 * released (or failed), so tests can observe what happens before an ack.
 */

/** A send waiting for its acknowledgement. */
interface PendingSend {
  readonly deliver: () => void;
  readonly reject: (error: Error) => void;
}

/** Test control over produce acknowledgements. */
export interface AckControl {
  /** From now on, new sends wait (not appended, not acknowledged) until `release` or `fail`. */
  hold(): void;
  /** Appends and acknowledges every held send in order, and stops holding. */
  release(): void;
  /** Rejects every held send with `error` (nothing appended), and stops holding. */
  fail(error?: Error): void;
  /** How many sends are held. */
  readonly pending: number;
}

/** The broker side of `AckControl`. */
export interface AckQueue extends AckControl {
  /** Schedules a send: delivered after a macrotask, or held. */
  schedule(send: PendingSend): void;
  /** Sends scheduled but not yet delivered and not held. */
  readonly inFlight: number;
}

/** Creates the ack queue of one broker. */
export function createAckQueue(): AckQueue {
  let holding = false;
  let held: PendingSend[] = [];
  let inFlight = 0;
  return {
    hold() {
      holding = true;
    },
    release() {
      holding = false;
      const sends = held;
      held = [];
      for (const send of sends) send.deliver();
    },
    fail(error = new Error("produce failed (held acks failed by the test)")) {
      holding = false;
      const sends = held;
      held = [];
      for (const send of sends) send.reject(error);
    },
    get pending() {
      return held.length;
    },
    get inFlight() {
      return inFlight;
    },
    schedule(send) {
      if (holding) {
        held.push(send);
        return;
      }
      inFlight++;
      setImmediate(() => {
        inFlight--;
        send.deliver();
      });
    },
  };
}
