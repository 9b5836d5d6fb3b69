/**
 * The recovery progress bar of `gokac run` on a terminal: one line per group
 * recovering, redrawn in place on stderr (ANSI cursor movement), with
 * records recovered of the total, the rate and the time left. The line is
 * a pure function of the progress (`renderRecoveryLine`); `ProgressDisplay`
 * draws the lines and gets out of the way of log lines written meanwhile.
 * Off a terminal `gokac run` logs throttled recovery lines instead.
 */
import type { GroupRecoveryProgress } from "../../runtime/index.js";

const FULL = "█";
const EMPTY = "░";
/** Narrowest and widest bar drawn. */
const MIN_BAR = 10;
const MAX_BAR = 40;

/** `1234567` as `1.23M`, `12345` as `12.3k`, small counts as they are. */
export function compactCount(n: number): string {
  const abs = Math.abs(n);
  if (abs >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (abs >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (abs >= 1e4) return `${(n / 1e3).toFixed(1)}k`;
  return String(Math.round(n));
}

/** Seconds as `45s`, `3m05s`, `2h04m`; `--` when unknown. */
export function formatSeconds(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return "--";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/**
 * One group's progress line, at most `columns` characters wide:
 * `counter  recovering [████░░░░]  42%  420k/1.00M records  52.3k/s  ETA 11s  (3/8 partitions)`,
 * or, once done, `counter  recovered 1.00M records in 19s (8 partitions)`.
 */
export function renderRecoveryLine(p: GroupRecoveryProgress, columns = 100): string {
  if (p.done) {
    const line = `${p.group}  recovered ${compactCount(p.recovered)} records in ${formatSeconds(p.elapsedSeconds)} (${p.partitions} partition${p.partitions === 1 ? "" : "s"})`;
    return line.slice(0, Math.max(0, columns));
  }
  const fraction = p.total <= 0 ? 0 : Math.min(1, Math.max(0, p.recovered / p.total));
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  const rate = p.ratePerSecond === undefined ? "--/s" : `${compactCount(p.ratePerSecond)}/s`;
  const tail = `${percent}  ${compactCount(p.recovered)}/${compactCount(p.total)} records  ${rate}  ETA ${formatSeconds(p.etaSeconds)}  (${p.partitionsDone}/${p.partitions} partitions)`;
  const head = `${p.group}  recovering `;
  const room = columns - head.length - tail.length - 4;
  if (room < MIN_BAR) return `${head}${tail}`.slice(0, Math.max(0, columns));
  const width = Math.min(MAX_BAR, room);
  const filled = Math.round(fraction * width);
  return `${head}[${FULL.repeat(filled)}${EMPTY.repeat(width - filled)}]  ${tail}`;
}

/** Where the display writes (stderr) and how wide the terminal is. */
export interface ProgressOutput {
  write(text: string): void;
  readonly columns?: number | undefined;
}

/** Draws one progress line per group recovering, in place; a group's final line stays in the scrollback. */
export class ProgressDisplay {
  private readonly lines = new Map<string, GroupRecoveryProgress>();
  private drawn = 0;
  private lastDraw = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly output: ProgressOutput,
    /** Least milliseconds between redraws (default 100). */
    private readonly intervalMs = 100,
    private readonly now: () => number = Date.now,
  ) {}

  /** A group's recovery advanced (or finished). */
  update(progress: GroupRecoveryProgress): void {
    if (progress.done) {
      this.lines.delete(progress.group);
      this.clear();
      this.output.write(`${renderRecoveryLine(progress, this.columns())}\n`);
      this.draw();
      return;
    }
    this.lines.set(progress.group, progress);
    const wait = this.intervalMs - (this.now() - this.lastDraw);
    if (wait <= 0) this.redraw();
    else this.timer ??= setTimeout(() => this.redraw(), wait).unref();
  }

  /** Writes `text` (log lines) above the progress lines. */
  above(write: () => void): void {
    if (this.drawn === 0) return write();
    this.clear();
    write();
    this.draw();
  }

  /** Removes the progress lines (at shutdown). */
  close(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.lines.clear();
    this.clear();
  }

  private columns(): number {
    return Math.max(20, (this.output.columns ?? 100) - 1);
  }

  private redraw(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.clear();
    this.draw();
  }

  private clear(): void {
    // Up to the first progress line, then erase to the end of the screen.
    if (this.drawn > 0) this.output.write(`\x1b[${this.drawn}A\r\x1b[0J`);
    this.drawn = 0;
  }

  private draw(): void {
    this.lastDraw = this.now();
    const width = this.columns();
    const text = [...this.lines.values()].map((p) => `${renderRecoveryLine(p, width)}\n`).join("");
    if (text === "") return;
    this.output.write(text);
    this.drawn = this.lines.size;
  }
}
