/**
 * The slice of `gokac/runtime` the cluster commands use, typed structurally
 * so the compiler needs no import of runtime code. The runtime is loaded by
 * module name at run time (`loadRuntime`), from the installed package.
 */

/** The broker port, as far as the commands use it. */
export interface RuntimeBroker {
  partitionCount(topic: string): Promise<number | undefined>;
  isCompacted(topic: string): Promise<boolean | undefined>;
  createTopic(config: { topic: string; partitions: number; compacted: boolean }): Promise<void>;
  close(): Promise<void>;
}

/** See runtime/broker/topics.ts. */
export interface RuntimeTopicRequirement {
  readonly topic: string;
  readonly role: "input" | "loop" | "table" | "join" | "lookup" | "output";
  readonly group: string;
  readonly partitions?: number;
  readonly compacted: boolean;
  readonly create: boolean;
  readonly copartition?: string;
  readonly required: boolean;
}

/** See runtime/broker/topics.ts (`TopicStatus`). */
export interface RuntimeTopicStatus {
  readonly requirement: RuntimeTopicRequirement;
  readonly livePartitions: number | undefined;
  readonly liveCompacted: boolean | undefined;
  readonly action: "ok" | "create" | "missing";
  readonly partitions: number | undefined;
}

/** See runtime/broker/topics.ts (`TopicReport`). */
export interface RuntimeTopicReport {
  readonly topics: readonly RuntimeTopicStatus[];
  readonly problems: readonly { code: string; severity: "error" | "warning"; topics: readonly string[]; message: string }[];
}

/** A typed producer for one topic. */
export interface RuntimeEmitter {
  emit(key: string, value: unknown): Promise<unknown>;
  /** Sends many in one request; resolves once all are acknowledged. */
  emitMany(messages: readonly { key: string; value: unknown }[]): Promise<unknown>;
  close(): Promise<void>;
}

/** A read-only copy of a whole table. */
export interface RuntimeView {
  /** Recovers every partition to its high watermark, then keeps catching up. */
  start(): Promise<void>;
  get(key: string): Promise<unknown>;
  stop(): Promise<void>;
}

/** A running group processor. */
export interface RuntimeProcessor {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves when the processor stopped: cleanly (undefined) or with its error. */
  readonly done: Promise<Error | undefined>;
}

/** Options of `createKafkaBroker` as the commands pass them; `ssl` and `sasl` come from a kafka-config file as loaded. */
export interface RuntimeKafkaOptions {
  readonly brokers: string;
  readonly clientId?: string;
  readonly logLevel?: "nothing" | "error" | "warn" | "info" | "debug";
  readonly ssl?: unknown;
  readonly sasl?: unknown;
  /** How long the cluster may be unreachable (`gokac run --max-outage`). */
  readonly maxOutageMs?: number;
}

/** What `loadKafkaConfig` gives (see runtime/broker/kafka/kafka-config.ts). */
export interface RuntimeKafkaConfig {
  readonly brokers?: readonly string[];
  readonly clientId?: string;
  readonly ssl?: unknown;
  readonly sasl?: unknown;
}

/** What the commands call; each name must be exported by `gokac/runtime`. */
export interface RuntimeApi {
  createEmitter(broker: RuntimeBroker, topic: { name: string; codec: unknown }): RuntimeEmitter;
  createView(broker: RuntimeBroker, table: { name: string; codec: unknown }): RuntimeView;
  createProcessor(group: unknown, options: { broker: RuntimeBroker; stateDir: string }): RuntimeProcessor;
  createKafkaBroker(options: RuntimeKafkaOptions): RuntimeBroker;
  loadKafkaConfig(file: string, options: { cwd: string; env: Readonly<Record<string, string | undefined>> }): Promise<RuntimeKafkaConfig>;
  checkTopics(broker: RuntimeBroker, requirements: readonly RuntimeTopicRequirement[]): Promise<RuntimeTopicReport>;
  groupTopicRequirements(graph: unknown): RuntimeTopicRequirement[];
  ensureTopics(broker: RuntimeBroker, requirements: readonly RuntimeTopicRequirement[]): Promise<RuntimeTopicReport>;
}

const RUNTIME_MODULE = "gokac/runtime";

/** Loads `gokac/runtime` (or what `load` gives) and checks it exports what `names` lists. */
export async function loadRuntime<K extends keyof RuntimeApi>(load: (() => Promise<unknown>) | undefined, ...names: K[]): Promise<Pick<RuntimeApi, K>> {
  const runtime = (await (load ?? (() => import(RUNTIME_MODULE)))()) as Record<string, unknown>;
  const missing = names.filter((n) => typeof runtime[n] !== "function");
  if (missing.length > 0) throw new Error(`this gokac runtime lacks ${missing.join(", ")}`);
  return runtime as unknown as Pick<RuntimeApi, K>;
}
