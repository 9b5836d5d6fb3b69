/**
 * Measures `analyze` on a synthetic folder: 500 group specs (2–4 inputs,
 * persist, loop, joins, lookups, outputs, visitors) and a catalogue of 1000
 * topics with 50 types. Prints figures; run with `npx tsx scripts/bench-analyze.ts`.
 */
import { analyze, type SpecSource } from "../compiler/analyze.js";

const GROUPS = 500;
const TOPICS = 1000;
const TYPES = 50;

function syntheticFolder(): SpecSource[] {
  const files: SpecSource[] = [];
  for (let f = 0; f < 10; f++) {
    const lines = ["topics:"];
    for (let t = f * (TOPICS / 10); t < (f + 1) * (TOPICS / 10); t++) {
      lines.push(`  topic-${t}: { partitions: 12, codec: { json: Type${t % TYPES} }, description: "topic ${t}" }`);
    }
    files.push({ path: `specs/catalogue/topics-${String(f).padStart(2, "0")}.yaml`, text: `${lines.join("\n")}\n` });
  }
  const types = ["types:"];
  for (let t = 0; t < TYPES; t++) {
    types.push(
      `  Type${t}:`,
      "    type: object",
      "    properties:",
      "      id: { type: string }",
      `      n: { type: integer, minimum: ${t} }`,
    );
    if (t > 0) types.push(`      prev: { $ref: "#/types/Type${t - 1}" }`);
    types.push("    required: [id]");
  }
  files.push({ path: "specs/catalogue/types.yaml", text: `${types.join("\n")}\n` });
  for (let g = 0; g < GROUPS; g++) {
    const inputs = 2 + (g % 3);
    const lines = [`group: group-${g}`, `description: Synthetic group ${g}.`, "inputs:"];
    for (let i = 0; i < inputs; i++) lines.push(`  - topic: topic-${(g * 2 + i) % TOPICS}`, `    handler: onInput${i}`);
    lines.push("persist:", `  codec: { json: Type${g % TYPES} }`);
    if (g % 2 === 0) lines.push("loop:", "  codec: string");
    if (g > 0) lines.push("joins:", `  - group: group-${g - 1}`);
    lines.push("lookups:", `  - table: group-${(g + 7) % GROUPS}-table`);
    lines.push("outputs:", `  - topic: topic-${(g * 2 + 5) % TOPICS}`, `  - topic: out-${g}`, "    codec: bytes");
    lines.push("visitors:", "  - name: reset", "partitions: 12");
    files.push({ path: `specs/groups/group-${String(g).padStart(3, "0")}.yaml`, text: `${lines.join("\n")}\n` });
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : 1));
}

const files = syntheticFolder();
const input = { root: "specs", projectRoot: ".", files, readFile: () => undefined };
const runs: number[] = [];
const cpuRuns: number[] = [];
let first = 0;
let firstCpu = 0;
for (let i = 0; i < 8; i++) {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  const result = analyze(input);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  // CPU time of this process is steadier than wall time on a shared machine
  const cpuMs = (cpu.user + cpu.system) / 1000;
  if (i === 0) {
    first = ms;
    firstCpu = cpuMs;
    const errors = result.diagnostics.filter((d) => d.severity === "error");
    console.log(
      `files: ${files.length}, groups: ${result.model?.groups.length}, topics: ${result.model?.topics.size}, diagnostics: ${result.diagnostics.length} (${errors.length} errors)`,
    );
    for (const d of errors.slice(0, 3)) console.log(`  ${d.file}:${d.line}:${d.column} ${d.code} ${d.message}`);
  } else {
    runs.push(ms);
    cpuRuns.push(cpuMs);
  }
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
console.log(`first run (cold: ajv compile, JIT): ${first.toFixed(0)} ms wall, ${firstCpu.toFixed(0)} ms CPU`);
console.log(
  `warm runs: median ${median(runs).toFixed(0)} ms wall, ${median(cpuRuns).toFixed(0)} ms CPU (best ${Math.min(...runs).toFixed(0)} ms wall)`,
);
