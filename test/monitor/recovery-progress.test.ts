/** One group's table recovery as a figure for the progress bar: totals over partitions, combined rate, ETA, done. */
import { describe, expect, it } from "vitest";
import { createEventHub } from "../../runtime/events.js";
import type { Processor } from "../../runtime/processor/processor.js";
import { trackRecovery, type GroupRecoveryProgress } from "../../runtime/monitor/recovery-progress.js";

function fakeProcessor() {
  const hub = createEventHub();
  return { hub, processor: { group: "g", on: hub.on } as unknown as Processor };
}

describe("trackRecovery", () => {
  it("sums records over partitions, adds their rates, estimates the time left and reports done once", () => {
    const { hub, processor } = fakeProcessor();
    let now = 0;
    const seen: GroupRecoveryProgress[] = [];
    trackRecovery(processor, (p) => seen.push(p), { now: () => now });
    // Two partitions of 1000 records each (from offset 0 and 500), each reading 100 records a second.
    hub.emit("state", { state: "recovering", partition: 0 });
    hub.emit("state", { state: "recovering", partition: 1 });
    now = 1000;
    hub.emit("recovery-progress", { topic: "g-table", partition: 0, offset: 100, hwm: 1000, recovered: 100 });
    hub.emit("recovery-progress", { topic: "g-table", partition: 1, offset: 600, hwm: 1500, recovered: 100 });
    now = 2000;
    hub.emit("recovery-progress", { topic: "g-table", partition: 0, offset: 200, hwm: 1000, recovered: 200 });
    hub.emit("recovery-progress", { topic: "g-table", partition: 1, offset: 700, hwm: 1500, recovered: 200 });
    const last = seen.at(-1)!;
    expect(last).toMatchObject({ group: "g", recovered: 400, total: 2000, partitions: 2, partitionsDone: 0, done: false });
    expect(last.ratePerSecond).toBeCloseTo(200, 5);
    expect(last.etaSeconds).toBeCloseTo(8, 5);
    hub.emit("recovered", { topic: "g-table", partition: 0, offset: 1000, recovered: 1000 });
    expect(seen.at(-1)).toMatchObject({ partitionsDone: 1, done: false });
    now = 11_000;
    hub.emit("recovered", { topic: "g-table", partition: 1, offset: 1500, recovered: 1000 });
    expect(seen.at(-1)).toMatchObject({ recovered: 2000, total: 2000, done: true, etaSeconds: 0, elapsedSeconds: 11 });
    // A partition with nothing to read takes no part; the next recovery starts from zero.
    const count = seen.length;
    hub.emit("recovered", { topic: "g-table", partition: 2, offset: 50, recovered: 0 });
    expect(seen).toHaveLength(count);
    hub.emit("recovery-progress", { topic: "g-table", partition: 3, offset: 10, hwm: 20, recovered: 10 });
    expect(seen.at(-1)).toMatchObject({ recovered: 10, total: 20, partitions: 1 });
  });
});
