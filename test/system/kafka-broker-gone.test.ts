/**
 * Goka's systemtest "processor whose broker disappears stops with an error",
 * at the port level: a group member, a reader and a producer on a broker that
 * is stopped must report errors instead of hanging. Uses a spare broker so the
 * shared one keeps serving the other tests.
 */
import { afterAll, expect, it } from "vitest";
import type { Broker } from "../../runtime/broker/port.js";
import { createKafkaBroker } from "../../runtime/broker/kafka/index.js";
import { describeKafka, eventually, spareKafka, unique } from "./kafka-env.js";

describeKafka("a broker that disappears", () => {
  const spare = spareKafka("spare-gone");
  let broker: Broker | undefined;
  afterAll(async () => {
    await broker?.close().catch(() => undefined);
    await spare.stop();
  });

  it("fails the group member, the reader and the producer with errors", { timeout: 180_000 }, async () => {
    await spare.start();
    // A short outage allowance: past it every part fails (the default rides out minutes).
    broker = createKafkaBroker({
      brokers: spare.brokers,
      group: { sessionTimeoutMs: 10_000, retries: 3 },
      readerFailAfterMs: 5_000,
      maxOutageMs: 5_000,
    });
    const topic = unique("gone-in");
    await broker.createTopic({ topic, partitions: 2, compacted: false });
    const errors: Error[] = [];
    let assigned = false;
    await broker.joinGroup({
      group: unique("gone-group"),
      topics: [topic],
      callbacks: {
        async onAssigned() {
          assigned = true;
        },
        async onRevoked() {},
        async onBatch() {},
        onError(error) {
          errors.push(error);
        },
      },
    });
    await eventually(() => assigned, 30_000, "assignment");
    const reader = await broker.reader(topic, 0, 0);
    const producer = await broker.producer();

    let stoppedAt = Date.now();
    await spare.stop(false);
    console.log(`spare broker stopped in ${Date.now() - stoppedAt} ms`);
    stoppedAt = Date.now();
    await eventually(() => errors.length > 0, 90_000, "onError");
    const memberFailedAfter = Date.now() - stoppedAt;
    let t = Date.now();
    await expect(reader.next(100)).rejects.toMatchObject({ code: "BROKER_UNREACHABLE" });
    const readerFailedAfter = Date.now() - t;
    t = Date.now();
    await expect(producer.send([{ topic, partition: 0, key: "k", value: null }])).rejects.toMatchObject({ code: "BROKER_UNREACHABLE" });
    const producerFailedAfter = Date.now() - t;
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: "BROKER_UNREACHABLE" });
    console.log(
      `lost broker reported after: member ${memberFailedAfter} ms, reader ${readerFailedAfter} ms, producer ${producerFailedAfter} ms`,
    );
  });
});
