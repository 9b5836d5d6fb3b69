/** Thrown by `ctx.fail(error)` to unwind the handler; the processor stops with `error` as the cause. */
export class HandlerFailure extends Error {
  override readonly name = "HandlerFailure";
  constructor(readonly reason: unknown) {
    super(reason instanceof Error ? reason.message : String(reason), { cause: reason });
  }
}
