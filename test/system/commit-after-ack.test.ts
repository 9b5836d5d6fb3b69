/**
 * Commit after ack on a real broker: a message's input offset is committed
 * only once everything its handler produced (output and table changelog) was
 * acknowledged. The Kafka broker's producer is wrapped so a test can make a
 * produce slow (held until released) or fail it; nothing may be committed
 * past the message meanwhile.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  codecs,
  createEmitter,
  createProcessor,
  defineGroup,
  defineTopic,
  type BaseContext,
  type Broker,
  type EmitContext,
  type Producer,
  type TableContext,
} from "gokac/runtime";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createKafkaBroker } from "../../runtime/broker/kafka/index.js";
import { overrideBroker } from "../broker-seams.js";
import { describeKafka, eventually, kafkaBrokers, unique } from "./kafka-env.js";

/** Long enough for a commit issued too early to reach the broker (a local round trip takes milliseconds). */
const SETTLE_MS = 1_500;

/** A broker whose producers' sends can be held back (neither sent nor acknowledged), then released (sent) or failed. */
function heldProduce(broker: Broker) {
  let holding = false;
  const held: { release: () => void; fail: (error: Error) => void }[] = [];
  const wrapped = overrideBroker(broker, {
    async producer(): Promise<Producer> {
      const inner = await broker.producer();
      return {
        async send(records) {
          if (!holding) return inner.send(records);
          const gate = new Promise<"release" | Error>((resolve) =>
            held.push({ release: () => resolve("release"), fail: (error) => resolve(error) }),
          );
          const outcome = await gate;
          if (outcome instanceof Error) throw outcome;
          return inner.send(records);
        },
        close: () => inner.close(),
      };
    },
  });
  return {
    broker: wrapped,
    hold: () => void (holding = true),
    held: () => held.length,
    release: () => {
      holding = false;
      for (const h of held.splice(0)) h.release();
    },
    fail: (error: Error) => {
      holding = false;
      for (const h of held.splice(0)) h.fail(error);
    },
  };
}

describeKafka("commit after ack on Kafka", () => {
  let broker: Broker;
  let stateRoot: string;
  beforeAll(() => {
    broker = createKafkaBroker({ brokers: kafkaBrokers(), clientId: "gokac-systemtest-acks" });
    stateRoot = mkdtempSync(join(tmpdir(), "gokac-acks-"));
  });
  afterAll(async () => {
    await broker.close();
    rmSync(stateRoot, { recursive: true, force: true });
  });

  /** Topics and a group that sums its input per key into its table and emits each sum. */
  async function setUp(name: string) {
    const input = defineTopic(unique(`${name}-in`), codecs.int64);
    const sums = defineTopic(unique(`${name}-sums`), codecs.int64);
    await broker.createTopic({ topic: input.name, partitions: 1, compacted: false });
    await broker.createTopic({ topic: sums.name, partitions: 1, compacted: false });
    let handled = 0;
    const group = defineGroup<bigint>(
      {
        group: unique(name),
        inputs: [{ topics: [input.name], codec: input.codec, handler: "add" }],
        persist: { codec: codecs.int64 },
        outputs: [{ topic: sums.name, codec: sums.codec }],
      },
      {
        add(ctx: BaseContext & TableContext<bigint> & EmitContext<Record<string, bigint>>, n: bigint) {
          handled++;
          const sum = ((ctx.value() as bigint | undefined) ?? 0n) + n;
          ctx.setValue(sum);
          ctx.emit(sums.name, ctx.key, sum);
        },
      },
    );
    const committed = () => broker.committedOffset(group.graph.group, input.name, 0);
    return { input, group, committed, handled: () => handled };
  }

  it("a slow produce holds the commit until it is acknowledged", { timeout: 120_000 }, async () => {
    const { input, group, committed, handled } = await setUp("slow-ack");
    const produce = heldProduce(broker);
    const processor = createProcessor(group, { broker: produce.broker, stateDir: join(stateRoot, group.graph.group) });
    const emitter = createEmitter(broker, input);
    try {
      await processor.start();
      await emitter.emit("k", 1n);
      await eventually(async () => (await committed()) === 1, 30_000, "the first commit");

      produce.hold();
      await emitter.emit("k", 2n);
      await eventually(() => produce.held() === 1, 30_000, "the second message's produce");
      expect(handled()).toBe(2);
      await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
      expect(await committed()).toBe(1);

      produce.release();
      await eventually(async () => (await committed()) === 2, 30_000, "the commit after the ack");
      expect(await processor.get("k")).toBe(3n);
    } finally {
      // A failed assertion must not leave the send held: stopping drains it.
      produce.release();
      await processor.stop();
      await emitter.close();
    }
  });

  it(
    "a failed produce stops the processor without committing the message, and a restart handles it again",
    { timeout: 120_000 },
    async () => {
      const { input, group, committed, handled } = await setUp("failed-ack");
      const stateDir = join(stateRoot, group.graph.group);
      const produce = heldProduce(broker);
      const processor = createProcessor(group, { broker: produce.broker, stateDir });
      const emitter = createEmitter(broker, input);
      try {
        await processor.start();
        await emitter.emit("k", 1n);
        await eventually(async () => (await committed()) === 1, 30_000, "the first commit");

        produce.hold();
        await emitter.emit("k", 2n);
        await eventually(() => produce.held() === 1, 30_000, "the second message's produce");
        await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
        produce.fail(new Error("not enough replicas"));
        const error = await processor.done;
        expect(error).toMatchObject({
          name: "ProcessorError",
          kind: "produce",
          retriable: true,
          topic: input.name,
          partition: 0,
          offset: 1,
          key: "k",
        });
        expect(await committed()).toBe(1);
      } finally {
        produce.fail(new Error("test over"));
        await processor.stop();
      }

      // The message was not committed: a restart handles it again, and its sum is the one kept.
      const again = createProcessor(group, { broker, stateDir });
      try {
        await again.start();
        await eventually(async () => (await committed()) === 2, 30_000, "the message handled again");
        expect(handled()).toBe(3);
        expect(await again.get("k")).toBe(3n);
      } finally {
        await again.stop();
        await emitter.close();
      }
    },
  );
});
