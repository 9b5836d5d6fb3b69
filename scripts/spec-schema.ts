/**
 * Writes `spec.schema.json` at the package root: the JSON Schema of spec
 * files (`gokac schema`), shipped in the package for editors
 * (`gokac/spec.schema.json`). Run by `npm run build` and `prepare`;
 * test/cli/init.test.ts checks the committed file is up to date.
 */
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { schemaText } from "../cli/commands/schema.js";

writeFileSync(fileURLToPath(new URL("../spec.schema.json", import.meta.url)), schemaText());
