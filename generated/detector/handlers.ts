// Handlers of group detector. This file is yours: gokac build only adds stubs to it.
import type { Counters, Message } from "../types.js";
import type { DetectorContext } from "./graph.js";

/** A user with at least this many messages… */
const minMessages = 200;
/** …of which at least this share were sent is a spammer. */
const maxRate = 0.5;

async function counters(ctx: DetectorContext): Promise<Counters> {
  return (await ctx.value()) ?? { sent: 0, received: 0 };
}

function isSpammer(c: Counters): boolean {
  const total = c.sent + c.received;
  return total >= minMessages && c.sent / total >= maxRate;
}

/** Handles message_sent: counts a sent message for the sender and loops the message to its receiver. */
export async function onMessageSent(ctx: DetectorContext, msg: Message): Promise<void> {
  const c = await counters(ctx);
  const next = { sent: c.sent + 1, received: c.received };
  ctx.setValue(next);
  if (isSpammer(next)) ctx.emit("block_user", ctx.key, {});
  ctx.loopback(msg.to, msg);
}

/** Handles detector-loop: counts a received message for the receiver (the key). */
export async function onMessageLooped(ctx: DetectorContext, msg: Message): Promise<void> {
  const c = await counters(ctx);
  const next = { sent: c.sent, received: c.received + 1 };
  ctx.setValue(next);
  if (isSpammer(next)) ctx.emit("block_user", ctx.key, {});
}
