// Handlers of group example-visit-group. This file is yours: gokac build only adds stubs to it.
import type { ExampleVisitGroupContext } from "./graph.js";

/** Handles example-visit-clicks-input: adds the amount to the key's counter. */
export async function onClicks(ctx: ExampleVisitGroupContext, msg: bigint): Promise<void> {
  ctx.setValue(((await ctx.value()) ?? 0n) + msg);
}

/** Visits every key of the group table (visitor reset): sets the counter to the meta value (a bigint, else 0). */
export async function onReset(ctx: ExampleVisitGroupContext, msg: unknown): Promise<void> {
  ctx.setValue(typeof msg === "bigint" ? msg : 0n);
}
