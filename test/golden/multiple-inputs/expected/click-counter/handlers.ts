// Handlers of group click-counter. This file is yours: gokac build only adds stubs to it.
import type { ClickCounterContext } from "./graph.js";

/** Handles ad-clicks, promo-clicks. */
export async function onAnyClick(ctx: ClickCounterContext, msg: string): Promise<void> {
  // TODO: handle ad-clicks, promo-clicks
}

/** Handles page-views. */
export async function pageViews(ctx: ClickCounterContext, msg: Uint8Array): Promise<void> {
  // TODO: handle page-views
}
