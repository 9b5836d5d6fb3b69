/** The outage allowance of the Kafka broker (runtime/broker/kafka/outage.ts), without a cluster. */
import { describe, expect, it } from "vitest";
import { BrokerUnreachableError, isOutageError, OutageGuard } from "../../runtime/broker/kafka/outage.js";

const connectionError = () => Object.assign(new Error("Connection refused"), { name: "KafkaJSConnectionError", retriable: true });
const gaveUpRetrying = () =>
  Object.assign(new Error("retries exceeded"), { name: "KafkaJSNumberOfRetriesExceeded", retriable: false, cause: connectionError() });

describe("isOutageError", () => {
  it("recognises connection failures, kafkajs giving up on them and retriable protocol errors", () => {
    expect(isOutageError(connectionError())).toBe(true);
    expect(isOutageError(gaveUpRetrying())).toBe(true);
    expect(isOutageError(Object.assign(new Error("leader moving"), { type: "LEADER_NOT_AVAILABLE", retriable: true }))).toBe(true);
  });
  it("refuses everything else", () => {
    expect(isOutageError(new Error("handler bug"))).toBe(false);
    expect(isOutageError(Object.assign(new Error("denied"), { type: "TOPIC_AUTHORIZATION_FAILED", retriable: false }))).toBe(false);
    expect(
      isOutageError(Object.assign(new Error("gave up"), { name: "KafkaJSNumberOfRetriesExceeded", cause: new Error("bad record") })),
    ).toBe(false);
  });
});

describe("OutageGuard.retry", () => {
  it("retries an outage until the action succeeds", async () => {
    const guard = new OutageGuard(5_000, ["b:9092"]);
    let calls = 0;
    const value = await guard.retry("producer", async () => {
      if (++calls < 3) throw connectionError();
      return "sent";
    });
    expect(value).toBe("sent");
    expect(calls).toBe(3);
  });

  it("rejects other errors at once", async () => {
    const guard = new OutageGuard(5_000, ["b:9092"]);
    let calls = 0;
    await expect(
      guard.retry("producer", async () => {
        calls++;
        throw new Error("record too large");
      }),
    ).rejects.toThrow("record too large");
    expect(calls).toBe(1);
  });

  it("gives up past the allowance with BROKER_UNREACHABLE, and every part stuck in the outage with it", async () => {
    const guard = new OutageGuard(300, ["b:9092", "c:9092"]);
    // A second part whose attempts hang (as a request to a dead broker may): it must not wait for them.
    let hanging = 0;
    const stuck = guard.retry("commit", () => {
      hanging++;
      return hanging === 1 ? Promise.reject(connectionError()) : new Promise<never>(() => undefined);
    });
    const started = Date.now();
    const failing = guard.retry("producer", () => Promise.reject(gaveUpRetrying()));
    const error = await failing.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BrokerUnreachableError);
    expect(error).toMatchObject({
      code: "BROKER_UNREACHABLE",
      retriable: true,
      what: "producer",
      brokers: ["b:9092", "c:9092"],
      maxOutageMs: 300,
    });
    expect((error as BrokerUnreachableError).unreachableMs).toBeGreaterThanOrEqual(300);
    expect(Date.now() - started).toBeLessThan(3_000);
    await expect(stuck).rejects.toBe(error);
    expect(guard.gaveUp).toBe(error);
  });

  it("gives a part whose outage began after a give-up its own allowance", async () => {
    const guard = new OutageGuard(200, ["b:9092"]);
    await expect(guard.retry("producer", () => Promise.reject(connectionError()))).rejects.toMatchObject({ code: "BROKER_UNREACHABLE" });
    let calls = 0;
    const value = await guard.retry("producer", async () => {
      if (++calls < 2) throw connectionError();
      return "back";
    });
    expect(value).toBe("back");
  });
});
