/** The recovery progress bar of `gokac run` on a terminal: the line as a pure function of the progress, and its redrawing. */
import { describe, expect, it } from "vitest";
import { compactCount, formatSeconds, ProgressDisplay, renderRecoveryLine } from "../../cli/io/progress-bar.js";
import type { GroupRecoveryProgress } from "../../runtime/index.js";

const progress = (over: Partial<GroupRecoveryProgress> = {}): GroupRecoveryProgress => ({
  group: "counter",
  recovered: 420_000,
  total: 1_000_000,
  partitions: 8,
  partitionsDone: 3,
  ratePerSecond: 52_300,
  etaSeconds: 11.1,
  elapsedSeconds: 8,
  done: false,
  ...over,
});

describe("renderRecoveryLine", () => {
  it("shows the group, a bar filled to the fraction, records, rate, ETA and partitions", () => {
    const line = renderRecoveryLine(progress(), 120);
    expect(line).toBe(
      `counter  recovering [${"█".repeat(14)}${"░".repeat(20)}]   42%  420.0k/1.00M records  52.3k/s  ETA 11s  (3/8 partitions)`,
    );
    expect(line.length).toBeLessThanOrEqual(120);
  });

  it("narrows the bar to the terminal, and drops it when there is no room", () => {
    const narrow = renderRecoveryLine(progress(), 100);
    expect(narrow.length).toBeLessThanOrEqual(100);
    expect(narrow).toMatch(/\[█+░+\]/);
    const tiny = renderRecoveryLine(progress(), 60);
    expect(tiny).not.toContain("[");
    expect(tiny.length).toBeLessThanOrEqual(60);
  });

  it("shows unknown rate and ETA as --, an empty total as 0%, and a full bar at the end", () => {
    expect(renderRecoveryLine(progress({ ratePerSecond: undefined, etaSeconds: undefined }), 120)).toContain("--/s  ETA --");
    expect(renderRecoveryLine(progress({ recovered: 0, total: 0 }), 120)).toContain("  0%");
    expect(renderRecoveryLine(progress({ recovered: 1_000_000 }), 140)).toContain(`[${"█".repeat(40)}]  100%`);
  });

  it("says how much and how long once done", () => {
    expect(renderRecoveryLine(progress({ done: true, recovered: 1_000_000, elapsedSeconds: 19.4, partitions: 1 }), 120)).toBe(
      "counter  recovered 1.00M records in 19s (1 partition)",
    );
  });

  it("formats counts and durations compactly", () => {
    expect([compactCount(999), compactCount(12_345), compactCount(2_500_000), compactCount(3e9)]).toEqual([
      "999",
      "12.3k",
      "2.50M",
      "3.00G",
    ]);
    expect([formatSeconds(0.4), formatSeconds(59), formatSeconds(185), formatSeconds(7440), formatSeconds(undefined)]).toEqual([
      "0s",
      "59s",
      "3m05s",
      "2h04m",
      "--",
    ]);
  });
});

describe("ProgressDisplay", () => {
  it("redraws one line per group in place, writes log lines above it, and leaves the final line", () => {
    const out: string[] = [];
    let now = 0;
    const display = new ProgressDisplay({ write: (t) => out.push(t), columns: 121 }, 100, () => now);
    now = 1000;
    display.update(progress({ group: "a" }));
    now = 2000;
    display.update(progress({ group: "b" }));
    expect(out.slice(-1)[0]).toBe(
      `${renderRecoveryLine(progress({ group: "a" }), 120)}\n${renderRecoveryLine(progress({ group: "b" }), 120)}\n`,
    );
    // Before a redraw, the cursor goes up over the lines drawn and erases them.
    expect(out.slice(-2)[0]).toBe("\u001b[1A\r\u001b[0J");
    display.above(() => out.push("log line\n"));
    expect(out.slice(-3)).toEqual(["\u001b[2A\r\u001b[0J", "log line\n", expect.stringContaining("a  recovering")]);
    display.update(progress({ group: "a", done: true, recovered: 10, elapsedSeconds: 2 }));
    expect(out.slice(-3)).toEqual([
      "\u001b[2A\r\u001b[0J",
      "a  recovered 10 records in 2s (8 partitions)\n",
      expect.stringMatching(/^b {2}recovering/),
    ]);
    display.close();
    expect(out.slice(-1)[0]).toBe("\u001b[1A\r\u001b[0J");
  });

  it("throttles redraws", () => {
    const out: string[] = [];
    const now = 1000;
    const display = new ProgressDisplay({ write: (t) => out.push(t) }, 100, () => now);
    display.update(progress());
    const writes = out.length;
    display.update(progress({ recovered: 430_000 }));
    expect(out.length).toBe(writes);
    display.close();
  });
});
