/**
 * The handler context types. Generated code composes a group's context from
 * these pieces according to its spec, so misuse (emitting to an undeclared
 * topic, `value()` in a stateless group, …) is a compile error.
 */

/** A value or a Promise of it; callers `await` either way. */
export type Awaitable<T> = T | Promise<T>;

/** Kafka message headers as received (values are raw bytes). */
export type Headers = Readonly<Record<string, Uint8Array>>;

/** Headers to attach when emitting; strings are UTF-8 encoded. */
export type HeadersInit = Readonly<Record<string, Uint8Array | string>>;

export interface EmitOptions {
  readonly headers?: HeadersInit;
}

/** Available in every handler. */
export interface BaseContext {
  /** The message key (UTF-8). */
  readonly key: string;
  /** The topic the message came from (an input topic, the loop topic, or `""` in a visitor). */
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly timestamp: Date;
  readonly headers: Headers;
  /** Stops the processor without committing this message. Never returns. */
  fail(error: unknown): never;
  /** Returns a callback; the message commits only after it is called (with an error: the processor fails). */
  deferCommit(): (err?: unknown) => void;
}

/** With `persist`: the group table, keyed by `ctx.key`. */
export interface TableContext<V> {
  value(): Awaitable<V | undefined>;
  setValue(value: V): void;
  delete(): void;
}

/** With `outputs`: emit to declared topics only, each with its own value type. */
export interface EmitContext<O> {
  emit<T extends keyof O & string>(topic: T, key: string, value: O[T], options?: EmitOptions): void;
}

/** With `loop`: send to the group's loop stream, any key. */
export interface LoopContext<L> {
  loopback(key: string, value: L, options?: EmitOptions): void;
}

/** With `joins`: a copartitioned table's value for `ctx.key`. */
export interface JoinContext<J> {
  join<T extends keyof J & string>(table: T): Awaitable<J[T] | undefined>;
}

/** With `lookups`: any key of a looked-up table. */
export interface LookupContext<L> {
  lookup<T extends keyof L & string>(table: T, key: string): Awaitable<L[T] | undefined>;
}

/** Every capability; what the runtime implements. Handlers see only their group's slice. */
export interface FullContext
  extends
    BaseContext,
    TableContext<unknown>,
    EmitContext<Record<string, unknown>>,
    LoopContext<unknown>,
    JoinContext<Record<string, unknown>>,
    LookupContext<Record<string, unknown>> {}

/** A message handler. */
export type Handler<C, M> = (ctx: C, msg: M) => void | Promise<void>;
