/**
 * A group member's fetches while one broker cannot be reached but the rest
 * of the cluster answers (a broker killed, before the controller fences it
 * and its partitions get new leaders; `broker.session.timeout.ms`, 9 s by
 * default).
 *
 * kafkajs runs one fetcher per broker. A fetch whose leader refuses the
 * connection throws out of its fetcher, which stops every fetcher (the
 * partitions of healthy brokers too) and restarts them all after the
 * consumer's retry backoff, growing 0.3, 0.6, 1.2, 2.4, 3 s; after the
 * retries it crashes the consumer, whose restart rejoins the group (a
 * rebalance of every member). So the partitions resumed only at the first
 * retry after the leaders moved: up to 3 s after, and a rejoin when the
 * fencing took longer than the retries.
 *
 * Here such a failure becomes kafkajs's "broker not found", which its
 * consumer answers by refreshing the metadata and fetching again: only the
 * dead broker's fetcher waits, in steps of `waitMs`, each with fresh
 * metadata, and moves on as soon as the metadata names the new leaders.
 * When no broker answers (an outage) the error is left as it is, for the
 * outage handling (outage.ts).
 */
import { createRequire } from "node:module";
import type { Kafka } from "kafkajs";
import { onEachNewCluster } from "./kafkajs-internals.js";

const require = createRequire(import.meta.url);
/** kafkajs's own error class (of the pinned kafkajs), which its consumer's fetch recovers from. */
const { KafkaJSBrokerNotFound } = require("kafkajs/src/errors.js") as {
  KafkaJSBrokerNotFound: new (message: string, options?: { cause?: unknown }) => Error;
};

/** How long a fetcher whose leader cannot be reached waits before it looks at fresh metadata again. */
export const UNREACHABLE_LEADER_WAIT_MS = 250;

/** A broker look-up as kafkajs's cluster takes it: a node id, or (from its offset manager) a broker object. */
type BrokerLookUp = { readonly nodeId: number | string } & Record<string, unknown>;

/**
 * Whether a failed look-up of `node` should let the consumer fetch on: the
 * connection to that one broker failed (`KafkaJSConnectionError`, not a
 * closed connection or another error), the look-up was by node id (not the
 * coordinator broker kafkajs's offset manager passes, see
 * `followGroupCoordinator`), and another broker of the cluster is connected.
 */
export function isUnreachableLeader(error: unknown, node: BrokerLookUp, clusterConnected: boolean): boolean {
  const name = typeof error === "object" && error !== null && "name" in error ? error.name : undefined;
  return name === "KafkaJSConnectionError" && !("connectionPool" in node) && clusterConnected;
}

/**
 * Makes the next consumer `kafka` creates keep fetching from the other
 * brokers while one partition leader cannot be reached (see the file's
 * comment). `kafka` must be a client used for one consumer only.
 */
export function fetchPastUnreachableLeaders(kafka: Kafka, waitMs = UNREACHABLE_LEADER_WAIT_MS): void {
  onEachNewCluster(kafka, (cluster) => {
    const connected = cluster as unknown as { isConnected(): boolean };
    const findBroker = cluster.findBroker.bind(cluster);
    cluster.findBroker = async (node) => {
      try {
        return await findBroker(node);
      } catch (error) {
        // kafkajs has refreshed the metadata already (findBroker does on connection errors).
        if (!isUnreachableLeader(error, node as BrokerLookUp, connected.isConnected())) throw error;
        await new Promise((resolve) => setTimeout(resolve, waitMs));
        const reason = error instanceof Error ? error.message : String(error);
        throw new KafkaJSBrokerNotFound(`broker ${String(node.nodeId)} cannot be reached (${reason})`, { cause: error });
      }
    };
  });
}
