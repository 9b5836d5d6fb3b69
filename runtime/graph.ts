/**
 * A group graph as generated code hands it to the runtime: Goka's Group,
 * Input(s), Persist, Loop, Join, Lookup, Output and visitors, with codecs.
 */
import type { Compression } from "./broker/port.js";
import type { Partitioner } from "./broker/partitioner.js";
import type { Codec } from "./codecs/codec.js";

export interface InputEdge {
  readonly topics: readonly string[];
  readonly codec: Codec<any>;
  /** Name of the handler function in the group's handler module. */
  readonly handler: string;
  /** How producers place keys on these topics (the tester places queued messages with it); default `kafka`. */
  readonly partitioner?: Partitioner;
}

export interface TableEdge {
  /** Table topic, e.g. `users-table`. */
  readonly table: string;
  readonly codec: Codec<any>;
  /** How keys are placed on the table (lookups read the partition it gives); default `kafka`. */
  readonly partitioner?: Partitioner;
}

export interface OutputEdge {
  readonly topic: string;
  readonly codec: Codec<any>;
  /** How emits place keys on the topic; default `kafka`. */
  readonly partitioner?: Partitioner;
}

export interface VisitorEdge {
  readonly name: string;
  readonly handler: string;
}

/** What a message that cannot be processed does: stop the processor (Goka's way), skip it, or send it to the dead-letter topic. */
export type FailurePolicy = "fail" | "skip" | "dead-letter";

/** The spec's `errors:` as generated code passes it (durations in milliseconds); absent fields take the defaults. */
export interface ErrorPolicyGraph {
  /** A key or value that cannot be decoded (default `fail`). */
  readonly decode?: FailurePolicy;
  /** A handler that threw, rejected, called `ctx.fail` or timed out, after its retries (default `fail`). */
  readonly handler?: FailurePolicy;
  /** Handler attempts after the first before the policy applies (default 0). */
  readonly retries?: number;
  /** Delay before the first retry, doubling for each next one (default 100). */
  readonly backoffMs?: number;
  /** A handler still running after this long has failed (default 60000). */
  readonly timeoutMs?: number;
  /** The dead-letter topic (default `<group>-dlq`). */
  readonly deadLetter?: string;
}

export interface GroupGraph {
  readonly group: string;
  readonly description?: string;
  readonly inputs: readonly InputEdge[];
  readonly persist?: { readonly codec: Codec<any> };
  readonly loop?: { readonly codec: Codec<any>; readonly handler: string };
  readonly joins?: readonly TableEdge[];
  readonly lookups?: readonly TableEdge[];
  readonly outputs?: readonly OutputEdge[];
  readonly visitors?: readonly VisitorEdge[];
  /** The group's copartitioned partition count when the spec knows it. */
  readonly partitions?: number;
  /** The spec's `errors:`; absent: every failure stops the processor, handlers time out after 60 s. */
  readonly errors?: ErrorPolicyGraph;
  /** How the topics the group writes (table, loop, outputs) are compressed, by topic, from their `compression:`; others are not. */
  readonly compression?: Readonly<Record<string, Compression>>;
  /** How keys are placed on the group's table and loop (loopbacks, views, `get`); default `kafka`. */
  readonly partitioner?: Partitioner;
  /**
   * `exactly-once`: each message's table writes, emits, loopbacks, dead letter and input offset commit
   * are one Kafka transaction and everything is read committed; default `at-least-once`.
   */
  readonly guarantee?: Guarantee;
  /** Warm standby copies of each table partition kept on other instances (default 0). */
  readonly standby?: number;
}

/** A group's processing guarantee (`guarantee:` in its spec). */
export type Guarantee = "at-least-once" | "exactly-once";

/** Handler functions by name; each is `(ctx, msg) => void | Promise<void>`. */
export type HandlerMap = Readonly<Record<string, (ctx: any, msg: any) => void | Promise<void>>>;

/**
 * A group ready to run: its graph plus the user's handlers. `V` is the group
 * table's value type (`never` when the group does not persist); it types the
 * tester's table accessors and views.
 */
export interface GroupDefinition<V = unknown> {
  readonly graph: GroupGraph;
  readonly handlers: HandlerMap;
  /** Phantom: the table value type. Never set at run time. */
  readonly __value?: V;
}

/** A topic with its codec, as generated in `topics.ts`. */
export interface TopicSpec<V> {
  readonly name: string;
  readonly codec: Codec<V>;
  /** How what gokac writes to it is compressed (`compression:`); not compressed when absent. */
  readonly compression?: Compression;
  /** How keys are placed on it (emitters, views, `gokac emit`/`get`); absent means `kafka`. */
  readonly partitioner?: Partitioner;
}

/** Options of `defineTopic`, from the topic's spec. */
export interface TopicOptions {
  /** The topic's `compression:` (`none` by default). */
  readonly compression?: Compression;
  /** Default `kafka` (murmur2 as the Java client); `goka` for FNV-1a as a default Goka. */
  readonly partitioner?: Partitioner;
}

/**
 * Binds a graph to its handlers, checking that every handler the graph names
 * exists. Generated code calls this; users rarely do.
 */
export function defineGroup<V = unknown>(graph: GroupGraph, handlers: HandlerMap): GroupDefinition<V> {
  const names = [
    ...graph.inputs.map((i) => i.handler),
    ...(graph.loop ? [graph.loop.handler] : []),
    ...(graph.visitors ?? []).map((v) => v.handler),
  ];
  for (const name of names) {
    if (typeof handlers[name] !== "function") {
      throw new TypeError(`group ${graph.group}: handler ${name} is not exported by its handler module`);
    }
  }
  return { graph, handlers };
}

/** Declares a topic with its codec, and its compression and partitioner when the spec gives non-default ones. */
export function defineTopic<V>(name: string, codec: Codec<V>, options: TopicOptions = {}): TopicSpec<V> {
  return {
    name,
    codec,
    ...(options.compression === undefined || options.compression === "none" ? {} : { compression: options.compression }),
    ...(options.partitioner === undefined || options.partitioner === "kafka" ? {} : { partitioner: options.partitioner }),
  };
}
