// Handlers of group forwarder. This file is yours: gokac build only adds stubs to it.
import type { ForwarderContext } from "./graph.js";

/** Handles raw-lines. */
export async function rawLines(ctx: ForwarderContext, msg: string): Promise<void> {
  // TODO: handle raw-lines
}
