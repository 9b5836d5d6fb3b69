/**
 * The flags of `gokac build`, declared once. `main` parses a build's
 * arguments with `parseBuildArgs` (node's parseArgs: no commander, so an
 * up-to-date build answers fast) and runs the build straight away; only
 * arguments it cannot take (`--help`, unknown flags, a bad `--format`, a
 * missing folder) go to commander, whose `build` command is declared from the
 * same table (`addBuildFlags`) and reports the usage error.
 */
import { parseArgs } from "node:util";
import type { Command } from "commander";
import { isDiagnosticFormat, type DiagnosticFormat } from "../../compiler/diagnostics/format.js";
import { brokersOption, diagnosticFormatOption, outOption } from "../options.js";

/** Options of `gokac build`. */
export interface BuildOptions {
  /** `--out`; absent: package.json's `gokac.out`, else `generated`. */
  readonly out?: string;
  readonly check?: boolean;
  /** `--watch`: rebuild on every change until stopped (build-watch.ts). */
  readonly watch?: boolean;
  readonly brokers?: string;
  readonly format: DiagnosticFormat;
}

/** `build <specs>` with its options, or undefined when commander must handle the arguments. */
export function parseBuildArgs(
  args: readonly string[],
): { readonly specs: string | undefined; readonly options: BuildOptions } | undefined {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: {
        out: { type: "string" },
        check: { type: "boolean" },
        watch: { type: "boolean" },
        format: { type: "string" },
        brokers: { type: "string" },
      },
    });
  } catch {
    return undefined;
  }
  const { values, positionals } = parsed;
  const format = values.format ?? "text";
  const specs = positionals[0];
  if (positionals.length > 1 || !isDiagnosticFormat(format)) return undefined;
  const options: BuildOptions = {
    ...(values.out === undefined ? {} : { out: values.out }),
    format,
    ...(values.check === true ? { check: true } : {}),
    ...(values.watch === true ? { watch: true } : {}),
    ...(values.brokers === undefined ? {} : { brokers: values.brokers }),
  };
  return { specs, options };
}

/** Declares the same flags on commander's `build` command. */
export function addBuildFlags(command: Command): Command {
  return command
    .addOption(outOption(command, "output folder"))
    .option("--check", "write nothing; exit 1 if any file would change")
    .option("--watch", "rebuild on every change of the specs or the files they reference, until Ctrl-C")
    .addOption(brokersOption(command, "check partition counts against a live cluster"))
    .addOption(diagnosticFormatOption(command));
}
