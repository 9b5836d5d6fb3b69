/**
 * The places where gokac reaches below kafkajs's public API. kafkajs
 * 2.2.4 is pinned exactly and unmaintained upstream, so these internals will
 * not move; they are checked when a broker is created, failing loudly if a
 * different kafkajs is installed.
 *
 * 1. Partition reads (table recovery, joins, views) need a plain "fetch this
 *    partition from offset N" without a consumer group. kafkajs has no manual
 *    assignment; a throwaway consumer group per reader would cost a
 *    JoinGroup/SyncGroup round (plus the cluster's
 *    `group.initial.rebalance.delay.ms`, 3 s by default) for every partition
 *    and litter the cluster with groups. Instead a reader uses the client's
 *    own `Cluster` (metadata, leader lookup, broker connections) and sends
 *    Fetch requests itself, encoded by kafkajs's own Fetch v11 module as its
 *    consumer does, but keeps the response body undecoded: recovery decodes
 *    it leanly (fetch-decoder.ts), kafkajs's response module being the
 *    fallback. The deep modules are loaded when this file is.
 * 2. Revocation before rejoin: kafkajs rejoins a rebalancing group at once,
 *    with no hook like Java's `onPartitionsRevoked`. A member wraps its
 *    consumer's cluster so the JoinGroup request waits until the processor
 *    has drained and committed the revoked partitions (see group-member.ts).
 *    Along the same path: a restarted member rejoins under its previous
 *    member id (`rejoinAsPreviousMember`), and a member reads its standby
 *    partitions from the SyncGroup answer's userData, which kafkajs drops
 *    (`captureAssignments`, hot standby).
 * 3. Following a moved group coordinator: kafkajs sends heartbeats, commits
 *    and offset fetches to the coordinator it found at the last join; a
 *    member's cluster re-finds it on NOT_COORDINATOR and the like
 *    (`followGroupCoordinator`).
 * 4. A partition leader that cannot be reached while the rest of the cluster
 *    answers (a killed broker before the controller fences it) keeps only
 *    its own fetcher waiting, not every fetcher of the consumer
 *    (unreachable-leader.ts, `fetchPastUnreachableLeaders`).
 * 5. Memory (docs/runtime.md, "Lean group fetches"): a member's Fetch
 *    responses are decoded by gokac (group-fetch.ts, through the consumer's
 *    brokers' request lookup), and kafkajs's quadratic grouping of produced
 *    messages by partition is answered by the messages array itself
 *    (partitioned-messages.ts). The producers' uncompressed Produce requests
 *    are encoded by gokac too (produce-encoder.ts, through the producers'
 *    brokers' request lookup, as the fetches).
 */
import { createRequire } from "node:module";
import type { Kafka } from "kafkajs";

/** What readers ask of a Fetch: one partition from one offset. */
export interface FetchRequest {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly maxWaitMs: number;
  readonly maxBytes: number;
}

/** A protocol request as kafkajs's connections send it: the request encoder and what to make of the response body. */
interface ProtocolRequest {
  readonly request: unknown;
  readonly response: { decode(payload: Buffer): Promise<unknown>; parse(data: unknown): Promise<unknown> };
  readonly requestTimeout: number;
}

/** The slice of kafkajs's internal `Broker` that readers use: its connection pool. */
export interface InternalBroker {
  readonly connectionPool: { send(request: ProtocolRequest): Promise<unknown> };
}

const require = createRequire(import.meta.url);
type FetchV11Request = (args: Record<string, unknown>) => unknown;
/** kafkajs's own Fetch v11 encoder (the version its consumer sends); modules of the pinned kafkajs. */
const fetchV11Request = require("kafkajs/src/protocol/requests/fetch/v11/request.js") as FetchV11Request;
const fetchV11Response = require("kafkajs/src/protocol/requests/fetch/v11/response.js") as {
  decode(payload: Buffer): Promise<unknown>;
  parse(data: unknown): Promise<{ responses: { topicName: string; partitions: InternalPartitionData[] }[] }>;
};
const protocolErrors = require("kafkajs/src/protocol/error.js") as { createErrorFromCode(code: number): Error };
/** kafkajs's consumer's filter of aborted transactions' records, for responses decoded by kafkajs. */
const filterAbortedMessages = require("kafkajs/src/consumer/filterAbortedMessages.js") as (data: {
  messages: InternalMessage[];
  abortedTransactions: unknown;
}) => InternalMessage[];
/**
 * Every read is read committed (isolation level 1): the broker answers up to
 * the last stable offset and lists the aborted transactions of the range,
 * which the decoders skip. Transactional producers (`guarantee:
 * exactly-once`, other clients) then never leak aborted records into tables,
 * views or `gokac tail`.
 */
const READ_COMMITTED = 1;
const keepBody = { decode: (payload: Buffer) => Promise.resolve(payload), parse: (data: unknown) => Promise.resolve(data) };

/**
 * Sends a Fetch v11 for one partition to `broker` and resolves with the
 * response body undecoded (see fetch-decoder.ts).
 */
export async function fetchRaw(broker: InternalBroker, r: FetchRequest): Promise<Buffer> {
  const request = fetchV11Request({
    replicaId: -1,
    isolationLevel: READ_COMMITTED,
    maxWaitTime: r.maxWaitMs,
    minBytes: 1,
    maxBytes: r.maxBytes,
    topics: [{ topic: r.topic, partitions: [{ partition: r.partition, fetchOffset: String(r.offset), maxBytes: r.maxBytes }] }],
  });
  // As kafkajs's consumer: the broker may hold the request for maxWait, then the answer must still arrive.
  return (await broker.connectionPool.send({ request, response: keepBody, requestTimeout: r.maxWaitMs + 30_000 })) as Buffer;
}

/**
 * Decodes a Fetch v11 response body with kafkajs (what fetch-decoder.ts does
 * not handle), the records of aborted transactions removed as kafkajs's
 * consumer removes them; throws the partitions' errors as kafkajs does.
 */
export async function decodeFetchFully(payload: Buffer): Promise<{ topicName: string; partitions: InternalPartitionData[] }[]> {
  const responses = (await fetchV11Response.parse(await fetchV11Response.decode(payload))).responses;
  return responses.map((r) => ({
    topicName: r.topicName,
    partitions: r.partitions.map((p) => ({
      ...p,
      messages: filterAbortedMessages({ messages: p.messages, abortedTransactions: p.abortedTransactions }),
      lastOffset: p.messages.reduce((last, m) => Math.max(last, Number(m.offset)), -1),
    })),
  }));
}

/** The kafkajs error (with `type` and `retriable`) for a Kafka protocol error code. */
export function protocolError(code: number): Error {
  return protocolErrors.createErrorFromCode(code);
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
  /** Read committed: the aborted transactions of the fetched range (`producerId`, `firstOffset`). */
  readonly abortedTransactions?: unknown;
  /** The offset of the last record fetched, aborted ones included (-1: none); set by `decodeFetchFully`. */
  readonly lastOffset?: number;
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
  onEachNewCluster(kafka, (cluster) => {
    const find = cluster.findGroupCoordinator.bind(cluster);
    cluster.findGroupCoordinator = async (group) => {
      await barrier();
      return find(group);
    };
  });
}

/** Calls `adapt` on every internal cluster `kafka` creates from now on (its next consumer's), before kafkajs uses it. */
export function onEachNewCluster(kafka: Kafka, adapt: (cluster: InternalCluster) => void): void {
  const symbol = createClusterSymbol(kafka);
  const record = kafka as unknown as Record<symbol, CreateCluster>;
  const original = record[symbol] as CreateCluster;
  record[symbol] = (options) => {
    const cluster = original.call(kafka, options);
    adapt(cluster);
    return cluster;
  };
}

/** The slice of kafkajs's internal `Broker` that `swapRequestBuilder` patches: a request method and its builder lookup. */
type RequestingBroker = Record<string, unknown> & { lookupRequest(apiKey: number, definition: unknown): unknown };

/**
 * Makes every broker that the clusters `kafka` creates from now on look up
 * build its `method` (`fetch`, `produce`) requests with `swap(builder)`, the
 * builder kafkajs would use for `apiKey` wrapped: for the one synchronous step
 * in which kafkajs's method looks its builder up, the broker's lookup returns
 * the swapped one (kafkajs assigns the lookup on every connect, so it is
 * restored right after). Each broker object is patched once. Lean group
 * fetches (group-fetch.ts) and gokac's produce encoding (produce-encoder.ts)
 * come in this way.
 */
export function swapRequestBuilder<B extends (...args: never[]) => unknown>(
  kafka: Kafka,
  method: "fetch" | "produce",
  apiKey: number,
  swap: (build: B) => B,
): void {
  onEachNewCluster(kafka, (cluster) => {
    const patched = new WeakSet<object>();
    const findBroker = cluster.findBroker.bind(cluster);
    cluster.findBroker = async (node) => {
      const broker = await findBroker(node);
      const b = broker as unknown as Partial<RequestingBroker>;
      const original = b[method];
      if (patched.has(broker) || typeof original !== "function" || typeof b.lookupRequest !== "function") return broker;
      patched.add(broker);
      b[method] = function (this: RequestingBroker, args: unknown): unknown {
        const lookup = this.lookupRequest;
        this.lookupRequest = (key, definition) => {
          const build = lookup.call(this, key, definition);
          return key === apiKey && typeof build === "function" ? swap(build as B) : build;
        };
        try {
          return (original as (args: unknown) => unknown).call(this, args);
        } finally {
          this.lookupRequest = lookup;
        }
      };
      return broker;
    };
  });
}

/**
 * Calls `adapt` once on every group-coordinator broker the clusters `kafka`
 * creates from now on look up (kafkajs keeps and reuses those broker objects).
 */
function onEachCoordinator<C extends object>(kafka: Kafka, adapt: (coordinator: C) => void): void {
  const adapted = new WeakSet<object>();
  onEachNewCluster(kafka, (cluster) => {
    const find = cluster.findGroupCoordinator.bind(cluster);
    cluster.findGroupCoordinator = async (group) => {
      const coordinator = (await find(group)) as C;
      if (!adapted.has(coordinator)) {
        adapted.add(coordinator);
        adapt(coordinator);
      }
      return coordinator;
    };
  });
}

/** The part of a JoinGroup answer `rejoinAsPreviousMember` reads. */
interface JoinGroupAnswer {
  readonly memberId: string;
}

type JoinGroup = (request: { memberId?: string } & Record<string, unknown>) => Promise<JoinGroupAnswer>;

/**
 * Makes the first JoinGroup of the next consumer `kafka` creates use the
 * member id `previous()` resolves with (the id of a previous run of the same
 * processor, which may have been killed), instead of asking for a new one;
 * `joined` gets every id the broker answers with. A dead member's id is still
 * in the group until its session times out: rejoining under it replaces the
 * dead member at once instead of waiting for the timeout. An id the broker no
 * longer knows (UNKNOWN_MEMBER_ID) is dropped and the join repeated with none.
 * kafkajs's consumer has no static membership (`group.instance.id`), which
 * would be the standard way; this is the dynamic-membership equivalent.
 */
export function rejoinAsPreviousMember(
  kafka: Kafka,
  previous: () => Promise<string | undefined>,
  joined: (memberId: string) => void,
): void {
  let tried = false;
  onEachCoordinator<{ joinGroup: JoinGroup }>(kafka, (coordinator) => {
    const join = coordinator.joinGroup.bind(coordinator);
    coordinator.joinGroup = async (request) => {
      let answer: JoinGroupAnswer | undefined;
      if (!tried && (request.memberId ?? "") === "") {
        tried = true;
        const id = await previous().catch(() => undefined);
        if (id !== undefined && id !== "") {
          try {
            answer = await join({ ...request, memberId: id });
          } catch (error) {
            const type = typeof error === "object" && error !== null && "type" in error ? error.type : undefined;
            if (type !== "UNKNOWN_MEMBER_ID") throw error;
          }
        }
      }
      answer ??= await join(request);
      joined(answer.memberId);
      return answer;
    };
  });
}

type SyncGroup = (request: Record<string, unknown>) => Promise<{ memberAssignment: Buffer }>;

/**
 * Hands every SyncGroup answer of the next consumer `kafka` creates (the
 * member's encoded assignment, userData included) to `received`, before
 * kafkajs decodes it and announces the join: kafkajs drops the
 * assignment's userData, where gokac's leader puts the member's standby
 * partitions (sticky-assignment.ts).
 */
export function captureAssignments(kafka: Kafka, received: (memberAssignment: Buffer) => void): void {
  onEachCoordinator<{ syncGroup: SyncGroup }>(kafka, (coordinator) => {
    const sync = coordinator.syncGroup.bind(coordinator);
    coordinator.syncGroup = async (request) => {
      const answer = await sync(request);
      received(answer.memberAssignment);
      return answer;
    };
  });
}

/** Group-coordinator answers that mean "ask the cluster again who coordinates this group". */
const COORDINATOR_MOVED = new Set(["NOT_COORDINATOR_FOR_GROUP", "GROUP_COORDINATOR_NOT_AVAILABLE", "GROUP_LOAD_IN_PROGRESS"]);

/** Whether `error` is a coordinator answer that calls for finding the group's coordinator again. */
export function isCoordinatorMoved(error: unknown): boolean {
  const type = typeof error === "object" && error !== null && "type" in error ? error.type : undefined;
  return typeof type === "string" && COORDINATOR_MOVED.has(type);
}

/** The group requests kafkajs sends to a coordinator it looked up once and keeps (per generation, or for good). */
const COORDINATOR_REQUESTS = ["heartbeat", "offsetCommit", "offsetFetch", "leaveGroup"] as const;
type CoordinatorRequest = (request: Record<string, unknown>) => Promise<unknown>;
type CoordinatorBroker = Record<(typeof COORDINATOR_REQUESTS)[number], CoordinatorRequest>;

/**
 * Makes the next consumer `kafka` creates follow its group's coordinator when
 * it moves (a broker restart, then the cluster's preferred-leader election
 * moving the `__consumer_offsets` partition back): kafkajs's consumer looks
 * the coordinator up only when it joins, and keeps sending heartbeats,
 * commits, offset fetches and the LeaveGroup to that broker. Its commits
 * never look again (a connected broker is reused as long as it is
 * connected), so a commit answered NOT_COORDINATOR fails until the next
 * join, which waits for the revoking commit (`gateGroupJoins`): the member
 * would sit revoked. Here each of those requests goes to the coordinator
 * last found, and on NOT_COORDINATOR / COORDINATOR_NOT_AVAILABLE /
 * COORDINATOR_LOAD_IN_PROGRESS the coordinator is looked up again and the
 * request sent once more to it (a further failure is the caller's to
 * retry), as Java's consumer does. When the coordinator's broker went away
 * (kafkajs's offset manager then asks the cluster for the same node again),
 * the group's coordinator is looked up instead. Call before
 * `gateGroupJoins`: the look-up here must not wait for the gate.
 */
export function followGroupCoordinator(kafka: Kafka): void {
  onEachNewCluster(kafka, (cluster) => {
    const find = cluster.findGroupCoordinator.bind(cluster);
    const raw = new WeakMap<object, CoordinatorBroker>();
    let current: object | undefined;
    let groupId: string | undefined;
    const refind = async (group: string): Promise<object> => {
      const found = (await find({ groupId: group })) as object;
      patch(found);
      current = found;
      return found;
    };
    const connected = (broker: object) => (broker as { isConnected(): boolean }).isConnected();
    // Every broker object of this cluster: kafkajs may swap its coordinator for a fresh object of the same node.
    const patch = (broker: object): void => {
      if (raw.has(broker)) return;
      const target = broker as CoordinatorBroker;
      const originals = {} as CoordinatorBroker;
      for (const name of COORDINATOR_REQUESTS) {
        const send = target[name].bind(broker);
        originals[name] = send;
        target[name] = async (request) => {
          const group = String(request.groupId);
          let to = current ?? broker;
          if (!connected(to)) to = await refind(group);
          try {
            return await (raw.get(to) as CoordinatorBroker)[name](request);
          } catch (error) {
            if (!isCoordinatorMoved(error)) throw error;
            return (raw.get(await refind(group)) as CoordinatorBroker)[name](request);
          }
        };
      }
      raw.set(broker, originals);
    };
    cluster.findGroupCoordinator = async (group) => {
      groupId = group.groupId;
      return refind(group.groupId);
    };
    const findBroker = cluster.findBroker.bind(cluster);
    cluster.findBroker = async (node) => {
      // Only the consumer's offset manager passes its coordinator itself, once disconnected (its broker stopped):
      // kafkajs would reconnect to that node; the group's coordinator is looked up instead.
      if (raw.has(node) && groupId !== undefined) return (await refind(groupId)) as InternalBroker;
      const broker = await findBroker(node);
      patch(broker);
      return broker;
    };
  });
}
