/** Describes the machine a bench ran on: cores, memory, OS and tool versions. */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, loadavg, release, totalmem } from "node:os";
import { join } from "node:path";

/** The facts results.md prints under "Machine". */
export interface MachineInfo {
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGiB: number;
  readonly kernel: string;
  readonly node: string;
  readonly java: string;
  readonly go: string;
  readonly kafka: string;
  readonly date: string;
  /** 1-minute load average when the run started (other work on the machine skews figures). */
  readonly loadAtStart: number;
}

function firstLine(command: string, args: readonly string[]): string {
  try {
    const out = execFileSync(command, [...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    return out.split("\n")[0]?.trim() ?? "?";
  } catch {
    return "not found";
  }
}

function javaVersion(): string {
  // The JVM prints its version on stderr.
  try {
    return execFileSync("sh", ["-c", "java -version 2>&1 | head -1"], { encoding: "utf8" }).trim() || "not found";
  } catch {
    return "not found";
  }
}

/** Reads the machine's description (spawns java, go; reads scripts/kafka/pom.xml for the broker's version). */
export function describeMachine(root: string): MachineInfo {
  let kafka: string;
  try {
    kafka = /<kafka\.version>([^<]+)</.exec(readFileSync(join(root, "scripts/kafka/pom.xml"), "utf8"))?.[1] ?? "?";
  } catch {
    kafka = "external broker";
  }
  return {
    cpu: cpus()[0]?.model ?? "?",
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: `Linux ${release()}`,
    node: process.version,
    java: javaVersion(),
    go: firstLine("go", ["version"]),
    kafka: `Apache Kafka ${kafka} (single KRaft node, scripts/kafka)`,
    date: new Date().toISOString(),
    loadAtStart: loadavg()[0] ?? 0,
  };
}
