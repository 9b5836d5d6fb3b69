/**
 * `gokac init [dir] [--force] [--gokac SPEC]`: a new project that works at
 * once (cli/init/templates.ts): `npm install && npx gokac build && npm test`
 * pass in it. Refuses a folder that is not empty (exit 2) unless `--force`,
 * which writes the project's files over what is there and leaves the rest.
 * `--gokac` is the dependency spec of gokac in the new package.json
 * (default `^<this version>`; e.g. `file:../gokac-0.1.0.tgz`).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { basename, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "commander";
import { UsageError, type ExitStatus } from "../exit.js";
import type { CommandIo } from "../io/command-io.js";
import { displayPath } from "../io/read-specs.js";
import { projectFiles } from "../init/templates.js";
import type { CommandContext } from "../program.js";

/** Options of `gokac init`. */
export interface InitOptions {
  readonly force?: boolean;
  readonly gokac?: string;
}

/** gokac's own package.json (two folders up from cli/commands, in the sources and in dist/). */
function ownManifest(): { version: string; devDependencies: Record<string, string> } {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 4; i++) {
    const file = resolve(dir, "package.json");
    if (existsSync(file)) {
      const manifest = JSON.parse(readFileSync(file, "utf8")) as {
        name?: string;
        version: string;
        devDependencies?: Record<string, string>;
      };
      if (manifest.name === "gokac") return { version: manifest.version, devDependencies: manifest.devDependencies ?? {} };
    }
    dir = dirname(dir);
  }
  throw new Error("gokac's package.json not found");
}

/** An npm package name from a folder name. */
function packageName(dir: string): string {
  const name = basename(dir)
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, "-")
    .replace(/^[._-]+/, "");
  return name === "" ? "gokac-app" : name;
}

/** The command body; resolves with the exit status. */
export async function initCommandAction(io: CommandIo, dir: string, options: InitOptions): Promise<ExitStatus> {
  const root = resolve(io.cwd, dir);
  if (existsSync(root) && readdirSync(root).length > 0 && options.force !== true) {
    throw new UsageError(
      `${displayPath(io.cwd, dir)} is not empty: choose an empty folder, or pass --force to write the project's files into it`,
    );
  }
  const manifest = ownManifest();
  const pick = (name: string) => manifest.devDependencies[name];
  const devDependencies: Record<string, string> = {};
  for (const name of ["@types/node", "typescript", "vitest"]) devDependencies[name] = pick(name) ?? "latest";
  const files = projectFiles({ name: packageName(root), gokac: options.gokac ?? `^${manifest.version}`, devDependencies });
  for (const [path, text] of Object.entries(files)) {
    const target = resolve(root, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, text);
  }
  const shown = displayPath(io.cwd, dir);
  io.stdout(
    `gokac: a new project in ${shown} (${Object.keys(files).length} files). Next:\n` +
      `${shown === "." ? "" : `  cd ${shown}\n`}  npm install\n  npx gokac build\n  npm test\n`,
  );
  return 0;
}

/** Registers `init` on the gokac program. */
export function registerInitCommand(program: Command, { io, run }: CommandContext): void {
  program
    .command("init")
    .description("create a new project (specs, a handler, tests, editor schema) that builds and passes npm test at once")
    .argument("[dir]", "the project folder (created if missing; default: the current folder)", ".")
    .option("--force", "write into a folder that is not empty (the project's files are overwritten)")
    .option("--gokac <spec>", "the dependency spec of gokac in package.json (default: ^<this version>)")
    .action(async (dir: string, options: InitOptions) => {
      await run(() => initCommandAction(io, dir, options), "internal");
    });
}
