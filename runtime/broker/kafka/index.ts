/** gokac's Kafka broker: the broker port on a real cluster (kafkajs inside, never exposed). */
export { createKafkaBroker, parseBrokerList, KafkaBrokerOptionsError } from "./create-kafka-broker.js";
export type { KafkaBroker, KafkaBrokerOptions, KafkaLogLevel } from "./create-kafka-broker.js";
export { NamespaceError, namespaceBroker } from "../namespace.js";
export type { ClusterAdmin } from "../namespace.js";
export type { GroupMemberSettings } from "./group-member.js";
export { copartitionedRanges } from "./copartitioned-assigner.js";
export { KafkaConnectionError, KafkaSecurityOptionsError, SASL_MECHANISMS } from "./security.js";
export type {
  KafkaConnectionErrorCode,
  KafkaConnectionStep,
  KafkaSaslOauthBearer,
  KafkaSaslOptions,
  KafkaSaslPassword,
  KafkaTlsOptions,
} from "./security.js";
export { loadKafkaConfig, KafkaConfigError } from "./kafka-config.js";
export type { KafkaConfig, KafkaConfigErrorCode, LoadKafkaConfigOptions } from "./kafka-config.js";
export { redactFields, REDACTED, SecretSet } from "./redact.js";
export { BrokerUnreachableError, DEFAULT_MAX_OUTAGE_MS } from "./outage.js";
