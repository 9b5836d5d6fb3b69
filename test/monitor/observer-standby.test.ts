/** Standby partitions in the monitor: shown with state `standby`, never holding readiness up, gone once dropped or promoted. */
import { describe, expect, it } from "vitest";
import { createEventHub } from "../../runtime/events.js";
import type { Processor } from "../../runtime/processor/processor.js";
import { ProcessorObserver } from "../../runtime/monitor/observer.js";

describe("observer and standby partitions", () => {
  it("lists a standby copy, keeps the processor ready, and drops it when it stops", () => {
    const hub = createEventHub();
    const processor = {
      group: "g",
      graph: { group: "g", inputs: [], persist: {}, standby: 1 },
      partitions: [],
      lifecycle: "running",
      done: new Promise(() => undefined),
      on: hub.on,
    } as unknown as Processor;
    const observer = new ProcessorObserver(processor);
    hub.emit("rebalance", { assigned: [0] });
    hub.emit("state", { state: "running", partition: 0 });
    hub.emit("state", { state: "standby", partition: 1 });
    expect(observer.states().sort()).toEqual([
      [0, "running"],
      [1, "standby"],
    ]);
    expect(observer.notReady()).toEqual([]);
    expect(observer.status().partitions.map((p) => p.state)).toEqual(["running", "standby"]);
    // Promoted: the copy stops, then the partition goes through the active states.
    hub.emit("state", { state: "stopped", partition: 1 });
    expect(observer.states()).toEqual([[0, "running"]]);
    hub.emit("state", { state: "initializing", partition: 1 });
    expect(observer.notReady()).toEqual(["partition 1 initializing"]);
    // An active partition's own `stopped` (none is sent today) would not remove it.
    hub.emit("state", { state: "stopped", partition: 0 });
    expect(
      observer
        .states()
        .map(([p]) => p)
        .sort(),
    ).toEqual([0, 1]);
    observer.close();
  });
});
