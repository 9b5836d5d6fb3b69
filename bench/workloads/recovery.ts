/**
 * Workload 2, recovery: a table whose changelog holds `keys` keys; from a
 * contender's start with an empty state folder until it has recovered the
 * table into local storage and runs (its READY line).
 */
import { rm } from "node:fs/promises";
import { join } from "node:path";
import type { Contender, RunNames } from "../lib/contenders.js";
import { startContender } from "../lib/contender-process.js";
import type { RunContext } from "./throughput.js";

/** One recovery run. */
export interface RecoveryRun {
  readonly seconds: number;
  readonly keysPerSecond: number;
  readonly peakRssMb: number;
  /**
   * The recovery phase alone: from the program's RECOVERING line (its group
   * assigned it partitions) to READY, without process start-up and joining.
   * Set for contenders that print it.
   */
  readonly phaseSeconds?: number;
  readonly phaseKeysPerSecond?: number;
  /** Keys found in local storage after the run stopped (contenders whose storage the runner can read). */
  readonly storedKeys?: number;
}

/**
 * Runs `contender` once as `group` over the empty `input`, its changelog
 * already seeded with `keys` keys; the state folder is wiped first.
 */
export async function runRecovery(
  ctx: RunContext,
  contender: Contender,
  input: string,
  keys: number,
  group: string,
  profileDir?: string,
): Promise<RecoveryRun> {
  const run: RunNames = {
    brokers: ctx.brokers,
    group,
    input,
    stateDir: join(ctx.scratchDir, `${group}-state`),
    partitions: ctx.partitions,
    ...(profileDir === undefined ? {} : { profileDir }),
  };
  await rm(run.stateDir, { recursive: true, force: true });
  const proc = startContender(contender.command(ctx.root, run, ctx.partitions));
  try {
    const timeout = new Promise<never>((_, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${contender.name} did not recover in ${ctx.timeoutSeconds} s:\n${proc.stderrTail()}`)),
        ctx.timeoutSeconds * 1000,
      );
      void proc.exited.then(() => clearTimeout(timer));
    });
    const readyAt = await Promise.race([proc.ready, timeout]);
    const seconds = (readyAt - proc.startedAt) / 1000;
    const recoveringAt = proc.recoveringAt();
    const phaseSeconds = recoveringAt === undefined ? undefined : (readyAt - recoveringAt) / 1000;
    const phase = phaseSeconds === undefined ? {} : { phaseSeconds, phaseKeysPerSecond: keys / phaseSeconds };
    const peakRssMb = proc.peakRssKb() / 1024;
    await proc.stop();
    const storedKeys = contender.storedKeys === undefined ? undefined : await contender.storedKeys(run);
    return { seconds, keysPerSecond: keys / seconds, peakRssMb, ...phase, ...(storedKeys === undefined ? {} : { storedKeys }) };
  } finally {
    await proc.stop();
    await rm(run.stateDir, { recursive: true, force: true });
  }
}
