/**
 * `gokac/runtime`: what generated code and applications import. Codecs, the
 * graph and context types, processors, views, emitters, brokers, storage.
 */
export { codecs, SchemaValidationError } from "./codecs/index.js";
export { jsonSchemaCodec } from "./codecs/json-schema-codec.js";
export { UnrepresentableValueError } from "./codecs/primitive-codecs.js";
export type { Codec, CodecValue } from "./codecs/codec.js";
export { defineGroup, defineTopic } from "./graph.js";
export type {
  ErrorPolicyGraph,
  FailurePolicy,
  GroupDefinition,
  GroupGraph,
  Guarantee,
  HandlerMap,
  InputEdge,
  OutputEdge,
  TableEdge,
  TopicOptions,
  TopicSpec,
  VisitorEdge,
} from "./graph.js";
export type {
  Awaitable,
  BaseContext,
  EmitContext,
  EmitOptions,
  FullContext,
  Handler,
  Headers,
  HeadersInit,
  JoinContext,
  LookupContext,
  LoopContext,
  TableContext,
} from "./context.js";

// Running groups.
export { createProcessor } from "./processor/processor.js";
export type { Processor, ProcessorLifecycle, ProcessorOptions } from "./processor/processor.js";
export { createView } from "./view/view.js";
export type { View, ViewOptions } from "./view/view.js";
export { createEmitter } from "./emitter/emitter.js";
export type { Emitter } from "./emitter/emitter.js";
export { runUntilSignal } from "./run-until-signal.js";
export { replayDeadLetters, replayGroup } from "./replay/replay-dead-letters.js";
export type { ReplayOptions, ReplayResult } from "./replay/replay-dead-letters.js";
export type { RunUntilSignalOptions } from "./run-until-signal.js";
export type { EventSource, PartitionState, RuntimeEvents } from "./events.js";
// Operating: HTTP monitor, metrics, health, table reads, logs, recovery ETA (runtime/monitor/).
export {
  createLogger,
  formatPretty,
  isLogLevel,
  LOG_LEVELS,
  logProcessorEvents,
  parseHostPort,
  RecoveryEta,
  startMonitor,
  toJson,
  trackRecovery,
} from "./monitor/index.js";
export type {
  ErrorStatus,
  GroupRecoveryProgress,
  GroupStatus,
  InputStatus,
  Logger,
  LoggerOptions,
  LogLevel,
  Monitor,
  MonitorEmit,
  MonitorEmitResult,
  MonitorOptions,
  MonitorPartitionState,
  MonitorStatus,
  PartitionStatus,
  ProcessorLogOptions,
  RecoveryEtaOptions,
  RecoveryStatus,
  TrackRecoveryOptions,
} from "./monitor/index.js";
export {
  asError,
  GokacError,
  ProcessorError,
  ProcessorSetupError,
  ProcessorStateError,
  reasonOf,
  RecoveryError,
  RuntimeOptionsError,
} from "./errors.js";
export type { GokacErrorOptions, MessageCoordinates, ProcessorErrorKind } from "./errors.js";

// Storage.
export { createLevelStorage, createMemoryStorage, StateMismatchError } from "./storage/index.js";
export type { StateMismatchPolicy, StateMismatchReason } from "./storage/index.js";
export type { LevelStorageOptions, Storage, TableChanges, TableStore, WriteBehindOptions } from "./storage/index.js";

// Brokers: the port, the in-memory broker, and Kafka.
export type * from "./broker/port.js";
export { logOf } from "./broker/port.js";
export { TransactionFailedError } from "./broker/transaction-failure.js";
export type { TransactionFailureReason, TransactionOutcome } from "./broker/transaction-failure.js";
export { TransactionOutcomeError, type TransactionStep } from "./processor/transaction-retry.js";
export { fnv1a32, murmur2, partitionForKey, PARTITIONERS } from "./broker/partitioner.js";
export type { Partitioner } from "./broker/partitioner.js";
export { createMemoryBroker } from "./broker/memory/index.js";
export type { AckControl, MemoryBroker, MemoryBrokerOptions } from "./broker/memory/index.js";
export { checkTopics, ensureTopics, groupTopicRequirements, groupTopicsOf, TopicCheckError } from "./broker/topics.js";
export type { TopicProblem, TopicReport, TopicStatus } from "./broker/topics.js";
// The topic policy (names, roles, compaction, copartitioning, create rules), shared with the CLI.
export { CATALOGUE_GROUP, loopTopic, tableTopic, topicRequirements } from "./topics/requirements.js";
export type {
  CatalogueTopic,
  GroupTopics,
  TopicCreateRule,
  TopicPolicyInput,
  TopicPolicyOptions,
  TopicRequirement,
  TopicRole,
} from "./topics/requirements.js";
// The Kafka broker (runtime/broker/kafka/, owned by the Kafka engineer).
export { createKafkaBroker, KafkaBrokerOptionsError, parseBrokerList } from "./broker/kafka/index.js";
export { BrokerUnreachableError, DEFAULT_MAX_OUTAGE_MS } from "./broker/kafka/index.js";
export type { KafkaBrokerOptions, KafkaLogLevel } from "./broker/kafka/index.js";
export { NamespaceError, namespaceBroker } from "./broker/kafka/index.js";
export type { ClusterAdmin, KafkaBroker } from "./broker/kafka/index.js";
export {
  KafkaConfigError,
  KafkaConnectionError,
  KafkaSecurityOptionsError,
  loadKafkaConfig,
  redactFields,
  REDACTED,
  SecretSet,
} from "./broker/kafka/index.js";
export type {
  KafkaConfig,
  KafkaConfigErrorCode,
  KafkaConnectionErrorCode,
  KafkaConnectionStep,
  KafkaSaslOauthBearer,
  KafkaSaslOptions,
  KafkaSaslPassword,
  KafkaTlsOptions,
  LoadKafkaConfigOptions,
} from "./broker/kafka/index.js";
