// Waits until a client can really use the broker at GOKAC_BROKERS (default 127.0.0.1:9092):
// connects an admin, creates a probe topic, waits for its leader, produces one message to it,
// asks the group coordinator for a probe group's offsets (on a fresh node this creates
// __consumer_offsets, which would otherwise slow down the first consumer group) and deletes the
// topic. Exits 0 when all that worked, 1 after the deadline (first argument, seconds).
// KAFKA_SECURITY=sasl_ssl (set by start.sh): over TLS trusting KAFKA_TLS_CA, as user gokac with
// SCRAM-SHA-512 and KAFKA_SASL_PASSWORD; a failed authentication ends the wait at once.
import { readFileSync } from "node:fs";
import kafkajs from "kafkajs";

const { Kafka, logLevel } = kafkajs;
const brokers = (process.env.GOKAC_BROKERS ?? "127.0.0.1:9092").split(",").map((b) => b.trim());
const deadline = Date.now() + Number(process.argv[2] ?? "90") * 1000;
const probe = `gokac-probe-${process.pid}-${Date.now()}`;
const secured = process.env.KAFKA_SECURITY === "sasl_ssl";
const security = secured
  ? {
      ssl: { ca: readFileSync(process.env.KAFKA_TLS_CA ?? ".kafka/tls/ca.pem", "utf8") },
      sasl: { mechanism: "scram-sha-512", username: "gokac", password: process.env.KAFKA_SASL_PASSWORD ?? "" },
    }
  : {};

async function tryOnce() {
  const kafka = new Kafka({
    clientId: "gokac-wait-ready",
    brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    connectionTimeout: 2000,
    ...security,
  });
  const admin = kafka.admin();
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  try {
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: probe, numPartitions: 1 }], waitForLeaders: true, timeout: 10000 });
    await producer.connect();
    await producer.send({ topic: probe, acks: -1, messages: [{ key: "k", value: "v" }] });
    await admin.fetchOffsets({ groupId: `${probe}-group`, topics: [probe] });
    await admin.deleteTopics({ topics: [probe], timeout: 10000 });
    return true;
  } finally {
    await producer.disconnect().catch(() => {});
    await admin.disconnect().catch(() => {});
  }
}

let lastError = "";
while (Date.now() < deadline) {
  try {
    if (await tryOnce()) {
      process.stdout.write(`kafka: ready at ${brokers.join(",")}\n`);
      process.exit(0);
    }
  } catch (error) {
    lastError = error instanceof Error ? error.message : String(error);
    // A refused password will not get better by waiting (the node is up: it answered).
    if (error instanceof Error && error.name === "KafkaJSSASLAuthenticationError") break;
  }
  await new Promise((resolve) => setTimeout(resolve, 1000));
}
process.stderr.write(`kafka: not ready at ${brokers.join(",")} before the deadline: ${lastError}\n`);
process.exit(1);
