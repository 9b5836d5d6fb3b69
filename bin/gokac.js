#!/usr/bin/env node
// The gokac command. Runs the compiled CLI from dist/ (built by `npm ci`/`npm run build`);
// in a source checkout without dist/ (or with GOKAC_FROM_SOURCE=1) it runs the TypeScript
// sources through tsx, under Node's `source` export condition so that `gokac/runtime`
// (loaded by `run`, `emit`, `get`, `topics`) resolves to the sources too.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";

const compiled = fileURLToPath(new URL("../dist/cli/main.js", import.meta.url));
const source = fileURLToPath(new URL("../cli/main.ts", import.meta.url));
const fromSource = !existsSync(compiled) || Boolean(process.env.GOKAC_FROM_SOURCE);

/** Whether `gokac/runtime` resolves to the TypeScript sources in this process. */
function sourceConditionActive() {
  try {
    return import.meta.resolve("gokac/runtime").endsWith(".ts");
  } catch {
    return false;
  }
}

if (fromSource && !sourceConditionActive()) {
  // Conditions are fixed at process start: run once more with `--conditions=source`,
  // passing signals on so `gokac run` still shuts down cleanly.
  const child = spawn(
    process.execPath,
    ["--conditions=source", ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    {
      stdio: "inherit",
    },
  );
  for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => child.kill(signal));
  child.on("exit", (code, signal) => {
    process.exitCode = code ?? (signal === "SIGINT" ? 130 : 143);
  });
} else {
  let cli;
  if (fromSource) {
    const { tsImport } = await import("tsx/esm/api");
    cli = await tsImport(pathToFileURL(source).href, import.meta.url);
  } else {
    cli = await import(pathToFileURL(compiled).href);
  }
  process.exitCode = await cli.main(process.argv.slice(2));
}
