/**
 * `startMonitor`: observes running processors through their events and
 * serves, over plain node:http, the web monitor (`/`), its JSON
 * (`/api/status`), Prometheus metrics (`/metrics`), health (`/healthz`,
 * `/readyz`) and table reads (`/api/tables/<table>/<key>`).
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Registry } from "prom-client";
import type { Broker } from "../broker/port.js";
import { RuntimeOptionsError } from "../errors.js";
import { readOwnedTableValue, type Processor } from "../processor/processor.js";
import { createMetricsRegistry } from "./metrics.js";
import { type GroupStatus, ProcessorObserver } from "./observer.js";
import { MONITOR_PAGE } from "./page.js";
import { toJson } from "./to-json.js";

/** Options of `startMonitor`. */
export interface MonitorOptions {
  /** The processors to observe (attach before `start()` to see their recovery). */
  readonly processors: readonly Processor<any>[];
  /** The broker the processors use: its high watermarks give the consumer lag. */
  readonly broker?: Broker;
  /** Interface to bind (default `127.0.0.1`). */
  readonly host?: string;
  /** Port to bind (default 0: any free port). */
  readonly port?: number;
  /** How often lag is refreshed from the broker, ms (default 5000). */
  readonly lagIntervalMs?: number;
  /** How often table keys are counted (a scan of the local stores), ms (default 60000; 0 never). */
  readonly tableKeysIntervalMs?: number;
  /** Include Node's default process metrics (default true). */
  readonly defaultMetrics?: boolean;
  /** Milliseconds now (default `Date.now`). */
  readonly now?: () => number;
  /**
   * Serves `POST /api/topics/<topic>` (body `{ "key": "...", "value": <JSON> }`)
   * through this hook when given (`gokac dev`); absent, the route does not exist.
   */
  readonly emit?: MonitorEmit;
}

/** What `MonitorOptions.emit` answers: sent (200), an unknown topic (404), a refused value (400). */
export type MonitorEmitResult =
  | { readonly status: "sent"; readonly partition: number; readonly offset: number }
  | { readonly status: "unknown-topic"; readonly topics: readonly string[] }
  | { readonly status: "refused"; readonly reason: string };

/** Sends one message to `topic` for `POST /api/topics/<topic>`; `value` is the body's JSON as parsed. */
export type MonitorEmit = (topic: string, key: string, value: unknown) => Promise<MonitorEmitResult>;

/** Largest request body `POST /api/topics/<topic>` reads. */
const MAX_EMIT_BODY_BYTES = 1 << 20;

/** The whole status `/api/status` serves. */
export interface MonitorStatus {
  readonly at: number;
  readonly healthy: boolean;
  readonly ready: boolean;
  readonly process: { readonly pid: number; readonly uptimeSeconds: number; readonly rssBytes: number; readonly heapUsedBytes: number };
  readonly groups: readonly GroupStatus[];
}

/** A running monitor. */
export interface Monitor {
  /** `http://host:port` as bound (the real port when 0 was asked). */
  readonly url: string;
  readonly address: { readonly host: string; readonly port: number };
  /** The Prometheus registry (to add metrics of your own). */
  readonly registry: Registry;
  /** The status as `/api/status` gives it. */
  status(): MonitorStatus;
  /** Stops serving and observing; the processors keep running. */
  close(): Promise<void>;
}

/** Parses `HOST:PORT` (`[::1]:8080` for IPv6; port 0 for any free one). */
export function parseHostPort(text: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text.trim());
  const port = Number(match?.[3]);
  if (match === null || port > 65535)
    throw new RuntimeOptionsError("http", `expected HOST:PORT (e.g. 127.0.0.1:8080, 0.0.0.0:0), got ${JSON.stringify(text)}`);
  return { host: match[1] ?? (match[2] || "0.0.0.0"), port };
}

/** Starts observing `processors` and serving on `host:port`; resolves once listening. */
export async function startMonitor(options: MonitorOptions): Promise<Monitor> {
  const processors = options.processors;
  if (!Array.isArray(processors) || processors.some((p) => typeof p?.on !== "function")) {
    throw new RuntimeOptionsError("processors", "pass the processors to observe: startMonitor({ processors: [processor] })");
  }
  const now = options.now ?? Date.now;
  const observers = processors.map(
    (p) => new ProcessorObserver(p, { ...(options.broker === undefined ? {} : { broker: options.broker }), now }),
  );
  const registry = createMetricsRegistry(observers, options.defaultMetrics === undefined ? {} : { defaultMetrics: options.defaultMetrics });
  const timers: NodeJS.Timeout[] = [];
  const every = (ms: number, task: () => unknown) => {
    if (ms <= 0) return;
    const timer = setInterval(
      () =>
        void Promise.resolve()
          .then(task)
          .catch(() => undefined),
      ms,
    );
    timer.unref();
    timers.push(timer);
  };
  every(1000, () => observers.forEach((o) => o.sample()));
  every(options.lagIntervalMs ?? 5000, () => Promise.all(observers.map((o) => o.refreshLag())));
  every(options.tableKeysIntervalMs ?? 60_000, () => Promise.all(observers.map((o) => o.refreshTableKeys())));

  const status = (): MonitorStatus => {
    const groups = observers.map((o) => o.status());
    const memory = process.memoryUsage();
    return {
      at: now(),
      healthy: !observers.some((o) => o.failed),
      ready: observers.every((o) => o.notReady().length === 0),
      process: { pid: process.pid, uptimeSeconds: process.uptime(), rssBytes: memory.rss, heapUsedBytes: memory.heapUsed },
      groups,
    };
  };

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://monitor");
    const path = url.pathname;
    if (options.emit !== undefined && path.startsWith("/api/topics/"))
      return routeEmit(req, res, options.emit, decodeURIComponent(path.slice("/api/topics/".length)));
    if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, "text/plain", "GET only\n");
    if (path === "/" || path === "/index.html") return send(res, 200, "text/html; charset=utf-8", MONITOR_PAGE);
    if (path === "/metrics") {
      // Fresh lag for the scrape, within a bounded wait.
      await Promise.race([Promise.all(observers.map((o) => o.refreshLag())), new Promise((r) => setTimeout(r, 1000).unref())]);
      return send(res, 200, registry.contentType, await registry.metrics());
    }
    if (path === "/healthz") {
      const failed = observers.filter((o) => o.failed).map((o) => o.group);
      return failed.length === 0 ? send(res, 200, "text/plain", "ok\n") : send(res, 500, "text/plain", `failed: ${failed.join(", ")}\n`);
    }
    if (path === "/readyz") {
      const waiting = observers.flatMap((o) => o.notReady().map((why) => `${o.group}: ${why}`));
      return waiting.length === 0
        ? send(res, 200, "text/plain", "ready\n")
        : send(res, 503, "text/plain", `not ready:\n${waiting.join("\n")}\n`);
    }
    if (path === "/api/status") return send(res, 200, "application/json", JSON.stringify(status()));
    if (path.startsWith("/api/tables/")) {
      const rest = path.slice("/api/tables/".length);
      const slash = rest.indexOf("/");
      const table = decodeURIComponent(slash < 0 ? rest : rest.slice(0, slash));
      const key = slash < 0 ? "" : decodeURIComponent(rest.slice(slash + 1));
      const observer = observers.find((o) => o.table === table);
      if (observer === undefined) {
        const tables = observers.flatMap((o) => (o.table === undefined ? [] : [o.table]));
        return send(res, 404, "application/json", JSON.stringify({ error: "unknown-table", table, tables }));
      }
      if (slash < 0) return send(res, 400, "application/json", JSON.stringify({ error: "missing-key", table }));
      const { owned, value } = await readOwnedTableValue(observer.processor, key);
      // Another instance owns the key's partition: its value is not here.
      if (!owned) return send(res, 421, "application/json", JSON.stringify({ error: "partition-not-owned", table, key }));
      return send(res, 200, "application/json", toJson(value ?? null, url.searchParams.has("pretty") ? 2 : undefined));
    }
    return send(res, 404, "text/plain", "not found\n");
  }

  const server = createServer((req, res) => {
    route(req, res).catch((error: unknown) => {
      if (!res.headersSent)
        send(
          res,
          500,
          "application/json",
          JSON.stringify({ error: "internal", message: error instanceof Error ? error.message : String(error) }),
        );
      else res.end();
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const bound = server.address() as AddressInfo;
  const host = bound.address;
  const shownHost = bound.family === "IPv6" ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${bound.port}`,
    address: { host, port: bound.port },
    registry,
    status,
    async close() {
      for (const t of timers) clearInterval(t);
      for (const o of observers) o.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function routeEmit(req: IncomingMessage, res: ServerResponse, emit: MonitorEmit, topic: string): Promise<void> {
  if (req.method !== "POST") return send(res, 405, "text/plain", "POST only\n");
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_EMIT_BODY_BYTES)
      return send(res, 413, "application/json", JSON.stringify({ error: "body-too-large", limit: MAX_EMIT_BODY_BYTES }));
    chunks.push(chunk);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    return send(res, 400, "application/json", JSON.stringify({ error: "invalid-json" }));
  }
  const message = typeof body === "object" && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
  if (message === undefined || typeof message["key"] !== "string" || !("value" in message)) {
    return send(res, 400, "application/json", JSON.stringify({ error: "invalid-message", expected: '{ "key": string, "value": JSON }' }));
  }
  const result = await emit(topic, message["key"], message["value"]);
  if (result.status === "unknown-topic")
    return send(res, 404, "application/json", JSON.stringify({ error: "unknown-topic", topic, topics: result.topics }));
  if (result.status === "refused")
    return send(res, 400, "application/json", JSON.stringify({ error: "value-refused", topic, reason: result.reason }));
  return send(res, 200, "application/json", JSON.stringify({ topic, partition: result.partition, offset: result.offset }));
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
  res.end(res.req.method === "HEAD" ? undefined : body);
}
