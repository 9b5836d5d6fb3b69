/**
 * A Kafka producer's send always settles: one whose request never answers
 * rejects with BROKER_UNREACHABLE once the outage allowance is spent, instead
 * of hanging its caller (an emitter) for good.
 */
import { describe, expect, it } from "vitest";
import { OutageGuard } from "../../runtime/broker/kafka/outage.js";
import { settleWithin } from "../../runtime/broker/kafka/producer.js";

describe("settleWithin", () => {
  it("rejects a send that never settles with BROKER_UNREACHABLE after the outage allowance", async () => {
    const outage = new OutageGuard(50, ["127.0.0.1:1"]);
    const error = await settleWithin(outage, new Promise<never>(() => undefined)).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "BROKER_UNREACHABLE", what: "producer" });
    // The other parts of the broker stop riding out the outage too.
    expect(outage.gaveUp).toBe(error);
  });

  it("resolves with the acknowledgement when the send settles in time", async () => {
    const outage = new OutageGuard(60_000, ["127.0.0.1:1"]);
    await expect(settleWithin(outage, Promise.resolve(7))).resolves.toBe(7);
  });
});
