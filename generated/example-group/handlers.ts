// Handlers of group example-group. This file is yours: gokac build only adds stubs to it.
import type { ExampleGroupContext } from "./graph.js";

/** Handles example-stream: counts the messages of the key, like Goka's 1-simplest. */
export async function onMessage(ctx: ExampleGroupContext, msg: string): Promise<void> {
  const counter = ((await ctx.value()) ?? 0n) + 1n;
  ctx.setValue(counter);
}
