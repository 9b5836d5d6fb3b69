import { GokacError, reasonOf } from "../errors.js";

/** Thrown by `ctx.fail(error)` to unwind the handler; the processor stops with `error` as the cause. */
export class HandlerFailure extends GokacError {
  override readonly name = "HandlerFailure";
  declare readonly code: "HANDLER_FAILURE";
  constructor(readonly reason: unknown) {
    super(reasonOf(reason), { code: "HANDLER_FAILURE", cause: reason });
  }
}
