/** `gokac schema`: prints the JSON Schema of spec files (for editors and CI). Exit 0. */
import type { Command } from "commander";
import { specSchema } from "../../compiler/index.js";
import type { CommandContext } from "../program.js";

/** The schema as printed: pretty JSON with a final newline. */
export function schemaText(): string {
  return `${JSON.stringify(specSchema, null, 2)}\n`;
}

/** Registers `schema` on the gokac program. */
export function registerSchemaCommand(program: Command, { io, run }: CommandContext): void {
  program
    .command("schema")
    .description("print the JSON Schema of spec files (for editors: # yaml-language-server: $schema=…)")
    .action(async () => {
      await run(async () => {
        io.stdout(schemaText());
        return 0;
      }, "internal");
    });
}
