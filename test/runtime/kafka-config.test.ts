/**
 * The kafka-config loader and the TLS/SASL options of createKafkaBroker:
 * parsing, ${VAR}, paths relative to the file, redaction, refused input
 * (asserted by error code and key, never by text).
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { inspect } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import {
  createKafkaBroker,
  KafkaConfigError,
  KafkaSecurityOptionsError,
  loadKafkaConfig,
  REDACTED,
  SecretSet,
  type KafkaConfigErrorCode,
} from "../../runtime/index.js";

const root = mkdtempSync(join(tmpdir(), "gokac-kafka-config-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const CA = "-----BEGIN CERTIFICATE-----\nMIIBca\n-----END CERTIFICATE-----\n";
const CERT = "-----BEGIN CERTIFICATE-----\nMIIBclient\n-----END CERTIFICATE-----\n";
const KEY = "-----BEGIN PRIVATE KEY-----\nMIIEsecretkeymaterial\n-----END PRIVATE KEY-----\n";
const PASSWORD = "pa55-w0rd-xyzzy";

let n = 0;
/** Writes `yaml` as a config file in a fresh folder (with certs/ beside it); returns its path. */
function configFile(yaml: string): string {
  const dir = join(root, `c${n++}`);
  mkdirSync(join(dir, "certs"), { recursive: true });
  writeFileSync(join(dir, "certs/ca.pem"), CA);
  writeFileSync(join(dir, "certs/client.pem"), CERT);
  writeFileSync(join(dir, "certs/client.key"), KEY);
  const file = join(dir, "kafka.yaml");
  writeFileSync(file, yaml);
  return file;
}

async function refusal(yaml: string, env: Record<string, string> = {}): Promise<KafkaConfigError> {
  const error = await loadKafkaConfig(configFile(yaml), { env }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(KafkaConfigError);
  return error as KafkaConfigError;
}

describe("loadKafkaConfig", () => {
  it("reads brokers, clientId, ssl files relative to the config file and sasl with ${VAR} from the environment", async () => {
    const file = configFile(
      [
        "brokers: [kafka-1:9093, kafka-2:9093]",
        "clientId: ledger-${SERVICE}",
        "ssl:",
        "  ca: ./certs/ca.pem",
        "  cert: certs/client.pem",
        "  key: ./certs/client.key",
        "sasl:",
        "  mechanism: SCRAM-SHA-512",
        "  username: ${KAFKA_USER}",
        "  password: ${KAFKA_PASSWORD}",
      ].join("\n"),
    );
    // A relative file name is relative to cwd; the certificates to the file's own folder.
    const config = await loadKafkaConfig(file.slice(root.length + 1), {
      cwd: root,
      env: { SERVICE: "svc", KAFKA_USER: "alice", KAFKA_PASSWORD: PASSWORD },
    });
    expect(config.brokers).toEqual(["kafka-1:9093", "kafka-2:9093"]);
    expect(config.clientId).toBe("ledger-svc");
    expect(config.ssl).toEqual({ ca: CA, cert: CERT, key: KEY });
    expect(config.sasl).toEqual({ mechanism: "scram-sha-512", username: "alice", password: PASSWORD });
  });

  it("takes ssl: true, a comma-separated broker string, inline PEM and $${ for a literal ${", async () => {
    const a = await loadKafkaConfig(
      configFile("brokers: a:1,b:2\nssl: true\nsasl: { mechanism: plain, username: u, password: 'x$${Y}' }"),
      { env: {} },
    );
    expect(a.brokers).toEqual(["a:1", "b:2"]);
    expect(a.ssl).toBe(true);
    expect(a.sasl).toEqual({ mechanism: "plain", username: "u", password: "x${Y}" });
    const b = await loadKafkaConfig(
      configFile(
        `ssl:\n  ca: |\n${CA.split("\n")
          .map((l) => `    ${l}`)
          .join("\n")}`,
      ),
      { env: {} },
    );
    expect(b.brokers).toBeUndefined();
    expect((b.ssl as { ca: string }).ca.trim()).toBe(CA.trim());
  });

  it("loads an oauthbearer token module relative to the config file; its default export gives the token", async () => {
    const file = configFile("sasl:\n  mechanism: oauthbearer\n  tokenModule: ./token.mjs\n");
    writeFileSync(join(file, "../token.mjs"), "export default async () => 'tok-' + 42;\n");
    const config = await loadKafkaConfig(file, { env: {} });
    expect(config.sasl?.mechanism).toBe("oauthbearer");
    expect(config.sasl?.mechanism === "oauthbearer" ? await config.sasl.tokenProvider() : undefined).toBe("tok-42");
  });

  it("redacts the password, the private key and the token provider when printed, inspected or serialised", async () => {
    const file = configFile(
      `brokers: [k:9093]\nssl: { ca: certs/ca.pem, cert: certs/client.pem, key: certs/client.key }\nsasl: { mechanism: plain, username: bob, password: "${PASSWORD}" }`,
    );
    const config = await loadKafkaConfig(file, { env: {} });
    for (const printed of [String(config), inspect(config, { depth: 10 }), JSON.stringify(config), `${config}`]) {
      expect(printed).not.toContain(PASSWORD);
      expect(printed).not.toContain("secretkeymaterial");
      expect(printed).toContain(REDACTED);
      expect(printed).toContain("bob");
    }
  });

  it.each<[string, string, Record<string, string>, KafkaConfigErrorCode, string]>([
    ["an unset ${VAR}", "sasl: { mechanism: plain, username: u, password: '${NOPE_NOT_SET}' }", {}, "missing-env", "sasl.password"],
    ["a malformed ${…}", "clientId: '${1BAD}'", {}, "invalid-value", "clientId"],
    ["a typo in a key", "broker: [a:1]", {}, "unknown-key", "broker"],
    ["a typo in an ssl key", "ssl: { cafile: x }", {}, "unknown-key", "ssl.cafile"],
    ["an unknown mechanism", "sasl: { mechanism: kerberos, username: u, password: p }", {}, "invalid-value", "sasl.mechanism"],
    ["no mechanism", "sasl: { username: u, password: p }", {}, "missing-key", "sasl.mechanism"],
    ["scram without a password", "sasl: { mechanism: scram-sha-256, username: u }", {}, "missing-key", "sasl.password"],
    ["oauthbearer with a password", "sasl: { mechanism: oauthbearer, password: p }", {}, "unknown-key", "sasl.password"],
    ["oauthbearer without a module", "sasl: { mechanism: oauthbearer }", {}, "missing-key", "sasl.tokenModule"],
    [
      "a token module that does not exist",
      "sasl: { mechanism: oauthbearer, tokenModule: ./none.mjs }",
      {},
      "token-module",
      "sasl.tokenModule",
    ],
    ["a CA file that does not exist", "ssl: { ca: ./certs/missing.pem }", {}, "unreadable", "ssl.ca"],
    ["a cert without a key", "ssl: { cert: certs/client.pem }", {}, "missing-key", "ssl.key"],
    ["ssl as a number", "ssl: 3", {}, "invalid-value", "ssl"],
    ["a bad broker", "brokers: [nohostport]", {}, "invalid-value", "brokers"],
    ["a password that is not a string", "sasl: { mechanism: plain, username: u, password: [1] }", {}, "invalid-value", "sasl.password"],
    ["a list at the top", "- a\n- b", {}, "invalid-yaml", ""],
  ])("refuses %s", async (_what, yaml, env, code, key) => {
    const error = await refusal(yaml, env);
    expect(error.code).toBe(code);
    expect(error.key).toBe(key);
  });

  it("names a missing variable but never a value, and never quotes a broken line (which may hold a secret)", async () => {
    const missing = await refusal(`sasl: { mechanism: plain, username: "${PASSWORD}", password: "\${KAFKA_PW_UNSET}" }`);
    expect(missing.code).toBe("missing-env");
    expect(missing.message).toContain("KAFKA_PW_UNSET");
    expect(missing.message).not.toContain(PASSWORD);
    const broken = await refusal(`sasl:\n  mechanism: plain\n  password: "${PASSWORD}\n  username: [`);
    expect(broken.code).toBe("invalid-yaml");
    expect(broken.message).not.toContain(PASSWORD);
    expect(broken.message.split("\n")).toHaveLength(1);
  });

  it("refuses a file that does not exist", async () => {
    const error = await loadKafkaConfig(join(root, "nowhere.yaml")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaConfigError);
    expect((error as KafkaConfigError).code).toBe("unreadable");
  });
});

describe("createKafkaBroker's ssl and sasl", () => {
  it.each<[string, Record<string, unknown>, string]>([
    ["an unknown mechanism", { sasl: { mechanism: "gssapi", username: "u", password: "p" } }, "sasl.mechanism"],
    ["scram without a password", { sasl: { mechanism: "scram-sha-512", username: "u" } }, "sasl.password"],
    ["plain without a username", { sasl: { mechanism: "plain", password: "p" } }, "sasl.username"],
    ["oauthbearer without a provider", { sasl: { mechanism: "oauthbearer" } }, "sasl.tokenProvider"],
    ["a key without a cert", { ssl: { key: KEY } }, "ssl.cert"],
    ["an empty CA", { ssl: { ca: "" } }, "ssl.ca"],
    ["ssl as a string", { ssl: "yes" }, "ssl"],
  ])("refuses %s, naming the option", (_what, extra, option) => {
    let error: unknown;
    try {
      createKafkaBroker({ brokers: "127.0.0.1:1", ...extra } as Parameters<typeof createKafkaBroker>[0]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(KafkaSecurityOptionsError);
    expect((error as KafkaSecurityOptionsError).option).toBe(option);
  });

  it("accepts every mechanism and ssl form without connecting, and inspects without secrets", async () => {
    for (const sasl of [
      { mechanism: "plain", username: "u", password: PASSWORD },
      { mechanism: "scram-sha-256", username: "u", password: PASSWORD },
      { mechanism: "scram-sha-512", username: "u", password: PASSWORD },
      { mechanism: "oauthbearer", tokenProvider: () => "t" },
    ] as const) {
      for (const ssl of [true, { ca: CA }, { ca: CA, cert: CERT, key: KEY }]) {
        const broker = createKafkaBroker({ brokers: "127.0.0.1:1", ssl, sasl });
        const shown = inspect(broker, { depth: 10 });
        expect(shown).not.toContain(PASSWORD);
        expect(shown).not.toContain("secretkeymaterial");
        await broker.close();
      }
    }
  });
});

describe("SecretSet", () => {
  it("replaces every known secret (a longer one whole) and puts messages on one line", () => {
    const secrets = new SecretSet();
    secrets.add("abc");
    secrets.add("abcdef");
    secrets.add("");
    expect(secrets.size).toBe(2);
    expect(secrets.redact("x abcdef y abc z")).toBe(`x ${REDACTED} y ${REDACTED} z`);
    expect(secrets.message(new Error("first\n  second abc\n"))).toBe(`first; second ${REDACTED}`);
  });
});
