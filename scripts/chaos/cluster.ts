/**
 * A local multi-node Kafka cluster driven through scripts/kafka/ (start.sh with
 * KAFKA_NODES, node.sh, stop.sh), for the multi-broker system test and the
 * chaos suite: its own KAFKA_DIR, free ports, nodes stopped, killed and
 * started again one at a time.
 */
import { execFile } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

const run = promisify(execFile);
const scripts = fileURLToPath(new URL("../kafka/", import.meta.url));

/** Options of `startCluster`. */
export interface ClusterOptions {
  /** The cluster's folder (config, data, logs of every node); deleted by `stop(true)`. */
  readonly dir: string;
  /** Node count (default 3). */
  readonly nodes?: number;
  /** Heap of each node's JVM (default 384m). */
  readonly heap?: string;
  /** Seconds to wait until clients can use the cluster (default 180). */
  readonly readyTimeoutSeconds?: number;
}

/** A running local cluster. */
export interface LocalCluster {
  /** The client bootstrap list, `127.0.0.1:p1,127.0.0.1:p2,…`. */
  readonly bootstrap: string;
  readonly nodes: number;
  /** Stops node `i` (1-based) with SIGTERM (controlled shutdown). */
  stopNode(i: number): Promise<void>;
  /** Kills node `i` with SIGKILL. */
  killNode(i: number): Promise<void>;
  /** Starts node `i` again; resolves once clients can use it. */
  startNode(i: number): Promise<void>;
  /** Stops every node; `clean` (default) deletes the cluster's data. */
  stop(clean?: boolean): Promise<void>;
}

/** Starts (formatting on first use) a cluster of `nodes` KRaft nodes on free ports; resolves once clients can use it. */
export async function startCluster(options: ClusterOptions): Promise<LocalCluster> {
  const nodes = options.nodes ?? 3;
  const timeout = (options.readyTimeoutSeconds ?? 180) * 1000;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    KAFKA_DIR: options.dir,
    KAFKA_NODES: String(nodes),
    KAFKA_HEAP: options.heap ?? "384m",
    KAFKA_READY_TIMEOUT: String(options.readyTimeoutSeconds ?? 180),
    KAFKA_SECURITY: "plaintext",
  };
  // The cluster picks its own free ports; inherited fixed ones (a CI dry run's) must not leak in.
  delete env.KAFKA_BROKER_PORT;
  delete env.KAFKA_CONTROLLER_PORT;
  delete env.KAFKA_FRESH;
  const script = (name: string, args: string[], extra: NodeJS.ProcessEnv = {}) =>
    run("bash", [join(scripts, name), ...args], { env: { ...env, ...extra }, timeout: timeout + 60_000 });
  const stop = async (clean = true) => void (await script("stop.sh", [], { KAFKA_CLEAN: clean ? "1" : "0" }));
  // Another process may take a picked port before its node binds it: then again, on other ports.
  for (let attempt = 1; ; attempt++) {
    try {
      await script("start.sh", []);
      break;
    } catch (error) {
      await stop().catch(() => undefined);
      const portTaken = /is in use by another process/.test(String((error as { stderr?: unknown }).stderr ?? ""));
      if (!portTaken || attempt >= 3) throw error;
    }
  }
  const bootstrap = readFileSync(join(options.dir, "bootstrap"), "utf8").trim();
  return {
    bootstrap,
    nodes,
    stopNode: async (i) => void (await script("node.sh", ["stop", String(i)])),
    killNode: async (i) => void (await script("node.sh", ["kill", String(i)])),
    startNode: async (i) => void (await script("node.sh", ["start", String(i)])),
    stop,
  };
}
