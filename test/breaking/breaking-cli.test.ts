/**
 * `gokac breaking` through `main()`: a real temporary git repository (the
 * project in a subfolder of it, specs referencing a schema file outside the
 * spec folder), specs committed, changed in the work tree, and compared.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { gokac } from "../support/cli.js";

const spec = (partitions: number) => `topics:
  clicks: { partitions: ${partitions}, codec: string }
---
group: counter
inputs:
  - topic: clicks
persist:
  codec: { json: { schema: ../schemas/count.schema.json } }
`;
const schema = (required: string) => `{
  "type": "object",
  "properties": { "n": { "type": "integer" }, "at": { "type": "string" } },
  "required": [${required}]
}
`;

function write(dir: string, files: Readonly<Record<string, string>>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

function git(dir: string, ...args: string[]): string {
  return execFileSync(
    "git",
    [
      "-c",
      "user.name=gokac-test",
      "-c",
      "user.email=test@gokac.invalid",
      "-c",
      "init.defaultBranch=main",
      "-c",
      "commit.gpgsign=false",
      ...args,
    ],
    { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
  );
}

/** A git repository whose subfolder `app/` is the project, with `files` committed (tagged `v1`) and returned: the project folder. */
function repository(files: Readonly<Record<string, string>>): string {
  const repo = mkdtempSync(join(tmpdir(), "gokac-breaking-"));
  git(repo, "init", "-q");
  write(join(repo, "app"), files);
  git(repo, "add", "-A");
  git(repo, "commit", "-q", "-m", "v1");
  git(repo, "tag", "v1");
  return join(repo, "app");
}

interface Finding {
  readonly code: string;
  readonly severity: string;
  readonly file: string;
  readonly line: number;
}

function findings(stdout: string): string[] {
  return (JSON.parse(stdout) as Finding[]).map((f) => `${f.code} ${f.severity} ${f.file}:${f.line}`);
}

describe("gokac breaking", () => {
  const v1 = { "specs/counter.yaml": spec(4), "schemas/count.schema.json": schema('"n"') };
  const changed = { "specs/counter.yaml": spec(8), "schemas/count.schema.json": schema('"n", "at"') };

  it("reports each breaking change in json, text and github formats and exits 1", async () => {
    const dir = repository(v1);
    write(dir, changed);

    const json = await gokac(dir, "breaking", "specs", "--against", "v1", "--format", "json");
    expect(json.code).toBe(1);
    // the schema file is outside the spec folder: read from git at the ref as well
    expect(findings(json.stdout)).toEqual(["GK956 error schemas/count.schema.json:4", "GK952 error specs/counter.yaml:2"]);

    const text = await gokac(dir, "breaking", "specs", "--against", "v1");
    expect(text.code).toBe(1);
    expect(text.stdout).toBe("");
    expect(text.stderr).toMatch(/^schemas\/count\.schema\.json:4:21: error GK956: /m);
    expect(text.stderr).toMatch(/^specs\/counter\.yaml:2:\d+: error GK952: /m);

    const github = await gokac(dir, "breaking", "specs", "--against", "v1", "--format", "github");
    expect(github.code).toBe(1);
    expect(
      github.stdout
        .split("\n")
        .filter((l) => l !== "")
        .map((l) => /^::(\w+) file=([^,]+),line=(\d+),col=\d+,title=(GK\d+)::/.exec(l)?.slice(1).join(" ")),
    ).toEqual(["error schemas/count.schema.json 4 GK956", "error specs/counter.yaml 2 GK952"]);
  });

  it("--allow turns a rule's findings into warnings; exit 0 only when every finding is allowed", async () => {
    const dir = repository(v1);
    write(dir, changed);
    const one = await gokac(dir, "breaking", "specs", "--against", "v1", "--format", "json", "--allow", "GK952");
    expect(one.code).toBe(1);
    expect(findings(one.stdout)).toEqual(["GK956 error schemas/count.schema.json:4", "GK952 warning specs/counter.yaml:2"]);
    const both = await gokac(dir, "breaking", "specs", "--against", "v1", "--format", "json", "--allow", "GK952", "--allow", "GK956");
    expect(both.code).toBe(0);
    expect(findings(both.stdout)).toEqual(["GK956 warning schemas/count.schema.json:4", "GK952 warning specs/counter.yaml:2"]);
    const text = await gokac(dir, "breaking", "specs", "--against", "v1", "--allow", "GK952,GK956");
    expect(text.code).toBe(0);
    expect(text.stderr).toMatch(/: warning GK952: /);
  });

  it("exits 0 for unchanged and for purely additive specs, and when the folder is new since the ref", async () => {
    const dir = repository(v1);
    const same = await gokac(dir, "breaking", "specs", "--against", "v1", "--format", "json");
    expect(same.code).toBe(0);
    expect(JSON.parse(same.stdout)).toEqual([]);

    write(dir, { "specs/other.yaml": "group: other\ninputs:\n  - topic: clicks\noutputs:\n  - topic: other-out\n    codec: string\n" });
    const additive = await gokac(dir, "breaking", "specs", "--against", "HEAD");
    expect(additive.code).toBe(0);
    expect(additive.stderr).toBe("");

    write(dir, { "more-specs/x.yaml": spec(4) });
    expect((await gokac(dir, "breaking", "more-specs", "--against", "v1", "--format", "json")).code).toBe(0);
  });

  it("exits 1 when the current specs have errors, with their diagnostics", async () => {
    const dir = repository(v1);
    write(dir, { "specs/counter.yaml": `${spec(4)}bogus: 1\n` });
    const run = await gokac(dir, "breaking", "specs", "--against", "v1", "--format", "json");
    expect(run.code).toBe(1);
    expect((JSON.parse(run.stdout) as Finding[]).map((f) => f.code)).toEqual(["GK101"]);
  });

  it("exits 2 on bad usage: unknown ref, not a git repository, unknown --allow code, no --against, broken specs at the ref", async () => {
    const dir = repository(v1);
    expect((await gokac(dir, "breaking", "specs", "--against", "no-such-ref")).code).toBe(2);
    expect((await gokac(dir, "breaking", "specs", "--against", "--help-me")).code).toBe(2);
    expect((await gokac(dir, "breaking", "specs", "--against", "v1", "--allow", "GK101")).code).toBe(2);
    expect((await gokac(dir, "breaking", "specs")).code).toBe(2);
    expect((await gokac(dir, "breaking", "specs", "--against", "v1", "--format", "xml")).code).toBe(2);

    const plain = mkdtempSync(join(tmpdir(), "gokac-no-git-"));
    write(plain, v1);
    const outside = await gokac(plain, "breaking", "specs", "--against", "HEAD");
    expect(outside.code).toBe(2);
    expect(outside.stderr).not.toBe("");
    rmSync(plain, { recursive: true, force: true });

    write(dir, { "specs/counter.yaml": "group: [\n" });
    git(dir, "commit", "-q", "-a", "-m", "broken");
    write(dir, v1);
    expect((await gokac(dir, "breaking", "specs", "--against", "HEAD")).code).toBe(2);
  });

  it("is listed in --help", async () => {
    const dir = repository(v1);
    const run = await gokac(dir, "breaking", "--help");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("--against");
  });
});
