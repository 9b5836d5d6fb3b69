/**
 * TLS and SASL for the Kafka broker: the options (`ssl`, `sasl`), their
 * checks, what kafkajs is given, and the connection check that turns the
 * failures no retry can fix (wrong password, untrusted certificate, a
 * plaintext client at a TLS listener) into one clear, prompt error.
 */
import { GokacError } from "../../errors.js";
import type { Kafka as KafkaClient, SASLOptions } from "kafkajs";
import type { ConnectionOptions } from "node:tls";
import { oneLine, type SecretSet } from "./redact.js";

/** TLS material, PEM contents (not file names: the kafka-config loader reads files). */
export interface KafkaTlsOptions {
  /** CA certificate(s) the broker's certificate must chain to; the system's CAs when absent. */
  readonly ca?: string | Buffer;
  /** Client certificate chain, for mutual TLS (with `key`). */
  readonly cert?: string | Buffer;
  /** Client private key, for mutual TLS (with `cert`). */
  readonly key?: string | Buffer;
  /** Passphrase of an encrypted `key`. */
  readonly passphrase?: string;
}

/** SASL with a username and password. */
export interface KafkaSaslPassword {
  readonly mechanism: "plain" | "scram-sha-256" | "scram-sha-512";
  readonly username: string;
  readonly password: string;
}

/** SASL/OAUTHBEARER: `tokenProvider` returns a current token (called on each (re)authentication). */
export interface KafkaSaslOauthBearer {
  readonly mechanism: "oauthbearer";
  readonly tokenProvider: () => string | Promise<string>;
}

/** SASL options of `createKafkaBroker`. */
export type KafkaSaslOptions = KafkaSaslPassword | KafkaSaslOauthBearer;

/** The SASL mechanisms gokac supports. */
export const SASL_MECHANISMS = ["plain", "scram-sha-256", "scram-sha-512", "oauthbearer"] as const;

/** Why a connection check failed for good. */
export type KafkaConnectionErrorCode =
  /** The broker refused the credentials (or the mechanism). */
  | "sasl-authentication"
  /** The broker's certificate is not trusted (unknown CA, wrong host name, expired). */
  | "tls-certificate"
  /** The TLS handshake failed otherwise (most often: the listener does not speak TLS). */
  | "tls-handshake"
  /** The broker closed the connection at the first requests (most often: the listener wants TLS or SASL). */
  | "connection-closed"
  /** The broker accepted the connection but did not answer the first request in time. */
  | "no-answer";

/** Where in connecting a failure happened. */
export type KafkaConnectionStep = "tls" | "sasl" | "first request";

/** A broker could not be used for a reason retrying cannot fix; the message is one line, without secrets. */
export class KafkaConnectionError extends GokacError {
  override readonly name = "KafkaConnectionError";
  declare readonly code: KafkaConnectionErrorCode;
  constructor(
    code: KafkaConnectionErrorCode,
    /** `host:port` of the broker. */
    readonly broker: string,
    readonly step: KafkaConnectionStep,
    message: string,
  ) {
    super(message, { code });
  }
}

/** Thrown by `checkSecurityOptions`; `option` names the culprit, the message says how to fix it. */
export class KafkaSecurityOptionsError extends GokacError {
  override readonly name = "KafkaSecurityOptionsError";
  declare readonly code: "INVALID_SECURITY_OPTIONS";
  constructor(
    readonly option: string,
    message: string,
  ) {
    super(`${option}: ${message}`, { code: "INVALID_SECURITY_OPTIONS" });
  }
}

const isPem = (v: unknown): v is string | Buffer => (typeof v === "string" && v.trim() !== "") || Buffer.isBuffer(v);

/**
 * Checks `ssl` and `sasl` and returns what kafkajs takes for them; records
 * the secrets in `secrets` (tokens are recorded as the provider returns them).
 */
export function checkSecurityOptions(
  ssl: boolean | KafkaTlsOptions | undefined,
  sasl: KafkaSaslOptions | undefined,
  secrets: SecretSet,
): { ssl?: boolean | ConnectionOptions; sasl?: SASLOptions } {
  const out: { ssl?: boolean | ConnectionOptions; sasl?: SASLOptions } = {};
  if (ssl !== undefined && ssl !== false) {
    if (ssl === true) out.ssl = true;
    else if (typeof ssl !== "object" || ssl === null) {
      throw new KafkaSecurityOptionsError("ssl", "expected true (the system's CAs) or { ca, cert, key } with PEM contents");
    } else {
      for (const name of ["ca", "cert", "key"] as const) {
        if (ssl[name] !== undefined && !isPem(ssl[name]))
          throw new KafkaSecurityOptionsError(`ssl.${name}`, "expected PEM contents (a string or Buffer), not empty");
      }
      if ((ssl.cert === undefined) !== (ssl.key === undefined)) {
        throw new KafkaSecurityOptionsError(
          ssl.cert === undefined ? "ssl.cert" : "ssl.key",
          "mutual TLS needs both ssl.cert (the client certificate) and ssl.key (its private key)",
        );
      }
      if (ssl.passphrase !== undefined && typeof ssl.passphrase !== "string")
        throw new KafkaSecurityOptionsError("ssl.passphrase", "expected a string");
      if (typeof ssl.key === "string") secrets.add(ssl.key);
      secrets.add(ssl.passphrase);
      const tls: ConnectionOptions = {};
      if (ssl.ca !== undefined) tls.ca = ssl.ca;
      if (ssl.cert !== undefined) tls.cert = ssl.cert;
      if (ssl.key !== undefined) tls.key = ssl.key;
      if (ssl.passphrase !== undefined) tls.passphrase = ssl.passphrase;
      out.ssl = tls;
    }
  }
  if (sasl !== undefined) {
    if (typeof sasl !== "object" || sasl === null)
      throw new KafkaSecurityOptionsError("sasl", `expected { mechanism, … } with mechanism one of ${SASL_MECHANISMS.join(", ")}`);
    const mechanism: unknown = sasl.mechanism;
    if (!SASL_MECHANISMS.includes(mechanism as (typeof SASL_MECHANISMS)[number])) {
      throw new KafkaSecurityOptionsError("sasl.mechanism", `"${String(mechanism)}" is not one of ${SASL_MECHANISMS.join(", ")}`);
    }
    if (sasl.mechanism === "oauthbearer") {
      const provider: unknown = sasl.tokenProvider;
      if (typeof provider !== "function")
        throw new KafkaSecurityOptionsError("sasl.tokenProvider", "oauthbearer needs a function returning a token (string)");
      const tokenProvider = sasl.tokenProvider;
      out.sasl = {
        mechanism: "oauthbearer",
        oauthBearerProvider: async () => {
          const token: unknown = await tokenProvider();
          if (typeof token !== "string" || token === "")
            throw new KafkaSecurityOptionsError("sasl.tokenProvider", "returned no token (expected a non-empty string)");
          secrets.add(token);
          return { value: token };
        },
      };
    } else {
      if (typeof sasl.username !== "string" || sasl.username === "")
        throw new KafkaSecurityOptionsError("sasl.username", `${sasl.mechanism} needs a username (a non-empty string)`);
      if (typeof sasl.password !== "string" || sasl.password === "")
        throw new KafkaSecurityOptionsError("sasl.password", `${sasl.mechanism} needs a password (a non-empty string)`);
      secrets.add(sasl.password);
      out.sasl = { mechanism: sasl.mechanism, username: sasl.username, password: sasl.password };
    }
  }
  return out;
}

/** Node's codes for a certificate the client does not trust. */
const CERTIFICATE_CODES = new Set([
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "CERT_SIGNATURE_FAILURE",
  "ERR_TLS_CERT_ALTNAME_INVALID",
  "HOSTNAME_MISMATCH",
]);

interface KafkaJsErrorShape {
  name?: string;
  message?: string;
  code?: string;
  /** A protocol error's Kafka error name, e.g. `ILLEGAL_SASL_STATE`. */
  type?: string;
  cause?: unknown;
}

/**
 * Protocol errors that mean the broker refused the SASL exchange. An OAUTHBEARER
 * token the broker rejects surfaces as `ILLEGAL_SASL_STATE`: the broker answers
 * with an error challenge that kafkajs takes for success, and refuses its next
 * request (a metadata request then answers with no brokers: `KafkaJSBrokerNotFound`).
 */
const SASL_REFUSAL_TYPES = new Set(["ILLEGAL_SASL_STATE", "SASL_AUTHENTICATION_FAILED", "UNSUPPORTED_SASL_MECHANISM"]);

/** The innermost kafkajs error: `KafkaJSNumberOfRetriesExceeded` wraps the one that happened. */
function innermost(error: unknown): KafkaJsErrorShape {
  let e = (typeof error === "object" && error !== null ? error : { message: String(error) }) as KafkaJsErrorShape;
  while (e.name === "KafkaJSNumberOfRetriesExceeded" && typeof e.cause === "object" && e.cause !== null) e = e.cause as KafkaJsErrorShape;
  return e;
}

/** What the connection check knows of the client's setup, for the hints. */
export interface ConnectionSetup {
  readonly ssl: boolean;
  readonly sasl: string | undefined;
}

/**
 * The failure of a first connection to `broker` as a `KafkaConnectionError`
 * when retrying cannot help, or `undefined` (refused, unreachable, timeout:
 * the normal retries handle those).
 */
export function classifyConnectionFailure(
  error: unknown,
  broker: string,
  setup: ConnectionSetup,
  secrets: SecretSet,
): KafkaConnectionError | undefined {
  const e = innermost(error);
  const tokenRefused = setup.sasl === "oauthbearer" && e.name === "KafkaJSBrokerNotFound";
  const reason = tokenRefused
    ? "the broker refused the OAUTHBEARER token (it answered the next request as unauthenticated)"
    : secrets.redact(oneLine(e.message ?? String(error)).replace(/^Connection error: /, ""));
  const at = `Kafka broker ${broker}`;
  if (
    e.name === "KafkaJSSASLAuthenticationError" ||
    (setup.sasl !== undefined && e.name === "KafkaJSProtocolError" && e.type !== undefined && SASL_REFUSAL_TYPES.has(e.type)) ||
    tokenRefused
  ) {
    return new KafkaConnectionError(
      "sasl-authentication",
      broker,
      "sasl",
      `${at}: SASL authentication failed: ${reason} (check sasl.username and sasl.password, or the token, and sasl.mechanism)`,
    );
  }
  if (e.name === "KafkaJSConnectionError" && e.code !== undefined && CERTIFICATE_CODES.has(e.code)) {
    return new KafkaConnectionError(
      "tls-certificate",
      broker,
      "tls",
      `${at}: TLS certificate not trusted: ${reason} [${e.code}] (set ssl.ca to the CA that signed the broker's certificate)`,
    );
  }
  if (
    setup.ssl &&
    e.name === "KafkaJSConnectionError" &&
    (/TLS|SSL|secure/i.test(e.message ?? "") || e.code === "EPROTO" || e.code === "ECONNRESET")
  ) {
    return new KafkaConnectionError(
      "tls-handshake",
      broker,
      "tls",
      `${at}: TLS handshake failed: ${reason} (is this a TLS listener? drop ssl for a PLAINTEXT or SASL_PLAINTEXT one)`,
    );
  }
  if (e.name === "KafkaJSConnectionClosedError") {
    const hint = setup.ssl
      ? setup.sasl === undefined
        ? "does the listener need SASL? set sasl"
        : "check the listener's security protocol"
      : "does the listener need TLS? set ssl";
    return new KafkaConnectionError(
      "connection-closed",
      broker,
      "first request",
      `${at}: the broker closed the connection at the first request (${hint})`,
    );
  }
  if (e.name === "KafkaJSRequestTimeoutError") {
    return new KafkaConnectionError(
      "no-answer",
      broker,
      "first request",
      `${at}: no answer to the first request (is this a Kafka listener with the security protocol configured here?)`,
    );
  }
  return undefined;
}

/**
 * Connects to each bootstrap broker in turn, once and without retries, with
 * the client's own TLS and SASL, and asks for the cluster's metadata. Rejects
 * with a `KafkaConnectionError` on a failure retrying cannot fix; resolves
 * once a broker answered, or when every failure was of the retriable kind
 * (refused, unreachable: the client's retries take over).
 */
export async function checkConnection(
  probeClient: (broker: string) => KafkaClient,
  brokers: readonly string[],
  setup: ConnectionSetup,
  secrets: SecretSet,
): Promise<void> {
  for (const broker of brokers) {
    const admin = probeClient(broker).admin();
    try {
      await admin.connect();
      await admin.describeCluster();
      return;
    } catch (error) {
      const fatal = classifyConnectionFailure(error, broker, setup, secrets);
      if (fatal !== undefined) throw fatal;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }
}
