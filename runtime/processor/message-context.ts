/**
 * The context a handler gets for one message (or one visited key): the
 * message's coordinates plus every capability, each delegating to the
 * partition processor. Generated types expose only the group's slice of it.
 */
import type { EmitOptions, FullContext, Headers } from "../context.js";
import { HandlerFailure } from "./handler-failure.js";

/** What a context delegates to: the partition processor handling the batch. */
export interface ContextHost {
  tableValue(key: string): unknown;
  setTableValue(key: string, value: unknown): void;
  deleteTableValue(key: string): void;
  emit(topic: string, key: string, value: unknown, options: EmitOptions | undefined): void;
  loopback(key: string, value: unknown, options: EmitOptions | undefined): void;
  join(table: string, key: string): unknown;
  lookup(table: string, key: string): unknown;
  deferCommit(topic: string, offset: number, key: string): (err?: unknown) => void;
}

/** One handler invocation's context; unusable once the handler has returned. */
export class MessageContext implements FullContext {
  private closed = false;

  constructor(
    private readonly host: ContextHost,
    readonly key: string,
    readonly topic: string,
    readonly partition: number,
    readonly offset: number,
    private readonly timestampMs: number,
    readonly headers: Headers,
  ) {}

  get timestamp(): Date {
    return new Date(this.timestampMs);
  }

  /** A fresh context for the same message (a retry starts from a clean context). */
  renew(): MessageContext {
    return new MessageContext(this.host, this.key, this.topic, this.partition, this.offset, this.timestampMs, this.headers);
  }

  /** Ends this context: later calls throw (a handler must not use its context after returning). */
  close(): void {
    this.closed = true;
  }

  fail(error: unknown): never {
    throw new HandlerFailure(error);
  }

  deferCommit(): (err?: unknown) => void {
    this.check("deferCommit");
    return this.host.deferCommit(this.topic, this.offset, this.key);
  }

  value(): unknown {
    this.check("value");
    return this.host.tableValue(this.key);
  }

  setValue(value: unknown): void {
    this.check("setValue");
    this.host.setTableValue(this.key, value);
  }

  delete(): void {
    this.check("delete");
    this.host.deleteTableValue(this.key);
  }

  emit(topic: string, key: string, value: unknown, options?: EmitOptions): void {
    this.check("emit");
    this.host.emit(topic, key, value, options);
  }

  loopback(key: string, value: unknown, options?: EmitOptions): void {
    this.check("loopback");
    this.host.loopback(key, value, options);
  }

  join(table: string): unknown {
    this.check("join");
    return this.host.join(table, this.key);
  }

  lookup(table: string, key: string): unknown {
    this.check("lookup");
    return this.host.lookup(table, key);
  }

  private check(operation: string): void {
    if (this.closed)
      throw new Error(
        `ctx.${operation}() called after the handler of ${this.topic || "a visit"}/${this.partition}@${this.offset} returned`,
      );
  }
}
