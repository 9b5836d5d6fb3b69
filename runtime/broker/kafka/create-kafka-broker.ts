/**
 * The broker port on a real Kafka cluster, through kafkajs. kafkajs stays
 * behind this folder: nothing it defines appears in the port's types.
 */
import kafkajs, { type Admin, type Kafka as KafkaClient, type logLevel as KafkaJsLogLevel } from "kafkajs";
import { GokacError } from "../../errors.js";
import type {
  Broker,
  GroupMember,
  GroupOptions,
  PartitionReader,
  Producer,
  ProducerOptions,
  TopicConfig,
  TransactionalProducer,
} from "../port.js";
import { ClosableSockets } from "./closable-sockets.js";
import { registerCompressionCodecs } from "./compression.js";
import { joinKafkaGroup, type GroupMemberSettings } from "./group-member.js";
import {
  consumerFetchSizes,
  DEFAULT_GROUP_FETCH_BYTES,
  DEFAULT_READER_FETCH_BYTES,
  MIN_PARTITION_FETCH_BYTES,
  ReaderBudget,
} from "./fetch-budget.js";
import { createInternalCluster } from "./kafkajs-internals.js";
import { createPartitionReader } from "./partition-reader.js";
import { DEFAULT_MAX_OUTAGE_MS, isConnectionError, OutageGuard } from "./outage.js";
import { createKafkaProducer } from "./producer.js";
import { leanProduces } from "./produce-encoder.js";
import { createKafkaTransactionalProducer } from "./transactional-producer.js";
import { redactFields, SecretSet } from "./redact.js";
import { checkConnection, checkSecurityOptions, type KafkaSaslOptions, type KafkaTlsOptions } from "./security.js";
import { checkNamespace, namespaceBroker, type ClusterAdmin } from "../namespace.js";

/** How much kafkajs itself logs (to stderr). */
export type KafkaLogLevel = "nothing" | "error" | "warn" | "info" | "debug";

/** Options of `createKafkaBroker`. */
export interface KafkaBrokerOptions {
  /** Bootstrap brokers, `host:port` each, or one comma-separated string (as `GOKAC_BROKERS`). */
  readonly brokers: readonly string[] | string;
  /** Client id shown in broker logs and metrics; `gokac` by default. */
  readonly clientId?: string;
  /** kafkajs's own logging (to stderr); `nothing` by default: kafkajs logs expected protocol answers (e.g. "topic does not exist") as errors, and real failures reach the caller through the port anyway. */
  readonly logLevel?: KafkaLogLevel;
  /** Timings of group members (tests shorten them). */
  readonly group?: GroupMemberSettings;
  /** How long a partition reader keeps retrying fetches failing for other reasons than an outage before `next` rejects (default 30000). */
  readonly readerFailAfterMs?: number;
  /**
   * How long the cluster may stay unreachable, in milliseconds (default
   * 300000, 5 minutes): group members rejoin, producers, commits and readers
   * retry until then, and past it fail with `BrokerUnreachableError` (code
   * `BROKER_UNREACHABLE`), which stops a processor.
   */
  readonly maxOutageMs?: number;
  /** Connection timeout in milliseconds (default 3000). */
  readonly connectionTimeoutMs?: number;
  /** TLS: `true` trusts the system's CAs; `{ ca, cert, key }` (PEM contents) a given CA and, with cert and key, mutual TLS. */
  readonly ssl?: boolean | KafkaTlsOptions;
  /** SASL: `plain`, `scram-sha-256`, `scram-sha-512` (username, password) or `oauthbearer` (a token provider). */
  readonly sasl?: KafkaSaslOptions;
  /** How long SASL authentication may take, in milliseconds (default 10000). */
  readonly authenticationTimeoutMs?: number;
  /**
   * A prefix of every topic and consumer-group name on the cluster (e.g.
   * `gokac-test-1a2b3c.`): the port's users keep the names of their specs,
   * the cluster sees `<namespace><name>` (runtime/broker/namespace.ts).
   * `gokac test --brokers` isolates each run this way. None by default.
   */
  readonly namespace?: string;
  /**
   * Bytes of records one fetch of a group member may bring, split evenly over
   * the partitions of its topics (default 2 MiB). A member holds the
   * fetch's port messages (about 6 times its bytes for small records) until
   * it is handled: the main bound on a processor's memory. Larger: fewer, bigger batches (fewer changelog
   * records and commits per message); smaller: less memory.
   */
  readonly groupFetchBytes?: number;
  /**
   * Bytes all partition readers of this broker (table recovery, joined
   * tables, views) fetch at once, split evenly among the readers open at the
   * time, 16 KiB to 4 MiB each (default 32 MiB). Readers keep records in the
   * response buffers, so this bounds their memory at about twice the budget.
   */
  readonly readerFetchBytes?: number;
}

/** The broker port on Kafka, with listing and deleting topics and consumer groups (within `namespace` when one is set). */
export interface KafkaBroker extends Broker, ClusterAdmin {}

// kafkajs is CommonJS whose exports Node cannot all detect by name: take them from the default export.
const { ConfigResourceTypes, Kafka, logLevel: kafkaLogLevel } = kafkajs;

const LEVELS: Record<KafkaLogLevel, KafkaJsLogLevel> = {
  nothing: kafkaLogLevel.NOTHING,
  error: kafkaLogLevel.ERROR,
  warn: kafkaLogLevel.WARN,
  info: kafkaLogLevel.INFO,
  debug: kafkaLogLevel.DEBUG,
};

/** Thrown for options that cannot work; says how to fix them. */
export class KafkaBrokerOptionsError extends GokacError {
  override readonly name = "KafkaBrokerOptionsError";
  declare readonly code: "INVALID_BROKER_OPTIONS";
  constructor(message: string) {
    super(message, { code: "INVALID_BROKER_OPTIONS" });
  }
}

/** Parses and checks a broker list (`a:9092,b:9092` or an array). */
export function parseBrokerList(brokers: readonly string[] | string): string[] {
  const list = (typeof brokers === "string" ? brokers.split(",") : [...brokers]).map((b) => b.trim()).filter((b) => b !== "");
  if (list.length === 0) {
    throw new KafkaBrokerOptionsError("no Kafka brokers given: pass host:port (e.g. 127.0.0.1:9092) or set GOKAC_BROKERS");
  }
  for (const b of list) {
    if (!/^[^\s:]+:\d{1,5}$/.test(b) && !/^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(b)) {
      throw new KafkaBrokerOptionsError(`broker "${b}" is not host:port (e.g. 127.0.0.1:9092)`);
    }
  }
  return list;
}

/** How long admin look-ups retry retriable errors. */
const RETRY_MS = 10_000;

function errorType(error: unknown): string | undefined {
  return typeof error === "object" && error !== null && "type" in error && typeof error.type === "string" ? error.type : undefined;
}

/**
 * Creates a Broker on a Kafka cluster. Connects lazily: the first call that
 * needs the cluster connects, and rejects if it cannot be reached.
 */
export function createKafkaBroker(options: KafkaBrokerOptions): KafkaBroker {
  const brokers = parseBrokerList(options.brokers);
  if (options.namespace !== undefined) checkNamespace(options.namespace);
  // Every codec a producer may have used, for kafkajs's consumer and fallback decoder too.
  registerCompressionCodecs();
  const level = options.logLevel ?? "nothing";
  if (!(level in LEVELS)) throw new KafkaBrokerOptionsError(`logLevel "${String(level)}" is not one of ${Object.keys(LEVELS).join(", ")}`);
  const maxOutageMs = options.maxOutageMs ?? DEFAULT_MAX_OUTAGE_MS;
  if (!Number.isFinite(maxOutageMs) || maxOutageMs < 0) {
    throw new KafkaBrokerOptionsError(`maxOutageMs must be a number of milliseconds >= 0, got ${String(options.maxOutageMs)}`);
  }
  const outage = new OutageGuard(maxOutageMs, brokers);
  for (const option of ["groupFetchBytes", "readerFetchBytes"] as const) {
    const value = options[option];
    if (value !== undefined && (!Number.isInteger(value) || value < MIN_PARTITION_FETCH_BYTES))
      throw new KafkaBrokerOptionsError(`${option} must be a whole number of bytes >= ${MIN_PARTITION_FETCH_BYTES}, got ${String(value)}`);
  }
  const groupFetchBytes = options.groupFetchBytes ?? DEFAULT_GROUP_FETCH_BYTES;
  const readerBudget = new ReaderBudget(options.readerFetchBytes ?? DEFAULT_READER_FETCH_BYTES);
  const secrets = new SecretSet();
  const security = checkSecurityOptions(options.ssl, options.sasl, secrets);
  // Every client's sockets, destroyed by `close` (kafkajs reconnects for requests still retrying after a disconnect).
  const sockets = new ClosableSockets();
  const clientConfig = (bootstrap: string[]) => ({
    brokers: bootstrap,
    socketFactory: sockets.factory,
    clientId: options.clientId ?? "gokac",
    logLevel: LEVELS[level],
    // kafkajs's console logger, with every secret scrubbed from its lines.
    logCreator: () => (entry: { namespace: string; label: string; log: { message: string } }) => {
      const prefix = entry.namespace === "" ? "" : `[${entry.namespace}] `;
      process.stderr.write(
        `${secrets.redact(JSON.stringify({ level: entry.label, ...entry.log, message: `${prefix}${entry.log.message}` }))}\n`,
      );
    },
    connectionTimeout: options.connectionTimeoutMs ?? 3_000,
    authenticationTimeout: options.authenticationTimeoutMs ?? 10_000,
    ...security,
  });
  const newClient = (): KafkaClient =>
    new Kafka({ ...clientConfig(brokers), retry: { retries: 5, initialRetryTime: 300, maxRetryTime: 3_000 } });
  const kafka = newClient();
  /**
   * The producers' client. kafkajs gives each producer a cluster with its
   * client's retries for metadata and coordinator look-ups, apart from the
   * producer's own send retries: with the 3 s cap above, a transaction
   * coordinator that moved (a killed broker) was looked up again only up to
   * 3 s after it was back, and exactly-once re-initialisations took seconds
   * longer than the cluster's outage (issue 15). Capped at 500 ms as the
   * sends are; a failure past these retries goes to the outage handling.
   */
  let producerKafka: KafkaClient | undefined;
  const producerClient = (): KafkaClient => {
    if (producerKafka === undefined) {
      producerKafka = new Kafka({ ...clientConfig(brokers), retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 500 } });
      // Uncompressed records are encoded by gokac (produce-encoder.ts).
      leanProduces(producerKafka);
    }
    return producerKafka;
  };
  /** The first use checks each bootstrap broker once, failing at once on what no retry fixes (credentials, certificates, protocol). */
  let checked: Promise<void> | undefined;
  const connectionChecked = (): Promise<void> =>
    (checked ??= checkConnection(
      (broker) => new Kafka({ ...clientConfig([broker]), requestTimeout: 10_000, retry: { retries: 0 } }),
      brokers,
      { ssl: security.ssl !== undefined, sasl: options.sasl?.mechanism },
      secrets,
    ));
  const owned = new Set<{ close(): Promise<void> }>();
  let admin: Promise<Admin> | undefined;

  function connectedAdmin(): Promise<Admin> {
    if (admin === undefined) {
      const a = kafka.admin();
      admin = connectionChecked()
        .then(() => a.connect())
        .then(() => a);
      admin.catch(() => (admin = undefined));
    }
    return admin;
  }

  /**
   * Retries `action` while it fails with a retriable Kafka error, for up to
   * `RETRY_MS`: right after a topic is created (or a leader moves) the broker
   * may briefly answer "does not host this topic-partition".
   */
  async function retrying<T>(action: () => Promise<T>): Promise<T> {
    const giveUpAt = Date.now() + RETRY_MS;
    let since: number | undefined;
    for (let attempt = 0; ; attempt++) {
      const started = Date.now();
      try {
        return await action();
      } catch (error) {
        // An unreachable cluster: retried for the outage allowance (then BrokerUnreachableError).
        if (isConnectionError(error)) {
          since ??= started;
          const stop = outage.exceeded("admin", since, error);
          if (stop !== undefined) throw stop;
          await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 50 * 2 ** attempt)));
          continue;
        }
        const retriable = typeof error === "object" && error !== null && "retriable" in error && error.retriable === true;
        if (!retriable || Date.now() > giveUpAt) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 50 * 2 ** attempt)));
      }
    }
  }

  /** Offsets requests in flight per topic: the partitions of a table start recovering together and share one. */
  const offsetsInFlight = new Map<string, ReturnType<Admin["fetchTopicOffsets"]>>();

  async function bounds(topic: string, partition: number): Promise<{ low: number; high: number }> {
    let request = offsetsInFlight.get(topic);
    if (request === undefined) {
      request = retrying(async () => {
        try {
          return await (await connectedAdmin()).fetchTopicOffsets(topic);
        } catch (error) {
          // kafkajs destructures an empty offsets answer (a TypeError) while the metadata of a topic
          // created a moment ago lists no partitions yet: ask again, as for any retriable error.
          if (error instanceof TypeError) throw Object.assign(new Error(`${topic}: no partition metadata yet`), { retriable: true });
          throw error;
        }
      });
      offsetsInFlight.set(topic, request);
      const forget = () => offsetsInFlight.delete(topic);
      request.then(forget, forget);
    }
    const offsets = await request;
    const p = offsets.find((o) => o.partition === partition);
    if (p === undefined) throw new Error(`gokac: ${topic} has no partition ${partition}`);
    return { low: Number(p.low), high: Number(p.high) };
  }

  function track<T extends { close(): Promise<void> }>(resource: T): T {
    owned.add(resource);
    const close = resource.close.bind(resource);
    resource.close = async () => {
      owned.delete(resource);
      await close();
    };
    return resource;
  }

  const broker: KafkaBroker = {
    async partitionCount(topic: string): Promise<number | undefined> {
      try {
        const { topics } = await (await connectedAdmin()).fetchTopicMetadata({ topics: [topic] });
        return topics[0]?.partitions.length;
      } catch (error) {
        if (errorType(error) === "UNKNOWN_TOPIC_OR_PARTITION") return undefined;
        throw error;
      }
    },
    async isCompacted(topic: string): Promise<boolean | undefined> {
      try {
        const { resources } = await (
          await connectedAdmin()
        ).describeConfigs({
          resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ["cleanup.policy"] }],
          includeSynonyms: false,
        });
        const policy = resources[0]?.configEntries.find((e) => e.configName === "cleanup.policy")?.configValue ?? "delete";
        return policy
          .split(",")
          .map((p) => p.trim())
          .includes("compact");
      } catch (error) {
        if (errorType(error) === "UNKNOWN_TOPIC_OR_PARTITION") return undefined;
        throw error;
      }
    },
    async createTopic(config: TopicConfig): Promise<void> {
      const a = await connectedAdmin();
      await retrying(async () => {
        try {
          await a.createTopics({
            waitForLeaders: true,
            topics: [
              {
                topic: config.topic,
                numPartitions: config.partitions,
                configEntries: config.compacted ? [{ name: "cleanup.policy", value: "compact" }] : [],
              },
            ],
          });
        } catch (error) {
          // A retry after a creation whose answer got lost, or a concurrent creator: the check below decides.
          if (errorType(error) !== "TOPIC_ALREADY_EXISTS" && !/already exists/i.test(String(error))) throw error;
        }
      });
      const count = await broker.partitionCount(config.topic);
      if (count !== undefined && count !== config.partitions) {
        throw new Error(`gokac: topic ${config.topic} exists with ${count} partitions, not ${config.partitions}`);
      }
    },
    async highWatermark(topic: string, partition: number): Promise<number> {
      return (await bounds(topic, partition)).high;
    },
    async lowWatermark(topic: string, partition: number): Promise<number> {
      return (await bounds(topic, partition)).low;
    },
    async committedOffset(group: string, topic: string, partition: number): Promise<number | undefined> {
      const result = await retrying(async () => (await connectedAdmin()).fetchOffsets({ groupId: group, topics: [topic] }));
      const offset = result.find((t) => t.topic === topic)?.partitions.find((p) => p.partition === partition)?.offset;
      if (offset === undefined) return undefined;
      const n = Number(offset);
      return n < 0 ? undefined : n;
    },
    async reader(topic: string, partition: number, offset: number): Promise<PartitionReader> {
      await connectionChecked();
      const cluster = createInternalCluster(kafka);
      const leave = readerBudget.join();
      try {
        const reader = await createPartitionReader({
          cluster,
          topic,
          partition,
          offset,
          bounds,
          failAfterMs: options.readerFailAfterMs ?? 30_000,
          outage,
          maxBytes: () => readerBudget.fetchBytes(),
        });
        const close = reader.close.bind(reader);
        reader.close = async () => {
          leave();
          await close();
        };
        return track(reader);
      } catch (error) {
        leave();
        await cluster.disconnect().catch(() => undefined);
        throw error;
      }
    },
    async producer(producerOptions?: ProducerOptions): Promise<Producer> {
      await connectionChecked();
      return track(await createKafkaProducer(producerClient(), producerOptions?.compression ?? {}, outage));
    },
    async transactionalProducer(transactionalId: string, producerOptions?: ProducerOptions): Promise<TransactionalProducer> {
      await connectionChecked();
      return track(
        await createKafkaTransactionalProducer(producerClient(), transactionalId, {
          compression: producerOptions?.compression ?? {},
          outage,
          // One attempt each: the processor's retry loop owns the outage allowance.
          committedOffsets: async (group, topic) => {
            const result = await (await connectedAdmin()).fetchOffsets({ groupId: group, topics: [topic] });
            const partitions = result.find((t) => t.topic === topic)?.partitions ?? [];
            return new Map(partitions.filter((p) => Number(p.offset) >= 0).map((p) => [p.partition, Number(p.offset)]));
          },
          endOffset: async (topic, partition) => {
            const p = (await (await connectedAdmin()).fetchTopicOffsets(topic)).find((o) => o.partition === partition);
            if (p === undefined) throw new Error(`gokac: ${topic} has no partition ${partition}`);
            return Number(p.high);
          },
        }),
      );
    },
    async joinGroup(group: GroupOptions): Promise<GroupMember> {
      await connectionChecked();
      // The fetch budget is split over every partition of the member's topics (it may be assigned any of them).
      const counts = await Promise.all(group.topics.map((t) => broker.partitionCount(t)));
      const partitions = counts.reduce<number>((sum, n) => sum + (n ?? 1), 0);
      const settings = { fetch: consumerFetchSizes(groupFetchBytes, partitions), ...options.group };
      const member = await joinKafkaGroup(newClient, group, settings, outage);
      const handle = { close: () => member.leave() };
      owned.add(handle);
      return {
        commit: (offsets) => member.commit(offsets),
        leave: async () => {
          owned.delete(handle);
          await member.leave();
        },
      };
    },
    async createTopics(configs: readonly TopicConfig[]): Promise<void> {
      const existing = new Set(await broker.listTopics());
      const missing = configs.filter((c) => !existing.has(c.topic));
      if (missing.length === 0) return;
      const a = await connectedAdmin();
      await retrying(async () => {
        try {
          await a.createTopics({
            waitForLeaders: true,
            topics: missing.map((c) => ({
              topic: c.topic,
              numPartitions: c.partitions,
              configEntries: c.compacted ? [{ name: "cleanup.policy", value: "compact" }] : [],
            })),
          });
        } catch (error) {
          if (errorType(error) !== "TOPIC_ALREADY_EXISTS" && !/already exists/i.test(String(error))) throw error;
        }
      });
      // The metadata answers may lag the creation: wait until every topic shows.
      const giveUpAt = Date.now() + RETRY_MS;
      for (;;) {
        const known = new Set(await broker.listTopics());
        const absent = missing.filter((c) => !known.has(c.topic));
        if (absent.length === 0) return;
        if (Date.now() > giveUpAt) throw new Error(`gokac: topics ${absent.map((c) => c.topic).join(", ")} were created but do not show`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
    async listTopics(): Promise<string[]> {
      return retrying(async () => (await connectedAdmin()).listTopics());
    },
    async deleteTopics(topics: readonly string[]): Promise<void> {
      const existing = new Set(await broker.listTopics());
      const doomed = topics.filter((t) => existing.has(t));
      if (doomed.length > 0) await retrying(async () => (await connectedAdmin()).deleteTopics({ topics: doomed }));
    },
    async listGroups(): Promise<string[]> {
      return retrying(async () => (await (await connectedAdmin()).listGroups()).groups.map((g) => g.groupId));
    },
    async deleteGroups(groups: readonly string[]): Promise<void> {
      const existing = new Set(await broker.listGroups());
      const doomed = groups.filter((g) => existing.has(g));
      if (doomed.length > 0) await retrying(async () => (await connectedAdmin()).deleteGroups(doomed));
    },
    async close(): Promise<void> {
      outage.close();
      await Promise.allSettled([...owned].map((r) => r.close()));
      const a = admin;
      admin = undefined;
      if (a !== undefined) await (await a.catch(() => undefined))?.disconnect();
      // What kafkajs connected again for requests still retrying (an abandoned transaction's, a send's) would keep the process alive.
      sockets.close();
    },
  };
  // Printing or inspecting the broker never shows a secret.
  Object.defineProperty(broker, Symbol.for("nodejs.util.inspect.custom"), {
    value: () =>
      `KafkaBroker ${JSON.stringify(redactFields({ brokers, clientId: options.clientId ?? "gokac", ssl: options.ssl, sasl: options.sasl }))}`,
  });
  return options.namespace === undefined ? broker : namespaceBroker(broker, options.namespace);
}
