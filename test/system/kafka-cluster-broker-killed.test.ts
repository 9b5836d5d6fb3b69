/**
 * On a 3-node cluster of its own (replication factor 3, min.insync.replicas
 * 2), a counting group under steady load loses nothing when one broker is
 * killed with SIGKILL: every acknowledged input is in the input topic, and the
 * group table ends equal to the fold of the input, or above it by the
 * messages at-least-once counted twice (reported, not failed). And a group
 * keeps counting when its coordinator moves to another broker and back (the
 * coordinator's broker restarted, then the preferred-leader election giving
 * it back the group's `__consumer_offsets` partition).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  codecs,
  createEmitter,
  createKafkaBroker,
  createProcessor,
  defineGroup,
  defineTopic,
  type Broker,
  type Processor,
} from "gokac/runtime";
import { Kafka, logLevel } from "kafkajs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createInternalCluster } from "../../runtime/broker/kafka/kafkajs-internals.js";
import { startCluster, type LocalCluster } from "../../scripts/chaos/cluster.js";
import { checkCountFold } from "../../scripts/chaos/fold-check.js";
import { describeKafka, eventually, unique } from "./kafka-env.js";

describeKafka("a 3-broker cluster losing a broker under load", () => {
  const root = mkdtempSync(join(tmpdir(), "gokac-cluster-"));
  let cluster: LocalCluster | undefined;
  let broker: Broker | undefined;
  let processor: Processor<bigint> | undefined;
  let moved: { broker: Broker; processor: Processor<bigint> } | undefined;

  beforeAll(async () => {
    // Three JVMs starting beside the other system tests: a generous readiness allowance.
    cluster = await startCluster({ dir: join(root, "kafka"), nodes: 3, heap: "320m", readyTimeoutSeconds: 300 });
  }, 420_000);
  afterAll(async () => {
    await processor?.stop().catch(() => undefined);
    await broker?.close().catch(() => undefined);
    await moved?.processor.stop().catch(() => undefined);
    await moved?.broker.close().catch(() => undefined);
    await cluster?.stop(true).catch(() => undefined);
    rmSync(root, { recursive: true, force: true });
  }, 120_000);

  it("counts every input once or more after a broker is killed", { timeout: 300_000 }, async () => {
    const bootstrap = cluster!.bootstrap;
    broker = createKafkaBroker({ brokers: bootstrap, group: { sessionTimeoutMs: 10_000 } });
    const input = defineTopic(unique("cluster-in"), codecs.string);
    const group = unique("cluster-count");
    await broker.createTopic({ topic: input.name, partitions: 4, compacted: false });
    const definition = defineGroup<bigint>(
      { group, inputs: [{ topics: [input.name], codec: codecs.string, handler: "onInput" }], persist: { codec: codecs.int64 } },
      {
        onInput: async (ctx: { value(): Promise<bigint | undefined> | bigint | undefined; setValue(v: bigint): void }) => {
          ctx.setValue(((await ctx.value()) ?? 0n) + 1n);
        },
      },
    );
    processor = createProcessor(definition, { broker, stateDir: join(root, "state") });
    let failure: Error | undefined;
    void processor.done.then((error) => (failure = error));
    await processor.start();

    // Steady load: rounds over 40 keys; a send the cluster refused is tried again (the fold reads the topic, not this count).
    const emitter = createEmitter(broker, input);
    const keys = Array.from({ length: 40 }, (_, i) => `k${i}`);
    let acknowledged = 0;
    let refused = 0;
    let stopLoad = false;
    const load = (async () => {
      while (!stopLoad) {
        await Promise.all(
          keys.map(async (key) => {
            for (;;) {
              try {
                await emitter.emit(key, "x");
                acknowledged++;
                return;
              } catch {
                refused++;
                await new Promise((resolve) => setTimeout(resolve, 200));
              }
            }
          }),
        );
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();

    await eventually(async () => ((await processor!.get("k0")) ?? 0n) >= 10n, 60_000, "the group counting");
    await cluster!.killNode(1);
    const acknowledgedAtKill = acknowledged;
    await eventually(() => acknowledged >= acknowledgedAtKill + 40 * 20, 120_000, "load going on after the kill");
    stopLoad = true;
    await load;
    await emitter.close();

    // The group catches up with the input: no key short of its input count.
    let check = await checkCountFold(bootstrap, input.name, `${group}-table`);
    await eventually(
      async () => {
        check = await checkCountFold(bootstrap, input.name, `${group}-table`);
        return check.lost === 0 || failure !== undefined;
      },
      120_000,
      "the table to reach the fold of the input",
    );
    console.log(
      `3-broker cluster, node 1 killed: ${acknowledged} sends acknowledged (${refused} refused and retried), ` +
        `${check.inputs} inputs over ${check.keys} keys, lost ${check.lost}, doubled ${check.doubled} (${check.keysOver} keys)`,
    );
    expect(failure).toBeUndefined();
    expect(check.inputs).toBeGreaterThanOrEqual(acknowledged);
    expect(check.keys).toBe(keys.length);
    expect(check.lost).toBe(0);
  });

  it("keeps counting when the group coordinator moves to another broker and back", { timeout: 400_000 }, async () => {
    const bootstrap = cluster!.bootstrap;
    // The test before killed node 1: all three nodes up again (a no-op for a running node).
    await cluster!.startNode(1);
    const client = new Kafka({ clientId: "coordinator-probe", brokers: bootstrap.split(","), logLevel: logLevel.NOTHING });
    const probe = createInternalCluster(client, { metadataMaxAge: 1_000 });
    await probe.connect();
    // Every group coordinator with its preferred broker (the first replica of its __consumer_offsets partition): the
    // election gives the coordinator back to that broker only, so the one stopped below must be it.
    const admin = client.admin();
    await admin.connect();
    const balanced = async () => {
      const { topics } = await admin.fetchTopicMetadata({ topics: ["__consumer_offsets"] });
      return (topics[0]?.partitions ?? []).every((p) => p.leader === p.replicas[0]);
    };
    await eventually(balanced, 120_000, "every coordinator on its preferred broker");
    const coordinatorOf = async (groupId: string): Promise<number> => {
      await probe.refreshMetadata();
      return ((await probe.findGroupCoordinator({ groupId })) as { nodeId: number }).nodeId;
    };

    const b = createKafkaBroker({ brokers: bootstrap, group: { sessionTimeoutMs: 10_000 } });
    const input = defineTopic(unique("coord-in"), codecs.string);
    const group = unique("coord-count");
    await b.createTopic({ topic: input.name, partitions: 4, compacted: false });
    const definition = defineGroup<bigint>(
      { group, inputs: [{ topics: [input.name], codec: codecs.string, handler: "onInput" }], persist: { codec: codecs.int64 } },
      {
        onInput: async (ctx: { value(): Promise<bigint | undefined> | bigint | undefined; setValue(v: bigint): void }) => {
          ctx.setValue(((await ctx.value()) ?? 0n) + 1n);
        },
      },
    );
    const p = createProcessor(definition, { broker: b, stateDir: join(root, "state-coord") });
    moved = { broker: b, processor: p };
    let failure: Error | undefined;
    void p.done.then((error) => (failure = error));
    await p.start();

    // Steady load on key "k" (every send retried until acknowledged), so the group has offsets to commit at every rebalance.
    const emitter = createEmitter(b, input);
    let acknowledged = 0;
    let stopLoad = false;
    const load = (async () => {
      while (!stopLoad) {
        await emitter.emit("k", "x").then(
          () => acknowledged++,
          () => new Promise((resolve) => setTimeout(resolve, 200)),
        );
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    /** Waits until the group counted `more` messages beyond the most it had counted when called (0 while it owns no partition). */
    let seen = 0n;
    const counted = async () => {
      const n = (await p.get("k")) ?? 0n;
      if (n > seen) seen = n;
      return n;
    };
    const counting = async (more: bigint, what: string) => {
      await counted();
      const from = seen;
      await eventually(async () => failure !== undefined || (await counted()) >= from + more, 120_000, what);
      expect(failure).toBeUndefined();
    };

    await counting(50n, "the group counting");
    const home = await coordinatorOf(group);
    await cluster!.stopNode(home);
    let away = home;
    await eventually(async () => (away = await coordinatorOf(group).catch(() => home)) !== home, 60_000, "the coordinator moving away");
    await counting(50n, "the group counting with the coordinator moved away");
    await cluster!.startNode(home);
    // The preferred-leader election (every 10 s on these clusters) gives the coordinator back to its first broker.
    await eventually(async () => (await coordinatorOf(group).catch(() => away)) === home, 120_000, "the coordinator moving back");
    await counting(300n, "the group counting after the coordinator moved back");

    stopLoad = true;
    await load;
    await emitter.close();
    const total = await counted();
    const stopping = Date.now();
    await p.stop();
    console.log(
      `coordinator of ${group}: node ${home}, then ${away}, then ${home} again; ${acknowledged} sends acknowledged, ` +
        `counted ${String(total)}; the processor stopped in ${Date.now() - stopping} ms`,
    );
    await b.close();
    await probe.disconnect();
    await admin.disconnect();
    expect(failure).toBeUndefined();
  });
});
