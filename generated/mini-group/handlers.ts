// Handlers of group mini-group. This file is yours: gokac build only adds stubs to it.
import type { UserClicks } from "../types.js";
import type { MiniGroupContext } from "./graph.js";

/** Handles user-click: one more click for the user of the key. */
export async function onClick(ctx: MiniGroupContext, msg: string): Promise<void> {
  const user: UserClicks = (await ctx.value()) ?? { clicks: 0 };
  ctx.setValue({ clicks: user.clicks + 1, lastClick: msg });
}
