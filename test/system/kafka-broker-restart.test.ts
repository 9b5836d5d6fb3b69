/**
 * Goka's view-reconnect systemtest at the port level: a partition reader (what
 * views and joins are built on) keeps serving across a broker restart and
 * catches up with what was produced after it. Uses a spare broker.
 */
import { afterAll, expect, it } from "vitest";
import type { BrokerMessage, Broker } from "../../runtime/broker/port.js";
import { createKafkaBroker } from "../../runtime/broker/kafka/index.js";
import { describeKafka, spareKafka, unique } from "./kafka-env.js";

const bytes = (s: string) => new TextEncoder().encode(s);

describeKafka("a broker that restarts", () => {
  const spare = spareKafka("spare-restart");
  let broker: Broker | undefined;
  afterAll(async () => {
    await broker?.close().catch(() => undefined);
    await spare.stop();
  });

  it("a reader resumes after the restart at its position, losing and repeating nothing", { timeout: 180_000 }, async () => {
    await spare.start();
    broker = createKafkaBroker({ brokers: spare.brokers, readerFailAfterMs: 60_000 });
    const topic = unique("restart-table");
    await broker.createTopic({ topic, partitions: 1, compacted: true });
    const producer = await broker.producer();
    await producer.send(Array.from({ length: 100 }, (_, i) => ({ topic, partition: 0, key: `k${i}`, value: bytes(String(i)) })));
    await producer.close();
    const reader = await broker.reader(topic, 0, 0);
    const seen: BrokerMessage[] = [];
    while (seen.length < 100) seen.push(...(await reader.next(1000)));

    await spare.stop(false);
    const pending = reader.next(1000); // in flight while the broker is down: retried, not failed
    await spare.start();
    seen.push(...(await pending));
    const after = await broker.producer();
    await after.send(Array.from({ length: 50 }, (_, i) => ({ topic, partition: 0, key: `k${100 + i}`, value: bytes(String(100 + i)) })));
    await after.close();
    while (seen.length < 150) seen.push(...(await reader.next(1000)));
    await reader.close();
    expect(seen.map((m) => m.offset)).toEqual(Array.from({ length: 150 }, (_, i) => i));
  });
});
