// Preload for memory diagnostics (bench/memory-probe.ts): `node --import bench/lib/memory-sampler.mjs …`.
// Samples process.memoryUsage() and V8's heap spaces every 50 ms; at exit (or SIGTERM) prints one line to
// stderr: `MEMORY {json}` with the peak of each figure, the breakdown at the RSS peak (MiB) and the collections
// (`gc`: scavenges, full collections, the most heap still used after a full one, time spent collecting).
// It listens to SIGTERM: only for programs that stop themselves on it (the bench contenders do).
import { PerformanceObserver, constants } from "node:perf_hooks";
import { setInterval } from "node:timers";
import { getHeapSpaceStatistics } from "node:v8";

const peak = { rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 };
let atPeak = {};
const sample = () => {
  const m = process.memoryUsage();
  for (const k of Object.keys(peak)) if (m[k] > peak[k]) peak[k] = m[k];
  if (m.rss >= peak.rss) {
    atPeak = { ...m };
    for (const s of getHeapSpaceStatistics()) atPeak[s.space_name] = s.space_size;
  }
};
setInterval(sample, 50).unref();
// After each full collection: the heap still used then (the live set, roughly), and how many collections of each kind ran.
const gc = { scavenges: 0, markCompacts: 0, maxLiveAfterMarkCompact: 0, gcMs: 0 };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gc.gcMs += entry.duration;
    if (entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
      gc.markCompacts++;
      gc.maxLiveAfterMarkCompact = Math.max(gc.maxLiveAfterMarkCompact, process.memoryUsage().heapUsed);
    } else if (entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR) gc.scavenges++;
  }
}).observe({ entryTypes: ["gc"] });
let reported = false;
const report = () => {
  if (reported) return;
  reported = true;
  const mb = (o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Math.round((v / 1048576) * 10) / 10]));
  const collections = { ...gc, maxLiveAfterMarkCompact: mb({ v: gc.maxLiveAfterMarkCompact }).v, gcMs: Math.round(gc.gcMs) };
  process.stderr.write(`MEMORY ${JSON.stringify({ peak: mb(peak), atRssPeak: mb(atPeak), gc: collections })}\n`);
};
process.on("exit", report);
process.prependListener("SIGTERM", report);
