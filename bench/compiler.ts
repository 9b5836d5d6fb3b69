/**
 * Compiler scaling: generates N synthetic spec files (N = 100 and 500 by
 * default; `-- 50 1000` to choose) in a temporary folder and measures the
 * compiled `gokac build` as a child process: a cold build (empty output
 * folder), a no-op rebuild (nothing changes, nothing is written) and a
 * rebuild after one spec changed, each the median of 3 runs, with the
 * child's peak RSS. Targets (issue "The gokac compiler"): 500 specs cold
 * < 3 s, no-op < 0.3 s, peak RSS < 500 MB.
 *
 * Run: `node --import tsx bench/compiler.ts [N…]`. The compiler is compiled
 * with tsc into bench/results/tmp/ first (what users run is the compiled package).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { syntheticSpec as spec } from "./lib/synthetic-spec.js";

const root = resolve(import.meta.dirname, "..");
const scratch = join(root, "bench/results/tmp/compiler");
const RUNS = 3;

interface Run {
  readonly seconds: number;
  /** User + system CPU time of the child: what the build costs, whatever else the machine is doing. */
  readonly cpuSeconds: number;
  readonly maxRssMb: number;
  readonly code: number;
}

const RUNNER = `import { main } from ${JSON.stringify(join(scratch, "dist/cli/main.js"))};
process.exitCode = await main(process.argv.slice(2));
process.on("exit", () => {
  const usage = process.resourceUsage();
  process.stderr.write("\\n__rss__" + usage.maxRSS + " __cpu__" + (usage.userCPUTime + usage.systemCPUTime) + "\\n");
});
`;

function gokacBuild(cwd: string): Run {
  const start = performance.now();
  // No GOKAC_BROKERS: a build with brokers asks the cluster and bypasses the no-op cache; this measures the compiler alone.
  const { GOKAC_BROKERS: _brokers, ...env } = process.env;
  const child = spawnSync(process.execPath, [join(scratch, "run-cli.mjs"), "build", "specs"], { cwd, encoding: "utf8", env });
  const seconds = (performance.now() - start) / 1000;
  const rss = /__rss__(\d+)/.exec(child.stderr)?.[1];
  const cpu = /__cpu__(\d+)/.exec(child.stderr)?.[1];
  return { seconds, cpuSeconds: Number(cpu ?? 0) / 1e6, maxRssMb: Number(rss ?? 0) / 1024, code: child.status ?? -1 };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

function measure(n: number): string {
  const dir = mkdtempSync(join(tmpdir(), `gokac-bench-${n}-`));
  try {
    mkdirSync(join(dir, "specs"));
    // a user's project has node_modules (gokac is installed there); the build cache lives in node_modules/.cache
    mkdirSync(join(dir, "node_modules"));
    for (let i = 0; i < n; i++) writeFileSync(join(dir, "specs", `group-${String(i).padStart(4, "0")}.yaml`), spec(i, n));
    const cold: Run[] = [];
    const noop: Run[] = [];
    const oneChanged: Run[] = [];
    for (let r = 0; r < RUNS; r++) {
      rmSync(join(dir, "generated"), { recursive: true, force: true });
      cold.push(gokacBuild(dir));
      noop.push(gokacBuild(dir));
      writeFileSync(join(dir, "specs/group-0000.yaml"), spec(0, n).replace("Synthetic group 0.", `Synthetic group 0, run ${r}.`));
      oneChanged.push(gokacBuild(dir));
    }
    const failed = [...cold, ...noop, ...oneChanged].find((x) => x.code !== 0);
    if (failed !== undefined) throw new Error(`gokac build exited ${failed.code} for N=${n}`);
    const row = (name: string, runs: readonly Run[]) =>
      `| ${n} | ${name} | ${median(runs.map((x) => x.seconds)).toFixed(3)} s | ${median(runs.map((x) => x.cpuSeconds)).toFixed(3)} s | ${median(runs.map((x) => x.maxRssMb)).toFixed(0)} MB |`;
    return [row("cold build", cold), row("no-op rebuild", noop), row("one spec changed", oneChanged)].join("\n");
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function main(): void {
  const sizes = process.argv
    .slice(2)
    .map(Number)
    .filter((x) => Number.isInteger(x) && x > 0);
  mkdirSync(scratch, { recursive: true });
  // 1. Compile the compiler as it ships (tsc errors elsewhere do not stop the emit).
  try {
    execFileSync(
      process.execPath,
      [join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json", "--outDir", join(scratch, "dist")],
      { cwd: root, stdio: "ignore" },
    );
  } catch {
    // emitted anyway
  }
  writeFileSync(join(scratch, "run-cli.mjs"), RUNNER);
  // 2. Measure each size.
  console.log(`gokac build, compiled, median of ${RUNS} runs (targets for 500 specs: cold < 3 s, no-op < 0.3 s, peak RSS < 500 MB)`);
  console.log("| specs | build | wall time | CPU time | peak RSS |");
  console.log("| ---: | --- | ---: | ---: | ---: |");
  for (const n of sizes.length > 0 ? sizes : [100, 500]) console.log(measure(n));
  // wall times on a shared machine depend on its load; print it so figures can be compared
  console.log(
    `load average (1, 5, 15 min) at the end: ${loadavg()
      .map((x) => x.toFixed(1))
      .join(", ")}`,
  );
}

main();
