// Handlers of group collector. This file is yours: gokac build only adds stubs to it.
import type { Message } from "../types.js";
import type { CollectorContext } from "./graph.js";

/** How many messages the collector keeps per user. */
const maxMessages = 5;

/** Handles message_received: appends the message to the receiver's list, keeping the latest five. */
export async function onMessageReceived(ctx: CollectorContext, msg: Message): Promise<void> {
  const messages = [...((await ctx.value()) ?? []), msg];
  ctx.setValue(messages.slice(-maxMessages));
}
