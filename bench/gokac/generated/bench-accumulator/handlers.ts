// Handlers of group bench-accumulator. This file is yours: gokac build only adds stubs to it.
import type { BenchAccumulatorContext } from "./graph.js";

/** Handles bench-input: adds the value to the key's sum. */
export async function onInput(ctx: BenchAccumulatorContext, msg: bigint): Promise<void> {
  const sum = (await ctx.value()) ?? 0n;
  ctx.setValue(sum + msg);
}
