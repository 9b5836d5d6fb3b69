// Handlers of group translator. This file is yours: gokac build only adds stubs to it.
import type { TranslatorContext } from "./graph.js";

/** Handles translate-word: the key is a word, the message its translation. */
export async function onTranslateWord(ctx: TranslatorContext, msg: string): Promise<void> {
  ctx.setValue(msg);
}
