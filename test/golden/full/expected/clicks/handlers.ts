// Handlers of group clicks. This file is yours: gokac build only adds stubs to it.
import type { moneyCodec } from "../../spec/codecs/money.js";
import type { Click } from "../types.js";
import type { ClicksContext } from "./graph.js";

/** Handles user-clicks. */
export async function onClick(ctx: ClicksContext, msg: Click): Promise<void> {
  // TODO: handle user-clicks
}

/** Handles payments. */
export async function payments(ctx: ClicksContext, msg: ReturnType<typeof moneyCodec.decode>): Promise<void> {
  // TODO: handle payments
}

/** Handles clicks-loop. */
export async function loop(ctx: ClicksContext, msg: string): Promise<void> {
  // TODO: handle clicks-loop
}

/** Visits every key of the group table (visitor reset); `msg` is the meta value given to visitAll. */
export async function onReset(ctx: ClicksContext, msg: unknown): Promise<void> {
  // TODO: handle visitor reset
}

/** Visits every key of the group table (visitor compact-all); `msg` is the meta value given to visitAll. */
export async function compactAll(ctx: ClicksContext, msg: unknown): Promise<void> {
  // TODO: handle visitor compact-all
}
