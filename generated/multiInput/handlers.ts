// Handlers of group multiInput. This file is yours: gokac build only adds stubs to it.
import type { MultiInputContext } from "./graph.js";

/** Handles input-A, input-B: one more message for the user of the key, whichever topic it came from. */
export async function onInput(ctx: MultiInputContext, msg: string): Promise<void> {
  const user = (await ctx.value()) ?? { clicks: 0 };
  ctx.setValue({ clicks: user.clicks + 1 });
}
