/**
 * `gokac dev [specs] [--out generated] [--http HOST:PORT] [--log-level LEVEL]`:
 * every built group on the in-memory broker (no Kafka), with the web monitor
 * and table reads at `--http` (default 127.0.0.1:9464; the URL is printed on
 * stderr). Messages come in through `POST /api/topics/<topic>` (body
 * `{ "key": "...", "value": <JSON as in gokac emit> }`) or as
 * `topic<TAB>key<TAB>value` lines on standard input, encoded with the
 * topic's codec from the build.
 *
 * The `--out` folder is watched: when a `.ts` file there changes (a handler
 * edited, or a rebuild), the build is imported afresh and, if that works, the
 * processors are stopped and started again with it on the same memory broker
 * and the same per-group memory storage, so topics and tables are kept. The
 * monitor is rebound on the same port. A group that fails waits for the next
 * change. SIGINT/SIGTERM stop everything; exit 0.
 */
import { watch, type FSWatcher } from "node:fs";
import { resolve } from "node:path";
import type { Command } from "commander";
import type { Logger, MemoryBroker, Monitor, MonitorEmitResult, Processor, Storage } from "../../runtime/index.js";
import { ValueError } from "../cli-value.js";
import { UsageError, type ExitStatus } from "../exit.js";
import type { CommandIo } from "../io/command-io.js";
import { loadGeneratedGroups, loadGeneratedTopics, type GeneratedGroup, type GeneratedTopic } from "../io/load-generated.js";
import { resolveOut, resolveSpecs } from "../io/project-config.js";
import { outOption } from "../options.js";
import type { CommandContext } from "../program.js";
import { loadRuntime, type RuntimeModule } from "../runtime.js";
import { specModelOrReport } from "./cluster-common.js";
import { encodeChecked, lines } from "./emit.js";

/** Where `gokac dev` serves the monitor when `--http` is not given. */
export const DEV_HTTP_DEFAULT = "127.0.0.1:9464";

/** How long after the last change in `--out` the processors are reloaded, ms. */
const RELOAD_DEBOUNCE_MS = 150;

/** Options of `gokac dev`. */
export interface DevOptions {
  readonly out?: string;
  readonly http?: string;
  readonly logLevel?: string;
}

/** One loaded build: its groups and its topics by name. */
interface Build {
  readonly groups: readonly GeneratedGroup[];
  readonly topics: ReadonlyMap<string, GeneratedTopic>;
}

/** Processors running one build, and the monitor observing them. */
interface Running {
  readonly processors: readonly { readonly group: string; readonly processor: Processor }[];
  readonly monitor: Monitor;
}

const PLAIN_TEXT_CODECS = new Set(["int64", "float64", "boolean", "bytes"]);

/**
 * The `gokac emit` text of a value from a JSON body: a string is taken as
 * typed for int64/float64/boolean/bytes topics (so an int64 beyond 2^53 can be
 * given as a string of digits), anything else as its JSON.
 */
export function emitTextOf(codec: string, value: unknown): string {
  return typeof value === "string" && PLAIN_TEXT_CODECS.has(codec) ? value : JSON.stringify(value);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Creates, on the memory broker, every topic the groups need that is missing (a copartitioned set with one count: its largest known, else 1). */
async function createTopics(runtime: RuntimeModule, broker: MemoryBroker, groups: readonly GeneratedGroup[]): Promise<void> {
  const requirements = runtime.topicRequirements({ groups: groups.map((g) => runtime.groupTopicsOf(g.graph)) }, { create: "group-owned" });
  const setCount = new Map<string, number>();
  for (const r of requirements) {
    if (r.copartition === undefined) continue;
    const n = (await broker.partitionCount(r.topic)) ?? r.partitions;
    if (n !== undefined) setCount.set(r.copartition, Math.max(n, setCount.get(r.copartition) ?? 0));
  }
  for (const r of requirements) {
    if ((await broker.partitionCount(r.topic)) !== undefined) continue;
    const partitions = r.partitions ?? (r.copartition === undefined ? undefined : setCount.get(r.copartition)) ?? 1;
    await broker.createTopic({ topic: r.topic, partitions, compacted: r.compacted });
  }
}

/** The command body; resolves with the exit status. */
export async function devCommandAction(io: CommandIo, specs: string, options: DevOptions): Promise<ExitStatus> {
  const model = specModelOrReport(io, specs);
  if (model === undefined) return 1;
  const runtime = await loadRuntime(io);
  const logLevel = options.logLevel ?? "info";
  if (!runtime.isLogLevel(logLevel))
    throw new UsageError(`--log-level: expected trace, debug, info, warn, error, fatal or silent, got ${JSON.stringify(logLevel)}`);
  let http: { host: string; port: number };
  try {
    http = runtime.parseHostPort(options.http ?? DEV_HTTP_DEFAULT);
  } catch (error) {
    throw new UsageError(`--http: ${describe(error)}`);
  }
  const out = resolveOut(io.cwd, options.out);
  const load = async (): Promise<Build> => {
    // load-generated imports through tsx's tsImport, which uses a new namespace on every call: a fresh import of the build and its handlers
    const [groups, topics] = await Promise.all([loadGeneratedGroups(io, out), loadGeneratedTopics(io, out)]);
    return { groups, topics };
  };
  let build = await load();

  const logger: Logger = runtime.createLogger({
    level: logLevel,
    output: { write: (text) => io.stdout(text), isTTY: process.stdout.isTTY === true },
  });
  const broker = runtime.createMemoryBroker();
  const storages = new Map<string, Storage>();
  const storageOf = (group: string): Storage => {
    let storage = storages.get(group);
    if (storage === undefined) {
      storage = runtime.createMemoryStorage();
      storages.set(group, storage);
    }
    return storage;
  };

  const emit = async (topicName: string, key: string, text: string, where: string): Promise<MonitorEmitResult> => {
    const topic = build.topics.get(topicName);
    if (topic === undefined) return { status: "unknown-topic", topics: [...build.topics.keys()] };
    let value: unknown;
    try {
      value = encodeChecked(topic, text, where);
    } catch (error) {
      if (error instanceof ValueError) return { status: "refused", reason: error.message };
      throw error;
    }
    if ((await broker.partitionCount(topicName)) === undefined)
      await broker.createTopic({ topic: topicName, partitions: 1, compacted: false });
    const emitter = runtime.createEmitter(broker, topic);
    try {
      const { partition, offset } = await emitter.emit(key, value);
      return { status: "sent", partition, offset };
    } finally {
      await emitter.close();
    }
  };

  let running: Running | undefined;
  const start = async (next: Build): Promise<Running> => {
    await createTopics(runtime, broker, next.groups);
    const processors = next.groups.map((g) => {
      const processor = runtime.createProcessor(g, { broker, storage: storageOf(g.graph.group) });
      runtime.logProcessorEvents(logger, processor);
      return { group: g.graph.group, processor };
    });
    const monitor = await runtime.startMonitor({
      processors: processors.map((p) => p.processor),
      broker,
      host: http.host,
      port: running?.monitor.address.port ?? http.port,
      emit: (topic, key, value) => emit(topic, key, emitTextOf(build.topics.get(topic)?.codec.name ?? "", value), ""),
    });
    const started: Running = { processors, monitor };
    for (const p of processors) {
      void p.processor.done.then((error) => {
        if (error !== undefined && running === started)
          io.stderr(`gokac: group ${p.group} failed: ${describe(error)}; it starts again when a file in ${out} changes\n`);
      });
    }
    await Promise.all(processors.map((p) => p.processor.start()));
    return started;
  };
  const stop = async (current: Running): Promise<void> => {
    await current.monitor.close();
    const stops = await Promise.allSettled(current.processors.map((p) => p.processor.stop()));
    for (const [i, s] of stops.entries()) {
      if (s.status === "rejected") io.stderr(`gokac: group ${current.processors[i]?.group}: stop failed: ${describe(s.reason)}\n`);
    }
  };

  let watcher: FSWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;
  let stopping = false;
  let reloads: Promise<void> = Promise.resolve();
  const reload = async (): Promise<void> => {
    if (stopping) return;
    let next: Build;
    try {
      next = await load();
    } catch (error) {
      io.stderr(`gokac: reload failed, still running the previous build: ${describe(error)}\n`);
      return;
    }
    if (stopping) return;
    if (running !== undefined) await stop(running);
    build = next;
    running = await start(next);
    io.stderr(`reloaded ${next.groups.map((g) => g.graph.group).join(", ")}\n`);
  };

  try {
    running = await start(build);
    io.stderr(`monitor on ${running.monitor.url}\n`);
    io.stderr(
      `dev: ${build.groups.map((g) => g.graph.group).join(", ")} on the in-memory broker; emit with POST ${running.monitor.url}/api/topics/<topic> or topic<TAB>key<TAB>value lines on stdin; stop with Ctrl-C\n`,
    );
    watcher = watch(resolve(io.cwd, out), { recursive: true }, (_event, file) => {
      if (file === null || !String(file).endsWith(".ts")) return;
      clearTimeout(timer);
      timer = setTimeout(() => {
        reloads = reloads.then(reload).catch((error: unknown) => io.stderr(`gokac: reload failed: ${describe(error)}\n`));
      }, RELOAD_DEBOUNCE_MS);
    });
    void readStdin(io, emit);
    await io.stopSignal;
    io.stderr("stopping…\n");
    // A pending read of the process's stdin would keep it alive after the command returns.
    const stdin = io.stdin as { destroy?: () => void };
    if (typeof stdin.destroy === "function") stdin.destroy();
    return 0;
  } finally {
    stopping = true;
    clearTimeout(timer);
    watcher?.close();
    await reloads;
    if (running !== undefined) await stop(running);
    await broker.close();
  }
}

/** Sends every `topic<TAB>key<TAB>value` line of standard input; a bad line is reported and skipped. */
async function readStdin(
  io: CommandIo,
  emit: (topic: string, key: string, text: string, where: string) => Promise<MonitorEmitResult>,
): Promise<void> {
  let lineNo = 0;
  try {
    for await (const line of lines(io.stdin)) {
      lineNo++;
      if (line.trim() === "") continue;
      const [topic, key, ...rest] = line.split("\t");
      if (topic === undefined || key === undefined || rest.length === 0) {
        io.stderr(`gokac: stdin line ${lineNo}: expected topic<TAB>key<TAB>value\n`);
        continue;
      }
      const result = await emit(topic, key, rest.join("\t"), `stdin line ${lineNo}: `);
      if (result.status === "unknown-topic")
        io.stderr(`gokac: stdin line ${lineNo}: topic ${topic} is not in the build (known: ${result.topics.join(", ")})\n`);
      else if (result.status === "refused") io.stderr(`gokac: ${result.reason}\n`);
    }
  } catch (error) {
    io.stderr(`gokac: reading stdin: ${describe(error)}\n`);
  }
}

/** Registers `dev` on the gokac program. */
export function registerDevCommand(program: Command, { io, run }: CommandContext): void {
  const command = program
    .command("dev")
    .description(
      "every built group on the in-memory broker, with the web monitor, emit over HTTP or stdin, handlers reloaded on change; no Kafka needed",
    )
    .argument("[specs]", 'spec folder (default: "gokac.specs" of package.json)');
  command
    .addOption(outOption(command))
    .option(
      "--http <host:port>",
      "serve the web monitor, /api/tables and POST /api/topics/<topic> (port 0: any free port)",
      DEV_HTTP_DEFAULT,
    )
    .option("--log-level <level>", "trace, debug, info, warn, error, fatal or silent", "info")
    .action(async (specs: string | undefined, options: DevOptions) => {
      await run(() => devCommandAction(io, resolveSpecs(io.cwd, specs), options), "failure");
    });
}
