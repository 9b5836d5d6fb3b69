/** gokac's Kafka broker: the broker port on a real cluster (kafkajs inside, never exposed). */
export { createKafkaBroker, parseBrokerList, KafkaBrokerOptionsError } from "./create-kafka-broker.js";
export type { KafkaBrokerOptions, KafkaLogLevel } from "./create-kafka-broker.js";
export type { GroupMemberSettings } from "./group-member.js";
export { copartitionedRanges } from "./copartitioned-assigner.js";
