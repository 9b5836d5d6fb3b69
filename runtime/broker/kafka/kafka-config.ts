/**
 * The kafka-config file (`gokac … --kafka-config FILE`, `GOKAC_KAFKA_CONFIG`):
 * YAML naming the brokers, the client id, TLS and SASL, read into options of
 * `createKafkaBroker`.
 *
 * ```yaml
 * brokers: [kafka-1:9093, kafka-2:9093]   # or "kafka-1:9093,kafka-2:9093"
 * clientId: ledger-service
 * ssl:                                    # or `ssl: true` for the system's CAs
 *   ca: ./certs/ca.pem                    # paths are relative to this file
 *   cert: ./certs/client.pem              # mutual TLS: cert and key together
 *   key: ./certs/client.key
 *   passphrase: ${KEY_PASSPHRASE}         # of an encrypted key (optional)
 * sasl:
 *   mechanism: scram-sha-512              # plain | scram-sha-256 | scram-sha-512 | oauthbearer
 *   username: ${KAFKA_USER}               # ${VAR} reads the environment
 *   password: ${KAFKA_PASSWORD}
 * # or, for oauthbearer:
 * #  mechanism: oauthbearer
 * #  tokenModule: ./token.mjs             # its default export returns a token (string), maybe async
 * ```
 *
 * `${NAME}` anywhere in a value is replaced by the environment variable NAME
 * (an unset one is an error naming it); `$${` stands for a literal `${`.
 * `ca`, `cert` and `key` are file names, or PEM text when they start with
 * `-----BEGIN`. Errors name the file, the key and a code, never a value.
 */
import { GokacError } from "../../errors.js";
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { inspect } from "node:util";
import { pathToFileURL } from "node:url";
import { parseBrokerList } from "./create-kafka-broker.js";
import { redactFields } from "./redact.js";
import { SASL_MECHANISMS, type KafkaSaslOptions, type KafkaTlsOptions } from "./security.js";

/** Why a kafka-config file was refused. */
export type KafkaConfigErrorCode =
  /** The file (or a file it names) cannot be read. */
  | "unreadable"
  /** Not YAML, or not a mapping at the top. */
  | "invalid-yaml"
  /** A key gokac does not know (a typo, most often). */
  | "unknown-key"
  /** A value of the wrong type or shape. */
  | "invalid-value"
  /** A required key is absent. */
  | "missing-key"
  /** `${NAME}` names an environment variable that is not set. */
  | "missing-env"
  /** The oauthbearer token module cannot be loaded or has no default export function. */
  | "token-module";

/** A kafka-config file was refused; says which file and key, and how to fix it, never a value. */
export class KafkaConfigError extends GokacError {
  override readonly name = "KafkaConfigError";
  declare readonly code: KafkaConfigErrorCode;
  constructor(
    code: KafkaConfigErrorCode,
    /** The config file. */
    readonly file: string,
    /** The key, dotted (`sasl.password`), or "" for the whole file. */
    readonly key: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`kafka config ${file}${key === "" ? "" : ` (${key})`}: ${message}`, { code, cause: options?.cause });
  }
}

/** What a kafka-config file gives: options of `createKafkaBroker` (brokers may be left to the command line). */
export interface KafkaConfig {
  readonly brokers?: string[];
  readonly clientId?: string;
  readonly ssl?: boolean | KafkaTlsOptions;
  readonly sasl?: KafkaSaslOptions;
}

/** Options of `loadKafkaConfig`. */
export interface LoadKafkaConfigOptions {
  /** Where `${VAR}` is looked up; `process.env` by default. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** What a relative `file` is relative to; the process's working directory by default. */
  readonly cwd?: string;
}

const TOP_KEYS = ["brokers", "clientId", "ssl", "sasl"];
const SSL_KEYS = ["ca", "cert", "key", "passphrase"];
const SASL_KEYS = ["mechanism", "username", "password", "tokenModule"];

/**
 * Reads the kafka-config `file`. The result prints and inspects with its
 * secrets redacted. Rejects with `KafkaConfigError`.
 */
export async function loadKafkaConfig(file: string, options: LoadKafkaConfigOptions = {}): Promise<KafkaConfig> {
  const path = resolve(options.cwd ?? process.cwd(), file);
  const env = options.env ?? process.env;
  const fail = (code: KafkaConfigErrorCode, key: string, message: string, cause?: unknown): never => {
    throw new KafkaConfigError(code, file, key, message, cause === undefined ? undefined : { cause });
  };

  let text = "";
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    fail(
      "unreadable",
      "",
      `cannot read it (${(error as NodeJS.ErrnoException).code ?? "error"}); check --kafka-config or GOKAC_KAFKA_CONFIG`,
    );
  }
  // yaml loads here, not with the runtime: a process without a config file (and every recovery) skips its 70 modules.
  const { parseDocument } = await import("yaml");
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  const syntax = doc.errors[0];
  if (syntax !== undefined) {
    // Only the position: the parser's message quotes the line, which may hold a secret.
    const at = syntax.linePos?.[0];
    fail("invalid-yaml", "", `not valid YAML (${syntax.code}${at === undefined ? "" : ` at line ${at.line}, column ${at.col}`})`);
  }
  const root: unknown = doc.toJS();
  const top = mapping(root, "", fail);

  const expand = (key: string, value: unknown): string => {
    if (typeof value !== "string") return fail("invalid-value", key, "expected a string");
    return value.replace(/\$\$\{|\$\{([^}]*)\}/g, (match, name: string | undefined) => {
      if (match === "$${") return "${";
      if (name === undefined || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
        return fail("invalid-value", key, "${…} must name an environment variable (letters, digits, _)");
      const v = env[name];
      if (v === undefined) return fail("missing-env", key, `environment variable ${name} is not set`);
      return v;
    });
  };
  const base = dirname(path);
  const readPem = async (key: string, value: unknown): Promise<string> => {
    const v = expand(key, value);
    if (v.trimStart().startsWith("-----BEGIN")) return v;
    try {
      return await readFile(resolve(base, v), "utf8");
    } catch (error) {
      return fail(
        "unreadable",
        key,
        `cannot read the file it names (${(error as NodeJS.ErrnoException).code ?? "error"}; relative to the config file's folder)`,
      );
    }
  };

  const config: { -readonly [K in keyof KafkaConfig]: KafkaConfig[K] } = {};
  unknownKeys(top, TOP_KEYS, "", fail);
  if (top["brokers"] !== undefined) {
    const raw = top["brokers"];
    const list = Array.isArray(raw) ? raw.map((b, i) => expand(`brokers[${i}]`, b)) : expand("brokers", raw);
    try {
      config.brokers = parseBrokerList(list);
    } catch (error) {
      fail("invalid-value", "brokers", error instanceof Error ? error.message : String(error));
    }
  }
  if (top["clientId"] !== undefined) config.clientId = expand("clientId", top["clientId"]);
  const ssl = top["ssl"];
  if (ssl === true || ssl === false) config.ssl = ssl;
  else if (ssl !== undefined && ssl !== null) {
    const m = mapping(ssl, "ssl", fail, "expected true (the system's CAs) or a mapping with ca, cert, key");
    unknownKeys(m, SSL_KEYS, "ssl", fail);
    const tls: { -readonly [K in keyof KafkaTlsOptions]: KafkaTlsOptions[K] } = {};
    if (m["ca"] !== undefined) tls.ca = await readPem("ssl.ca", m["ca"]);
    if (m["cert"] !== undefined) tls.cert = await readPem("ssl.cert", m["cert"]);
    if (m["key"] !== undefined) tls.key = await readPem("ssl.key", m["key"]);
    if ((tls.cert === undefined) !== (tls.key === undefined))
      fail("missing-key", tls.cert === undefined ? "ssl.cert" : "ssl.key", "mutual TLS needs both cert and key");
    if (m["passphrase"] !== undefined) tls.passphrase = expand("ssl.passphrase", m["passphrase"]);
    config.ssl = tls;
  }
  const sasl = top["sasl"];
  if (sasl !== undefined && sasl !== null) {
    const m = mapping(sasl, "sasl", fail, "expected a mapping with mechanism, username, password (or tokenModule)");
    unknownKeys(m, SASL_KEYS, "sasl", fail);
    if (m["mechanism"] === undefined) fail("missing-key", "sasl.mechanism", `give one of ${SASL_MECHANISMS.join(", ")}`);
    const mechanism = expand("sasl.mechanism", m["mechanism"]).toLowerCase();
    if (mechanism === "oauthbearer") {
      if (m["username"] !== undefined || m["password"] !== undefined)
        fail(
          "unknown-key",
          m["username"] !== undefined ? "sasl.username" : "sasl.password",
          "oauthbearer takes a tokenModule, not a username or password",
        );
      if (m["tokenModule"] === undefined)
        fail("missing-key", "sasl.tokenModule", "oauthbearer needs a module whose default export returns a token");
      const modulePath = resolve(base, expand("sasl.tokenModule", m["tokenModule"]));
      let provider: unknown;
      try {
        provider = ((await import(pathToFileURL(modulePath).href)) as { default?: unknown }).default;
      } catch (error) {
        fail(
          "token-module",
          "sasl.tokenModule",
          `cannot load it (relative to the config file's folder): ${error instanceof Error ? error.name : "error"}`,
          error,
        );
      }
      if (typeof provider !== "function")
        fail("token-module", "sasl.tokenModule", "its default export must be a function returning a token (string), maybe async");
      const tokenProvider = provider as () => string | Promise<string>;
      config.sasl = { mechanism: "oauthbearer", tokenProvider: () => tokenProvider() };
    } else if (SASL_MECHANISMS.includes(mechanism as (typeof SASL_MECHANISMS)[number])) {
      if (m["tokenModule"] !== undefined) fail("unknown-key", "sasl.tokenModule", "only oauthbearer takes a tokenModule");
      for (const k of ["username", "password"])
        if (m[k] === undefined) fail("missing-key", `sasl.${k}`, `${mechanism} needs a username and a password`);
      config.sasl = {
        mechanism: mechanism as "plain" | "scram-sha-256" | "scram-sha-512",
        username: expand("sasl.username", m["username"]),
        password: expand("sasl.password", m["password"]),
      };
    } else {
      fail("invalid-value", "sasl.mechanism", `"${mechanism}" is not one of ${SASL_MECHANISMS.join(", ")}`);
    }
  }

  // Printing, inspecting or serialising the config shows no secret.
  const printable = () => redactFields(config);
  Object.defineProperties(config, {
    toString: { value: () => `KafkaConfig ${JSON.stringify(printable())}` },
    toJSON: { value: printable },
    [inspect.custom]: { value: (_depth: number, opts: object) => `KafkaConfig ${inspect(printable(), opts)}` },
  });
  return config;
}

function mapping(
  value: unknown,
  key: string,
  fail: (code: KafkaConfigErrorCode, key: string, message: string) => never,
  message = "expected a mapping",
): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    return fail(key === "" ? "invalid-yaml" : "invalid-value", key, message);
  return value as Record<string, unknown>;
}

function unknownKeys(
  m: Record<string, unknown>,
  known: readonly string[],
  at: string,
  fail: (code: KafkaConfigErrorCode, key: string, message: string) => never,
): void {
  for (const k of Object.keys(m)) {
    if (!known.includes(k)) fail("unknown-key", at === "" ? k : `${at}.${k}`, `unknown key; expected ${known.join(", ")}`);
  }
}
