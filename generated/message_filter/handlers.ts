// Handlers of group message_filter. This file is yours: gokac build only adds stubs to it.
import type { Message } from "../types.js";
import type { MessageFilterContext } from "./graph.js";

/** Handles message_sent: drops it when the sender is blocked, else translates it and forwards it to the receiver. */
export async function onMessageSent(ctx: MessageFilterContext, msg: Message): Promise<void> {
  if (await shouldDrop(ctx)) return;
  const translated = await translate(ctx, msg);
  ctx.emit("message_received", translated.to, translated);
}

/** The sender (the key) is blocked in the blocker table. */
async function shouldDrop(ctx: MessageFilterContext): Promise<boolean> {
  const block = await ctx.join("blocker-table");
  return block?.blocked === true;
}

/** Replaces every word that has a translation in the translator table. */
async function translate(ctx: MessageFilterContext, msg: Message): Promise<Message> {
  const words = await Promise.all(msg.content.split(" ").map(async (word) => (await ctx.lookup("translator-table", word)) ?? word));
  return { from: msg.from, to: msg.to, content: words.join(" ") };
}
