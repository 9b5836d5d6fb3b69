/**
 * What may be committed of one input topic-partition: everything before the
 * first message that is either not yet fully processed (handler returned and
 * its produces acknowledged) or whose `deferCommit` callback is still open.
 */
export class CommitTracker {
  private processed: number | undefined;
  private readonly deferred = new Set<number>();
  private committed: number | undefined;

  /** All messages before `next` were handled and their produces acknowledged. */
  markProcessed(next: number): void {
    this.processed = next;
  }

  /** The message at `offset` commits only after `resolve(offset)`. */
  defer(offset: number): void {
    this.deferred.add(offset);
  }

  resolve(offset: number): void {
    this.deferred.delete(offset);
  }

  /** The offset to commit now (next to consume), or `undefined` if nothing new may be committed. */
  takeCommittable(): number | undefined {
    if (this.processed === undefined) return undefined;
    let next = this.processed;
    for (const offset of this.deferred) if (offset < next) next = offset;
    if (this.committed !== undefined && next <= this.committed) return undefined;
    this.committed = next;
    return next;
  }
}
