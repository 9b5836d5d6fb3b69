/**
 * Recovery ETA: the remaining changelog offsets of a table partition divided
 * by the recovery rate, an exponentially weighted moving average of
 * offsets per second (so a rate change shows within a few half-lives, and
 * one slow fetch does not swing the estimate). The clock is injectable.
 */

/** Options of `RecoveryEta`. */
export interface RecoveryEtaOptions {
  /** Milliseconds now (default `Date.now`); tests pass a fake clock. */
  readonly now?: () => number;
  /** Half-life of the rate average in seconds (default 5). */
  readonly halfLifeSeconds?: number;
}

/** Estimates the time left of one partition's recovery from its progress reports. */
export class RecoveryEta {
  private readonly now: () => number;
  private readonly tau: number;
  private lastAt: number | undefined;
  private lastOffset = 0;
  private averageRate: number | undefined;
  private remainingOffsets = 0;
  /** The offset recovery started from (first report). */
  startOffset: number | undefined;

  constructor(options: RecoveryEtaOptions = {}) {
    this.now = options.now ?? Date.now;
    this.tau = (options.halfLifeSeconds ?? 5) / Math.LN2;
  }

  /** Starts timing at `offset` (before the first batch, at `at` ms, default now), so the first report already gives a rate. */
  begin(offset: number, at: number = this.now()): void {
    this.lastAt = at;
    this.lastOffset = offset;
    this.startOffset = offset;
  }

  /** Records that recovery reached `offset` of `hwm`. */
  update(offset: number, hwm: number): void {
    const at = this.now();
    this.remainingOffsets = Math.max(0, hwm - offset);
    if (this.lastAt === undefined) {
      this.begin(offset);
      return;
    }
    const seconds = (at - this.lastAt) / 1000;
    if (seconds <= 0) return;
    const rate = Math.max(0, offset - this.lastOffset) / seconds;
    const alpha = 1 - Math.exp(-seconds / this.tau);
    this.averageRate = this.averageRate === undefined ? rate : this.averageRate + alpha * (rate - this.averageRate);
    this.lastAt = at;
    this.lastOffset = offset;
  }

  /** Offsets per second, once two reports came. */
  get rate(): number | undefined {
    return this.averageRate;
  }

  /** Changelog offsets still to read. */
  get remaining(): number {
    return this.remainingOffsets;
  }

  /** Seconds left at the current rate; `undefined` before a rate is known (or while it is 0). */
  get etaSeconds(): number | undefined {
    if (this.remainingOffsets === 0) return 0;
    if (this.averageRate === undefined || this.averageRate <= 0) return undefined;
    return this.remainingOffsets / this.averageRate;
  }
}
