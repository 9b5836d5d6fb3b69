// Handlers of group blocker. This file is yours: gokac build only adds stubs to it.
import type { BlockEvent } from "../types.js";
import type { BlockerContext } from "./graph.js";

/** Handles block_user: blocks the user of the key, or unblocks it when the event says so. */
export async function onBlockUser(ctx: BlockerContext, msg: BlockEvent): Promise<void> {
  ctx.setValue({ blocked: msg.unblock !== true });
}
