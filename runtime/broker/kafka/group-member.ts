/**
 * A consumer-group member over a kafkajs consumer, with Goka's membership
 * lifecycle on top of kafkajs's eager rebalancing:
 *
 * 1. Every rebalance revokes all partitions, then assigns the new set
 *    (`onRevoked` then `onAssigned`, serialised), as Goka does.
 * 2. Revocation happens before this member rejoins: kafkajs's JoinGroup waits
 *    for `onRevoked` (kafkajs-internals.ts, gateGroupJoins), so the processor
 *    drains and commits with the old generation while the group is still
 *    preparing the rebalance, and no other member gets the partitions before.
 * 3. A batch is handed to `onBatch` only after `onAssigned` of its generation
 *    resolved, or the processor reported its partition ready
 *    (`partitionReady`, so a partition that stayed does not wait for the
 *    recovery of one that moved here); one that arrives for a stale
 *    generation is dropped unresolved, so kafkajs fetches it again from the
 *    committed offset.
 * 4. Heartbeats keep going while a batch (or the recovery before it) runs.
 * 5. Any terminal failure (kafkajs crash without restart, `onBatch` or
 *    `onAssigned` rejecting) calls `onError` once and stops the member.
 * 6. Outages (with an `OutageGuard`): when kafkajs gives up on an unreachable
 *    cluster, the consumer restarts (reconnects and rejoins; the rejoin
 *    revokes and reassigns as in 1) for as long as the guard allows, counted
 *    from the member's last contact (fetch, heartbeat, join, commit); commits
 *    wait through it. Past the allowance the member fails with
 *    `BrokerUnreachableError`.
 * 6b. A partition leader that cannot be reached while the rest of the
 *    cluster answers (a killed broker, until the controller fences it)
 *    holds only its own partitions: the member keeps fetching from the
 *    other brokers and follows the new leaders as soon as the metadata
 *    names them (unreachable-leader.ts).
 * 7. Hot standby (`GroupOptions.standby`): the member reports the partitions
 *    it owned and the offsets of its local table copies in its JoinGroup
 *    metadata; the leader's sticky assignment (sticky-assignment.ts) sends
 *    back, in the assignment's userData, the partitions to keep warm
 *    (`onStandby`, called before `onAssigned`). Standby copies are not
 *    revoked by a rebalance: they only change with the next assignment.
 */
import kafkajs, { type Consumer, type EachBatchPayload, type Kafka } from "kafkajs";
import { asError } from "../../errors.js";
import type { BrokerMessage, GroupMember, GroupOptions, TopicPartition } from "../port.js";
import { createCopartitionedAssigner } from "./copartitioned-assigner.js";
import type { ConsumerFetchSizes } from "./fetch-budget.js";
import { captureAssignments, followGroupCoordinator, gateGroupJoins, rejoinAsPreviousMember } from "./kafkajs-internals.js";
import { decodeStandbyAssignment } from "./sticky-assignment.js";
import { decodedMessagesOf, leanGroupFetches } from "./group-fetch.js";
import { toBrokerMessage } from "./messages.js";
import { fetchPastUnreachableLeaders } from "./unreachable-leader.js";
import { isOutageError, type OutageGuard } from "./outage.js";

// kafkajs is CommonJS whose exports Node cannot all detect by name: take them from the default export.
const { AssignerProtocol } = kafkajs;

/** Timings of a member; the defaults suit tests and production alike. */
export interface GroupMemberSettings {
  readonly sessionTimeoutMs?: number;
  readonly heartbeatIntervalMs?: number;
  /** How long a fetch waits for new messages; bounds the latency of a quiet topic. */
  readonly maxWaitMs?: number;
  /** Retries of failing broker requests before the member gives up and reports `onError`. */
  readonly retries?: number;
  /** Fetch sizes of the member's consumer (fetch-budget.ts); kafkajs's defaults (10 MiB, 1 MiB a partition) without. */
  readonly fetch?: ConsumerFetchSizes;
  /** Decode fetched records with gokac's lean decoder (group-fetch.ts; default true); `false`: kafkajs's decoder. */
  readonly leanFetch?: boolean;
}

/** The consumer session timeout when none is given: a member that dies silently (SIGKILL) is noticed after this long. */
export const DEFAULT_SESSION_TIMEOUT_MS = 30_000;

/**
 * How often a member heartbeats when none is given. A heartbeat is how a member learns that the group
 * rebalances (another member left or joined): every member pauses from the first one's revocation until
 * the last one noticed and rejoined, so this bounds a planned change's pause (docs/runtime.md, Rebalances).
 * kafkajs's default is 3 s; a heartbeat is a small request to the group coordinator.
 */
export const DEFAULT_HEARTBEAT_INTERVAL_MS = 250;

function isRebalancing(error: unknown): boolean {
  const type = typeof error === "object" && error !== null && "type" in error ? error.type : undefined;
  return type === "REBALANCE_IN_PROGRESS" || type === "NOT_COORDINATOR_FOR_GROUP" || type === "ILLEGAL_GENERATION";
}

/**
 * Joins `options.group` with a fresh kafkajs client from `newClient` (the
 * client must serve this member only: its cluster factory is wrapped).
 * Resolves once the first assignment's `onAssigned` resolved (or the member
 * failed, reported through `onError`).
 */
export async function joinKafkaGroup(
  newClient: () => Kafka,
  options: GroupOptions,
  settings: GroupMemberSettings = {},
  outage?: OutageGuard,
): Promise<GroupMember> {
  const { callbacks } = options;
  const kafka = newClient();
  let membership: Promise<void> = Promise.resolve();
  let assigned: number[] = [];
  let ready: Promise<void> = Promise.resolve();
  /** Per partition of the current assignment: resolves once the processor reported it ready (before `ready`, perhaps). */
  let partitionsReady = new Map<number, Promise<void>>();
  let epoch = 0;
  let stopped = false;
  let leaving = false;
  const running = new Set<Promise<void>>();
  /** When the member last heard from the cluster, and whether kafkajs is restarting the consumer after a crash. */
  let lastContact = Date.now();
  let restarting = false;
  /** Set when the outage allowance ran out: the error the member fails with. */
  let unreachable: Error | undefined;

  /** Runs membership callbacks one after the other; a failing one fails the member (the promise still resolves). */
  function serial(step: () => Promise<void>): Promise<void> {
    membership = membership.then(() => (stopped ? undefined : step())).catch((error: unknown) => fail(error));
    return membership;
  }

  function revokeAll(): Promise<void> {
    // Before queueing: a recovery running in onAssigned gives up now rather than after the rebalance timeout.
    callbacks.onRebalanceStarted?.();
    const partitions = assigned;
    assigned = [];
    epoch++;
    return partitions.length === 0 ? membership : serial(() => callbacks.onRevoked(partitions));
  }

  // joinGroup resolves once the first assignment was handed over (as the in-memory broker does), or the member failed.
  let firstAssignment: () => void = () => undefined;
  const assignedOnce = new Promise<void>((resolve) => (firstAssignment = resolve));

  let consumer: Consumer | undefined;
  function fail(error: unknown): void {
    if (stopped) return;
    stopped = true;
    firstAssignment();
    callbacks.onError(asError(error));
    void consumer?.disconnect().catch(() => undefined);
  }

  // First: its coordinator look-ups must not wait for the gate (a revoking commit may need one).
  followGroupCoordinator(kafka);
  // A killed broker stops only its own fetcher until its partitions' leaders move, not every fetcher.
  fetchPastUnreachableLeaders(kafka);
  if (settings.leanFetch !== false) leanGroupFetches(kafka);
  gateGroupJoins(kafka, () => membership);
  const memberIds = options.memberIds;
  if (memberIds !== undefined) {
    let saved: string | undefined;
    rejoinAsPreviousMember(
      kafka,
      () => memberIds.load(),
      (id) => {
        if (id === saved) return;
        saved = id;
        // Best effort: a lost id only costs the next restart the session timeout.
        void memberIds.save(id).catch(() => undefined);
      },
    );
  }
  // Hot standby: the member reports what it owned and holds warm; the leader's assignment carries its standby partitions.
  let lastActive: readonly number[] = [];
  let standby: number[] = [];
  captureAssignments(kafka, (raw) => {
    standby = decodeStandbyAssignment(AssignerProtocol.MemberAssignment.decode(raw)?.userData ?? null);
  });
  const assigner = createCopartitionedAssigner(() => ({
    active: lastActive,
    warm: callbacks.warmOffsets?.() ?? new Map(),
    standby: options.standby ?? 0,
  }));
  const retries = settings.retries ?? 5;
  consumer = kafka.consumer({
    groupId: options.group,
    partitionAssigners: [assigner],
    sessionTimeout: settings.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS,
    rebalanceTimeout: 60_000,
    heartbeatInterval: settings.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS,
    maxWaitTimeInMs: settings.maxWaitMs ?? 250,
    ...settings.fetch,
    allowAutoTopicCreation: false,
    retry: {
      retries,
      initialRetryTime: 300,
      maxRetryTime: 3_000,
      // Called for retriable crashes only (kafkajs gave up retrying): restart within the outage allowance.
      restartOnFailure: async (error: Error) => {
        if (outage === undefined || stopped || leaving) return false;
        unreachable = outage.exceeded(`group member of ${options.group}`, lastContact, error);
        if (unreachable !== undefined) return false;
        restarting = true;
        return true;
      },
    },
  });
  const { REBALANCING, GROUP_JOIN, CRASH, FETCH, HEARTBEAT, COMMIT_OFFSETS, STOP } = consumer.events;
  const contact = () => {
    lastContact = Date.now();
  };
  consumer.on(FETCH, contact);
  consumer.on(HEARTBEAT, contact);
  consumer.on(COMMIT_OFFSETS, contact);
  // kafkajs stops its runner before deciding on a restart: commits wait from here, not fail.
  consumer.on(STOP, () => {
    if (!leaving && !stopped) restarting = true;
  });
  consumer.on(REBALANCING, () => {
    void revokeAll();
  });
  consumer.on(GROUP_JOIN, ({ payload }) => {
    contact();
    restarting = false;
    // A rejoin kafkajs did without announcing a rebalance (e.g. after UNKNOWN_MEMBER_ID) still revokes first.
    void revokeAll();
    const partitions = [...new Set(Object.values(payload.memberAssignment).flat())].sort((a, b) => a - b);
    assigned = partitions;
    lastActive = partitions;
    // Standby copies change first: a promoted copy closes before its partition opens as active.
    const copies = standby.filter((p) => !partitions.includes(p));
    if (callbacks.onStandby !== undefined) void serial(() => callbacks.onStandby!(copies));
    const reporters = new Map<number, () => void>();
    partitionsReady = new Map(partitions.map((p) => [p, new Promise<void>((resolve) => reporters.set(p, resolve))]));
    ready = serial(() => callbacks.onAssigned(partitions, (p) => reporters.get(p)?.()));
    void ready.then(() => firstAssignment());
  });
  consumer.on(CRASH, ({ payload }) => {
    if (payload.restart) return;
    // kafkajs does not restart on some errors an outage causes (e.g. no coordinator found): restart it here.
    if (unreachable === undefined && outage !== undefined && !stopped && !leaving && isOutageError(payload.error)) {
      unreachable = outage.exceeded(`group member of ${options.group}`, lastContact, payload.error);
      if (unreachable === undefined) {
        void restartConsumer();
        return;
      }
    }
    fail(unreachable ?? payload.error);
  });

  /** Runs the crashed consumer again (it reconnects and rejoins); failures to do so count against the outage allowance. */
  async function restartConsumer(): Promise<void> {
    restarting = true;
    for (;;) {
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      if (stopped || leaving || outage === undefined || consumer === undefined) return;
      try {
        // Crashes from here on come as CRASH events again.
        await consumer.run(runConfig);
        return;
      } catch (error) {
        unreachable = outage.exceeded(`group member of ${options.group}`, lastContact, error);
        if (unreachable !== undefined) return fail(unreachable);
      }
    }
  }

  async function eachBatch({ batch, resolveOffset, heartbeat, isStale }: EachBatchPayload): Promise<void> {
    const mine = epoch;
    let rebalancing = false;
    const beat = setInterval(() => {
      heartbeat().catch((error: unknown) => {
        if (isRebalancing(error)) rebalancing = true;
      });
    }, settings.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS);
    try {
      // Wait for this generation's onAssigned (or its partition's readiness), but give up if the group starts rebalancing meanwhile.
      let settled = false;
      const done = Promise.race([ready, partitionsReady.get(batch.partition) ?? ready]).then(() => (settled = true));
      while (!settled && !rebalancing && !stopped && epoch === mine) {
        await Promise.race([done, new Promise((resolve) => setTimeout(resolve, 200))]);
      }
      if (!settled || stopped || leaving || epoch !== mine || isStale()) return;
      const messages: BrokerMessage[] = [];
      const decoded = decodedMessagesOf(batch.messages);
      // Messages kafkajs decoded (an old message format, or the lean decoder turned off).
      for (const m of decoded === undefined ? batch.messages : []) {
        try {
          messages.push(toBrokerMessage(batch.topic, batch.partition, m));
        } catch (error) {
          // Never outside the member's error handling: the processor stops with the message's coordinates.
          const key = m.key === null ? "" : m.key.toString("utf8");
          fail(
            new Error(
              `group ${options.group}: cannot read ${batch.topic}/${batch.partition}@${m.offset} key ${JSON.stringify(key)}: ${asError(error).message}`,
              { cause: error },
            ),
          );
          return;
        }
      }
      const work = callbacks.onBatch({ topic: batch.topic, partition: batch.partition, messages: decoded ?? messages });
      running.add(work);
      try {
        await work;
      } catch (error) {
        fail(error);
        return;
      } finally {
        running.delete(work);
      }
      const last = batch.messages[batch.messages.length - 1];
      if (last !== undefined && epoch === mine) resolveOffset(last.offset);
    } finally {
      clearInterval(beat);
    }
  }

  const runConfig = {
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: 64,
    eachBatch,
  };
  try {
    await consumer.connect();
    // Goka starts a new group at the oldest offset: nothing produced before the first start is skipped.
    await consumer.subscribe({ topics: [...options.topics], fromBeginning: true });
    await consumer.run(runConfig);
  } catch (error) {
    stopped = true;
    await consumer.disconnect().catch(() => undefined);
    throw error;
  }
  await assignedOnce;

  return {
    async commit(offsets: readonly (TopicPartition & { readonly offset: number })[]): Promise<void> {
      if (stopped) throw new Error(`gokac: group ${options.group}: commit after the member stopped`);
      if (offsets.length === 0) return;
      const request = () =>
        consumer.commitOffsets(offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: String(o.offset) })));
      if (outage === undefined) return request();
      // Through an outage (and the consumer's restart after it) the commit waits; it lands with the new generation.
      await outage.retry(`commit of group ${options.group}`, request, (error) => !stopped && (restarting || isOutageError(error)));
    },
    async leave(): Promise<void> {
      if (leaving) return;
      leaving = true;
      await Promise.allSettled([...running]);
      if (!stopped) await revokeAll();
      stopped = true;
      // A cluster given up on cannot take the LeaveGroup: do not wait out kafkajs's retries of it.
      const disconnecting = consumer.disconnect();
      if (unreachable === undefined && outage?.gaveUp === undefined) return disconnecting;
      disconnecting.catch(() => undefined);
      await Promise.race([disconnecting, new Promise((resolve) => setTimeout(resolve, 1_000))]);
    },
  };
}
