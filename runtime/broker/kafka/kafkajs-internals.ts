/**
 * The two places where gokac reaches below kafkajs's public API. kafkajs
 * 2.2.4 is pinned exactly and unmaintained upstream, so these internals will
 * not move; both are checked when a broker is created, failing loudly if a
 * different kafkajs is installed.
 *
 * 1. Partition reads (table recovery, joins, views) need a plain "fetch this
 *    partition from offset N" without a consumer group. kafkajs has no manual
 *    assignment; a throwaway consumer group per reader would cost a
 *    JoinGroup/SyncGroup round (plus the cluster's
 *    `group.initial.rebalance.delay.ms`, 3 s by default) for every partition
 *    and litter the cluster with groups. Instead a reader uses the client's
 *    own `Cluster` (metadata, leader lookup, broker connections) and sends
 *    Fetch requests itself, exactly like kafkajs's consumer does internally.
 * 2. Revocation before rejoin: kafkajs rejoins a rebalancing group at once,
 *    with no hook like Java's `onPartitionsRevoked`. A member wraps its
 *    consumer's cluster so the JoinGroup request waits until the processor
 *    has drained and committed the revoked partitions (see group-member.ts).
 */
import type { Kafka } from "kafkajs";

/** The slice of kafkajs's internal `Broker` that readers use. */
export interface InternalBroker {
  fetch(request: {
    replicaId?: number;
    isolationLevel?: number;
    maxWaitTime: number;
    minBytes: number;
    maxBytes: number;
    topics: { topic: string; partitions: { partition: number; fetchOffset: string; maxBytes: number }[] }[];
  }): Promise<{ responses: { topicName: string; partitions: InternalPartitionData[] }[] }>;
}

/** A decoded message as kafkajs's Fetch response parser returns it. */
export interface InternalMessage {
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
  readonly timestamp: string;
  readonly headers?: Record<string, Buffer | Buffer[] | undefined>;
  readonly isControlRecord?: boolean;
}

/** One partition of a Fetch response, decoded by kafkajs. */
export interface InternalPartitionData {
  readonly partition: number;
  readonly errorCode: number;
  readonly highWatermark: string;
  readonly messages: InternalMessage[];
}

/** The slice of kafkajs's internal `Cluster` gokac uses. */
export interface InternalCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  refreshMetadata(): Promise<void>;
  addTargetTopic(topic: string): Promise<void>;
  findTopicPartitionMetadata(topic: string): { partitionId: number; leader: number }[];
  findBroker(node: { nodeId: number }): Promise<InternalBroker>;
  findGroupCoordinator(group: { groupId: string }): Promise<unknown>;
}

type CreateCluster = (options: Record<string, unknown>) => InternalCluster;

function createClusterSymbol(kafka: Kafka): symbol {
  const symbol = Object.getOwnPropertySymbols(kafka).find((s) => s.description === "private:Kafka:createCluster");
  if (symbol === undefined || typeof (kafka as unknown as Record<symbol, unknown>)[symbol] !== "function") {
    throw new Error("gokac needs kafkajs 2.2.4 exactly (its internal cluster factory was not found)");
  }
  return symbol;
}

/** Creates a new internal cluster of `kafka` (its own connections), for partition reads. */
export function createInternalCluster(kafka: Kafka, options: { metadataMaxAge?: number } = {}): InternalCluster {
  const factory = (kafka as unknown as Record<symbol, CreateCluster>)[createClusterSymbol(kafka)] as CreateCluster;
  return factory.call(kafka, { metadataMaxAge: options.metadataMaxAge ?? 300_000, allowAutoTopicCreation: false });
}

/**
 * Makes every cluster `kafka` creates from now on (its next consumer's) wait
 * for `barrier()` before looking up the group coordinator, which kafkajs does
 * first thing in every JoinGroup. `kafka` must be a client used for one
 * consumer only.
 */
export function gateGroupJoins(kafka: Kafka, barrier: () => Promise<void>): void {
  const symbol = createClusterSymbol(kafka);
  const record = kafka as unknown as Record<symbol, CreateCluster>;
  const original = record[symbol] as CreateCluster;
  record[symbol] = (options) => {
    const cluster = original.call(kafka, options);
    const find = cluster.findGroupCoordinator.bind(cluster);
    cluster.findGroupCoordinator = async (group) => {
      await barrier();
      return find(group);
    };
    return cluster;
  };
}
