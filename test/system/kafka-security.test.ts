/**
 * gokac on a secured cluster: a separate node started by the project's broker
 * script in its secured mode (SASL_SSL, SCRAM-SHA-512, its own CA) on free
 * ports. The CLI round trip over SASL_SSL with `--kafka-config`, and the
 * failures no retry fixes (wrong password, untrusted CA, plaintext client at
 * the TLS listener): exit 1, one line on stderr, within seconds, no secret.
 * Then every other way in: SCRAM-SHA-256, PLAIN and OAUTHBEARER (a token
 * module) on the SASL_SSL listener, and mutual TLS (a client certificate) on
 * the node's SSL listener, each through `--kafka-config`, plus their refusals.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { createKafkaBroker, KafkaConnectionError, type KafkaConnectionErrorCode } from "../../runtime/index.js";
import { gokac, startGokac, type GokacProcess } from "../support/gokac-process.js";
import { describeKafka, eventually, repoRoot, unique } from "./kafka-env.js";

const run = promisify(execFile);

/** A port nobody listens on right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Exit code, stderr on one line, time bound and no secret: what every refused connection must show. */
function expectPromptOneLineFailure(
  result: { code: number | null; stdout: string; stderr: string },
  ms: number,
  secrets: readonly string[],
  boundMs: number,
): void {
  expect(result.code, result.stderr).toBe(1);
  expect(ms).toBeLessThan(boundMs);
  expect(result.stderr.trimEnd().split("\n"), result.stderr).toHaveLength(1);
  for (const secret of secrets) {
    expect(result.stdout).not.toContain(secret);
    expect(result.stderr).not.toContain(secret);
  }
}

describeKafka("gokac on a SASL_SSL cluster", () => {
  const name = unique("secured");
  const dir = `${repoRoot}.kafka/${name}`;
  const work = mkdtempSync(join(tmpdir(), "gokac-secured-"));
  const password = `pw-${randomBytes(9).toString("hex")}`;
  const wrongPassword = `wrong-${randomBytes(9).toString("hex")}`;
  const env: Record<string, string> = {};
  let brokers = "";
  let mtlsBrokers = "";
  let running: GokacProcess | undefined;

  beforeAll(async () => {
    const [port, controller, internal, mtls] = [await freePort(), await freePort(), await freePort(), await freePort()];
    Object.assign(env, {
      ...process.env,
      KAFKA_DIR: dir,
      KAFKA_BROKER_PORT: String(port),
      KAFKA_CONTROLLER_PORT: String(controller),
      KAFKA_INTERNAL_PORT: String(internal),
      KAFKA_MTLS_PORT: String(mtls),
      KAFKA_HEAP: "384m",
      KAFKA_SECURITY: "sasl_ssl",
      KAFKA_SASL_PASSWORD: password,
    });
    brokers = `127.0.0.1:${port}`;
    mtlsBrokers = `127.0.0.1:${mtls}`;
    await run("bash", [`${repoRoot}scripts/kafka/start.sh`], { env, timeout: 240_000 });
    // The commands below read the password from the environment through ${VAR}.
    process.env["GOKAC_TEST_SASL_PASSWORD"] = password;
    process.env["GOKAC_TEST_WRONG_PASSWORD"] = wrongPassword;
  }, 250_000);

  afterAll(async () => {
    await running?.stop("SIGKILL");
    await run("bash", [`${repoRoot}scripts/kafka/stop.sh`], { env: { ...env, KAFKA_CLEAN: "1" }, timeout: 60_000 }).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }, 90_000);

  const config = (file: string, lines: string[]): string => {
    const path = join(work, file);
    writeFileSync(path, lines.join("\n") + "\n");
    return path;
  };
  const good = () =>
    config("good.yaml", [
      `brokers: [${brokers}]`,
      "ssl:",
      `  ca: ${join(dir, "tls/ca.pem")}`,
      "sasl:",
      "  mechanism: scram-sha-512",
      "  username: gokac",
      "  password: ${GOKAC_TEST_SASL_PASSWORD}",
    ]);

  it("the script writes a CA and a kafka-config that works as is", () => {
    expect(readFileSync(join(dir, "tls/ca.pem"), "utf8")).toContain("BEGIN CERTIFICATE");
    expect(readFileSync(join(dir, "kafka-config.yaml"), "utf8")).toContain("scram-sha-512");
  });

  it("topics --create, run, emit and get over SASL_SSL with --kafka-config", { timeout: 240_000 }, async () => {
    const file = good();
    const cluster = ["--brokers", brokers, "--kafka-config", file];
    const topics = await gokac(["topics", "specs", "--create", ...cluster]);
    expect(topics.code, topics.stderr).toBe(0);

    running = startGokac(["run", "specs", "--group", "translator", "--state-dir", join(work, "state"), ...cluster]);
    await running.waitFor("running", 120_000);
    const word = unique("word");
    const sent = await gokac(["emit", "specs", "translate-word", word, "secured-hallo", ...cluster]);
    expect(sent.code, sent.stderr).toBe(0);
    await eventually(
      async () => {
        const got = await gokac(["get", "specs", "translator-table", word, ...cluster]);
        if (got.code !== 0) throw new Error(`gokac get failed (${got.code}): ${got.stderr}`);
        return got.stdout.trim() === '"secured-hallo"';
      },
      90_000,
      "the translation over SASL_SSL",
    );
    expect(await running.stop("SIGTERM")).toBe(0);
    expect(running.output()).not.toContain(password);
    running = undefined;
  });

  it(
    "a wrong password, an untrusted CA and a plaintext client: exit 1, one line, within seconds, no secret",
    { timeout: 400_000 },
    async () => {
      const ca = `  ca: ${join(dir, "tls/ca.pem")}`;
      const cases: [string, string][] = [
        [
          "wrong password",
          config("wrong.yaml", [
            "ssl:",
            ca,
            "sasl: { mechanism: scram-sha-512, username: gokac, password: '${GOKAC_TEST_WRONG_PASSWORD}' }",
          ]),
        ],
        [
          "untrusted CA",
          config("untrusted.yaml", [
            "ssl: true",
            "sasl: { mechanism: scram-sha-512, username: gokac, password: '${GOKAC_TEST_SASL_PASSWORD}' }",
          ]),
        ],
        [
          "plaintext client",
          config("plaintext.yaml", ["sasl: { mechanism: scram-sha-512, username: gokac, password: '${GOKAC_TEST_SASL_PASSWORD}' }"]),
        ],
      ];
      for (const [what, file] of cases) {
        for (const command of [
          ["topics", "specs"],
          ["emit", "specs", "translate-word", "k", "v"],
          ["get", "specs", "translator-table", "k"],
        ]) {
          const started = Date.now();
          const result = await gokac([...command, "--brokers", brokers, "--kafka-config", file]);
          // A generous bound: it covers starting Node and tsx on a shared, busy machine (seen up to 25 s);
          // the connection check itself is timed tightly by the runtime test below (under 5 s).
          expectPromptOneLineFailure(result, Date.now() - started, [password, wrongPassword], 60_000);
          expect(result.stderr, `${what}: ${command[0]}`).toContain(brokers);
        }
      }
      // GOKAC_KAFKA_CONFIG is the default of --kafka-config.
      const viaEnv = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          ["--conditions=source", join(repoRoot, "bin/gokac.js"), "topics", "specs", "--brokers", brokers],
          {
            cwd: repoRoot,
            env: { ...process.env, GOKAC_FROM_SOURCE: "1", GOKAC_KAFKA_CONFIG: cases[0]?.[1] ?? "" },
          },
          (error, stdout, stderr) =>
            resolve({ code: error === null ? 0 : typeof error.code === "number" ? error.code : null, stdout, stderr }),
        );
      });
      expectPromptOneLineFailure(viaEnv, 0, [password, wrongPassword], 60_000);
    },
  );

  it("the runtime refuses each with its code, naming the broker and the step, in under 5 s", { timeout: 60_000 }, async () => {
    const ca = readFileSync(join(dir, "tls/ca.pem"), "utf8");
    const cases: [KafkaConnectionErrorCode, Parameters<typeof createKafkaBroker>[0]][] = [
      ["sasl-authentication", { brokers, ssl: { ca }, sasl: { mechanism: "scram-sha-512", username: "gokac", password: wrongPassword } }],
      ["tls-certificate", { brokers, ssl: true, sasl: { mechanism: "scram-sha-512", username: "gokac", password } }],
      ["connection-closed", { brokers, sasl: { mechanism: "scram-sha-512", username: "gokac", password } }],
      ["connection-closed", { brokers, ssl: { ca } }],
    ];
    for (const [code, options] of cases) {
      const broker = createKafkaBroker(options);
      const started = Date.now();
      const error = await broker.partitionCount("anything").catch((e: unknown) => e);
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(error).toBeInstanceOf(KafkaConnectionError);
      expect((error as KafkaConnectionError).code).toBe(code);
      expect((error as KafkaConnectionError).broker).toBe(brokers);
      expect((error as Error).message).not.toContain(password);
      expect((error as Error).message).not.toContain(wrongPassword);
      // Every later use fails the same way, at once (no hang, no retry storm).
      const again = Date.now();
      await expect(broker.producer()).rejects.toBeInstanceOf(KafkaConnectionError);
      expect(Date.now() - again).toBeLessThan(1_000);
      await broker.close();
    }
    const ok = createKafkaBroker({ brokers, ssl: { ca }, sasl: { mechanism: "scram-sha-512", username: "gokac", password } });
    expect(await ok.partitionCount("__consumer_offsets")).toBeGreaterThan(0);
    await ok.close();
  });
  it(
    "SCRAM-SHA-256, PLAIN, OAUTHBEARER through a token module, and mutual TLS, each via --kafka-config",
    { timeout: 300_000 },
    async () => {
      const ca = `  ca: ${join(dir, "tls/ca.pem")}`;
      // An unsigned JWT: the test node validates OAUTHBEARER with Kafka's unsecured validator (never in production).
      const tokenModule = join(work, "token.mjs");
      writeFileSync(
        tokenModule,
        [
          "const part = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');",
          "export default async () => {",
          "  const now = Math.floor(Date.now() / 1000);",
          "  return `${part({ alg: 'none' })}.${part({ sub: 'gokac', iat: now, exp: now + 3600 })}.`;",
          "};",
        ].join("\n"),
      );
      const ways: [string, string, string][] = [
        [
          "scram-sha-256",
          brokers,
          config("scram256.yaml", [
            "ssl:",
            ca,
            "sasl: { mechanism: scram-sha-256, username: gokac, password: '${GOKAC_TEST_SASL_PASSWORD}' }",
          ]),
        ],
        [
          "plain",
          brokers,
          config("plain.yaml", ["ssl:", ca, "sasl: { mechanism: plain, username: gokac, password: '${GOKAC_TEST_SASL_PASSWORD}' }"]),
        ],
        ["oauthbearer", brokers, config("oauth.yaml", ["ssl:", ca, `sasl: { mechanism: oauthbearer, tokenModule: ${tokenModule} }`])],
        [
          "mutual TLS",
          mtlsBrokers,
          config("mtls.yaml", ["ssl:", ca, `  cert: ${join(dir, "tls/client.pem")}`, `  key: ${join(dir, "tls/client.key")}`]),
        ],
      ];
      for (const [what, at, file] of ways) {
        const topics = await gokac(["topics", "specs", "--create", "--brokers", at, "--kafka-config", file]);
        expect(topics.code, `${what}: ${topics.stderr}`).toBe(0);
        const word = unique("way");
        const sent = await gokac(["emit", "specs", "translate-word", word, what, "--brokers", at, "--kafka-config", file]);
        expect(sent.code, `${what}: ${sent.stderr}`).toBe(0);
        expect(sent.stdout + sent.stderr).not.toContain(password);
      }
      // Each read back over its own way in, by a plain reader of the topic the emits went to.
      const ok = createKafkaBroker({
        brokers: mtlsBrokers,
        ssl: {
          ca: readFileSync(join(dir, "tls/ca.pem"), "utf8"),
          cert: readFileSync(join(dir, "tls/client.pem"), "utf8"),
          key: readFileSync(join(dir, "tls/client.key"), "utf8"),
        },
      });
      expect(await ok.partitionCount("translate-word")).toBeGreaterThan(0);
      await ok.close();
    },
  );

  it(
    "refuses a client without a certificate at the mutual-TLS listener, a wrong PLAIN password and an expired token",
    { timeout: 60_000 },
    async () => {
      const ca = readFileSync(join(dir, "tls/ca.pem"), "utf8");
      const part = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
      const expired = () => `${part({ alg: "none" })}.${part({ sub: "gokac", iat: 1, exp: 2 })}.`;
      const cases: [KafkaConnectionErrorCode, Parameters<typeof createKafkaBroker>[0]][] = [
        ["tls-handshake", { brokers: mtlsBrokers, ssl: { ca } }],
        ["sasl-authentication", { brokers, ssl: { ca }, sasl: { mechanism: "plain", username: "gokac", password: wrongPassword } }],
        ["sasl-authentication", { brokers, ssl: { ca }, sasl: { mechanism: "oauthbearer", tokenProvider: expired } }],
      ];
      for (const [code, options] of cases) {
        const broker = createKafkaBroker(options);
        const error = await broker.partitionCount("anything").catch((e: unknown) => e);
        expect(error).toBeInstanceOf(KafkaConnectionError);
        expect((error as KafkaConnectionError).code).toBe(code);
        expect((error as Error).message).not.toContain(wrongPassword);
        await broker.close();
      }
    },
  );
});
