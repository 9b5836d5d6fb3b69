/**
 * Gate and helpers of the system tests (real Kafka).
 *
 * Without `GOKAC_BROKERS` the suites are skipped, with the reason in their
 * name. With `GOKAC_REQUIRE_KAFKA=1` (CI) a missing broker fails the run
 * instead, so a CI run can never pass by skipping them.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer, type AddressInfo, type Server } from "node:net";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe } from "vitest";

/** The cluster under test, or `undefined` when none is configured. */
export const brokers: string | undefined = process.env.GOKAC_BROKERS?.trim() || undefined;

if (process.env.GOKAC_REQUIRE_KAFKA === "1" && brokers === undefined) {
  throw new Error("GOKAC_REQUIRE_KAFKA=1 but GOKAC_BROKERS is unset: system tests must run against a broker (npm run kafka:start)");
}

/** `describe` when a broker is configured, else `describe.skip` with the reason in the title. */
export function describeKafka(name: string, body: () => void): void {
  if (brokers === undefined)
    describe.skip(`${name} (skipped: GOKAC_BROKERS is unset; run npm run kafka:start and export GOKAC_BROKERS=127.0.0.1:9092)`, body);
  else describe(name, body);
}

/** The configured brokers; only call inside a `describeKafka` body. */
export function kafkaBrokers(): string {
  if (brokers === undefined) throw new Error("no GOKAC_BROKERS");
  return brokers;
}

/** A topic or group name no other test (or earlier run) uses. */
export function unique(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(3).toString("hex")}`;
}

/** Polls `check` until it returns true, failing after `timeoutMs`. */
export async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 30_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The repository root, with a trailing slash. */
export const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
const run = promisify(execFile);

/**
 * A second, disposable Kafka node (own ports and data under .kafka/<name>),
 * for tests that stop or restart a broker without disturbing the others.
 */
export interface SpareKafka {
  /** `127.0.0.1:<port>`; known from the first `start()` on. */
  readonly brokers: string;
  /** Starts the node; the first start picks free ports (broker and controller), later ones reuse them. */
  start(): Promise<void>;
  /** Stops the node; `clean` (default) also deletes its data. */
  stop(clean?: boolean): Promise<void>;
}

/** `count` distinct ports that are free on 127.0.0.1 right now (all held open until each is known). */
export async function freePorts(count: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once("error", reject);
        server.listen(0, "127.0.0.1", resolve);
      });
    }
    return servers.map((s) => (s.address() as AddressInfo).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}

/** Describes a spare node on free ports; nothing starts until `start()`. */
export function spareKafka(name: string): SpareKafka {
  let ports: { broker: number; controller: number } | undefined;
  const env = () => ({
    ...process.env,
    KAFKA_DIR: `${repoRoot}.kafka/${name}`,
    KAFKA_BROKER_PORT: String(ports?.broker ?? 0),
    KAFKA_CONTROLLER_PORT: String(ports?.controller ?? 0),
    KAFKA_HEAP: "384m",
  });
  const stop = async (clean = true) => {
    await run("bash", [`${repoRoot}scripts/kafka/stop.sh`], { env: { ...env(), KAFKA_CLEAN: clean ? "1" : "0" }, timeout: 60_000 });
  };
  return {
    get brokers() {
      if (ports === undefined) throw new Error(`spare Kafka ${name}: not started yet, so it has no port`);
      return `127.0.0.1:${ports.broker}`;
    },
    async start() {
      if (ports !== undefined) {
        await run("bash", [`${repoRoot}scripts/kafka/start.sh`], { env: env(), timeout: 180_000 });
        return;
      }
      // Another process may take a port between the check and Kafka binding it: then again, on other ports.
      for (let attempt = 1; ; attempt++) {
        const [broker, controller] = await freePorts(2);
        ports = { broker: broker!, controller: controller! };
        try {
          await run("bash", [`${repoRoot}scripts/kafka/start.sh`], { env: env(), timeout: 180_000 });
          return;
        } catch (error) {
          await stop().catch(() => undefined);
          if (attempt >= 3) throw error;
        }
      }
    },
    stop,
  };
}
