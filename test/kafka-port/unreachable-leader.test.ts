/**
 * Which failed broker look-ups let a group member keep fetching (a killed
 * partition leader while the cluster answers) and which stay errors (an
 * outage, the coordinator, other failures).
 */
import { describe, expect, it } from "vitest";
import kafkajs from "kafkajs";
import { createInternalCluster } from "../../runtime/broker/kafka/kafkajs-internals.js";
import { fetchPastUnreachableLeaders, isUnreachableLeader } from "../../runtime/broker/kafka/unreachable-leader.js";

const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { name: "KafkaJSConnectionError", code: "ECONNREFUSED" });

describe("isUnreachableLeader", () => {
  it("is a leader that refuses the connection while another broker is connected", () => {
    expect(isUnreachableLeader(refused, { nodeId: "2" }, true)).toBe(true);
    expect(isUnreachableLeader(refused, { nodeId: 2 }, true)).toBe(true);
  });

  it("is not an outage (no broker connected): the error stays for the outage handling", () => {
    expect(isUnreachableLeader(refused, { nodeId: "2" }, false)).toBe(false);
  });

  it("is not the coordinator broker object kafkajs's offset manager looks up", () => {
    expect(isUnreachableLeader(refused, { nodeId: 2, connectionPool: {} }, true)).toBe(false);
  });

  it("is not a closed connection or any other failure", () => {
    const closed = Object.assign(new Error("Closed connection"), { name: "KafkaJSConnectionClosedError" });
    const other = Object.assign(new Error("Request timed out"), { name: "KafkaJSRequestTimeoutError" });
    expect(isUnreachableLeader(closed, { nodeId: 2 }, true)).toBe(false);
    expect(isUnreachableLeader(other, { nodeId: 2 }, true)).toBe(false);
    expect(isUnreachableLeader(undefined, { nodeId: 2 }, true)).toBe(false);
  });
});

describe("fetchPastUnreachableLeaders", () => {
  /** A cluster of the pinned kafkajs whose broker pool refuses node 2 (no network: the pool is stubbed). */
  function clusterRefusingNode2(connected: boolean) {
    const kafka = new kafkajs.Kafka({ brokers: ["127.0.0.1:1"], logLevel: kafkajs.logLevel.NOTHING });
    fetchPastUnreachableLeaders(kafka, 0);
    const cluster = createInternalCluster(kafka);
    const internals = cluster as unknown as {
      brokerPool: { findBroker(node: unknown): Promise<unknown>; hasConnectedBrokers(): boolean };
      refreshMetadata(): Promise<void>;
    };
    internals.brokerPool.findBroker = () => Promise.reject(refused);
    internals.brokerPool.hasConnectedBrokers = () => connected;
    let refreshes = 0;
    internals.refreshMetadata = () => {
      refreshes++;
      return Promise.resolve();
    };
    return { cluster, refreshes: () => refreshes };
  }

  it("answers kafkajs's consumer with its own broker-not-found (it refreshes the metadata and fetches on)", async () => {
    const { cluster, refreshes } = clusterRefusingNode2(true);
    const error = await cluster.findBroker({ nodeId: 2 }).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "KafkaJSBrokerNotFound", retriable: true, cause: refused });
    // kafkajs's own look-up refreshed the metadata first, as for any connection error.
    expect(refreshes()).toBe(1);
  });

  it("leaves the connection error of an outage as it is", async () => {
    const { cluster } = clusterRefusingNode2(false);
    await expect(cluster.findBroker({ nodeId: 2 })).rejects.toBe(refused);
  });
});
