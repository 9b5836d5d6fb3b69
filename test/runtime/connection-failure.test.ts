/**
 * How a failed first connection is classified: failures no retry can fix become
 * a `KafkaConnectionError` with a code; the rest (refused, unreachable) are left
 * to the normal retries.
 */
import { describe, expect, it } from "vitest";
import { SecretSet } from "../../runtime/broker/kafka/redact.js";
import { classifyConnectionFailure } from "../../runtime/broker/kafka/security.js";

const broker = "127.0.0.1:9999";
const protocolError = (type: string) => ({
  name: "KafkaJSProtocolError",
  type,
  message: "Request is not valid given the current SASL state",
});

describe("classifyConnectionFailure", () => {
  it("a SASL exchange the broker refused is sasl-authentication, also when kafkajs reports it as a protocol error", () => {
    const secrets = new SecretSet();
    secrets.add("s3cret-token");
    const sasl = { ssl: true, sasl: "oauthbearer" };
    expect(
      classifyConnectionFailure({ name: "KafkaJSSASLAuthenticationError", message: "bad s3cret-token" }, broker, sasl, secrets),
    ).toMatchObject({
      code: "sasl-authentication",
      broker,
    });
    expect(classifyConnectionFailure(protocolError("ILLEGAL_SASL_STATE"), broker, sasl, secrets)?.code).toBe("sasl-authentication");
    expect(classifyConnectionFailure(protocolError("SASL_AUTHENTICATION_FAILED"), broker, sasl, secrets)?.code).toBe("sasl-authentication");
    // A rejected token: kafkajs took the error challenge for success and the next metadata answer had no brokers.
    const retriesOver = {
      name: "KafkaJSNumberOfRetriesExceeded",
      message: "x",
      cause: { name: "KafkaJSBrokerNotFound", message: "No brokers" },
    };
    expect(classifyConnectionFailure(retriesOver, broker, sasl, secrets)?.code).toBe("sasl-authentication");
    expect(classifyConnectionFailure(retriesOver, broker, { ssl: true, sasl: "plain" }, secrets)).toBeUndefined();
    expect(
      classifyConnectionFailure({ name: "KafkaJSSASLAuthenticationError", message: "bad s3cret-token" }, broker, sasl, secrets)?.message,
    ).not.toContain("s3cret-token");
  });

  it("a protocol error without SASL configured, or an unrelated one, is left to the retries", () => {
    const secrets = new SecretSet();
    expect(
      classifyConnectionFailure(protocolError("ILLEGAL_SASL_STATE"), broker, { ssl: false, sasl: undefined }, secrets),
    ).toBeUndefined();
    expect(
      classifyConnectionFailure(protocolError("NOT_LEADER_OR_FOLLOWER"), broker, { ssl: true, sasl: "plain" }, secrets),
    ).toBeUndefined();
    expect(
      classifyConnectionFailure(
        { name: "KafkaJSConnectionError", code: "ECONNREFUSED", message: "refused" },
        broker,
        { ssl: false, sasl: undefined },
        secrets,
      ),
    ).toBeUndefined();
  });
});
