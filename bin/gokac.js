#!/usr/bin/env node
// The gokac command. Runs the compiled CLI from dist/ (built by `npm ci`/`npm run build`);
// in a source checkout without dist/ it runs the TypeScript sources through tsx.
import { existsSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";

const compiled = fileURLToPath(new URL("../dist/compiler/cli.js", import.meta.url));
const source = fileURLToPath(new URL("../compiler/cli.ts", import.meta.url));
let cli;
if (existsSync(compiled) && !process.env.GOKAC_FROM_SOURCE) {
  cli = await import(pathToFileURL(compiled).href);
} else {
  const { tsImport } = await import("tsx/esm/api");
  cli = await tsImport(pathToFileURL(source).href, import.meta.url);
}
process.exitCode = await cli.main(process.argv.slice(2));
