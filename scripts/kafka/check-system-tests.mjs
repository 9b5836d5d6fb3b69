// Reads a vitest JSON report and fails unless every system test (test/system/**) ran and passed:
// none skipped, none missing. CI runs it after `npm test` so a suite that silently skipped
// (no broker configured) cannot pass. Prints the totals as "tests: N passed, N failed, N skipped".
import { readFileSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";

const reportPath = process.argv[2];
if (!reportPath) {
  process.stderr.write("usage: check-system-tests.mjs <vitest-json-report>\n");
  process.exit(2);
}
const report = JSON.parse(readFileSync(reportPath, "utf8"));
const root = process.cwd();

const expected = readdirSync(join(root, "test/system"), { recursive: true })
  .map(String)
  .filter((f) => f.endsWith(".test.ts"))
  .map((f) => join("test/system", f))
  .sort();
const problems = [];
let ran = 0;
for (const file of expected) {
  const result = report.testResults.find((r) => relative(root, r.name) === file);
  if (result === undefined) {
    problems.push(`${file}: not in the report`);
    continue;
  }
  if (result.assertionResults.length === 0) problems.push(`${file}: no test ran (${result.status})`);
  for (const a of result.assertionResults) {
    if (a.status === "passed") ran++;
    else problems.push(`${file}: "${a.fullName}" ${a.status}`);
  }
}

const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
process.stdout.write(`system tests: ${ran} passed in ${expected.length} files\n`);
process.stdout.write(`tests: ${report.numPassedTests} passed, ${report.numFailedTests} failed, ${skipped} skipped\n`);
// In CI nothing is skipped: a skip there means a gate (broker, browser) silently failed open.
if (skipped > 0) problems.push(`${skipped} test(s) skipped; CI runs every test`);
if (problems.length > 0) {
  process.stderr.write(`system tests did not all run and pass:\n  ${problems.join("\n  ")}\n`);
  process.exit(1);
}
