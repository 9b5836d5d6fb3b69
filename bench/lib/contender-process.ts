/**
 * One contender program running as a child process: its READY line, its
 * peak resident memory (VmHWM from /proc), and a clean stop.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";

/** What to start: an executable with its arguments. */
export interface ContenderCommand {
  readonly command: string;
  readonly args: readonly string[];
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
}

/** A started contender. */
export interface ContenderProcess {
  readonly pid: number;
  /** `performance.now()` when it was spawned. */
  readonly startedAt: number;
  /** Resolves with `performance.now()` when the program prints `READY`; rejects if it exits first. */
  readonly ready: Promise<number>;
  /** `performance.now()` when the program printed `RECOVERING` (its recovery phase began), if it did before READY. */
  recoveringAt(): number | undefined;
  /** Resolves when the process has exited, with its code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** The highest VmHWM (kB) seen so far. */
  peakRssKb(): number;
  /** CPU seconds (user + system, every thread) the process used so far; `undefined` once it exited. Load-independent, unlike wall time. */
  cpuSeconds(): number | undefined;
  /** The last lines of its stderr, for failure reports. */
  stderrTail(): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it is gone, with whether it had to be killed. */
  stop(graceMs?: number): Promise<boolean>;
}

function readHwmKb(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

/** utime + stime of `pid` in seconds (/proc/<pid>/stat, clock ticks of 100 Hz, Linux's USER_HZ). */
function readCpuSeconds(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
}

/** Spawns a contender; stdout lines are parsed for `READY`, stderr is kept (tail) for errors. */
export function startContender(cmd: ContenderCommand): ContenderProcess {
  const startedAt = performance.now();
  const child = spawn(cmd.command, [...cmd.args], {
    cwd: cmd.cwd,
    env: { ...process.env, ...cmd.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${cmd.command}`);
  let peak = 0;
  let stderr = "";
  let exitedFlag = false;
  const sampler = setInterval(() => {
    peak = Math.max(peak, readHwmKb(pid));
  }, 100);

  const exited = new Promise<number | null>((resolve) => {
    child.on("exit", (code) => {
      exitedFlag = true;
      clearInterval(sampler);
      resolve(code);
    });
  });
  let recoveringAt: number | undefined;
  const ready = new Promise<number>((resolve, reject) => {
    let buffered = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (text: string) => {
      buffered += text;
      let nl;
      while ((nl = buffered.indexOf("\n")) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line.startsWith("RECOVERING")) recoveringAt ??= performance.now();
        if (line.startsWith("READY")) resolve(performance.now());
      }
    });
    void exited.then((code) => reject(new Error(`${cmd.command} exited (code ${code}) before READY:\n${stderr.slice(-2000)}`)));
  });
  ready.catch(() => undefined);
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (text: string) => {
    stderr = (stderr + text).slice(-20_000);
  });

  return {
    pid,
    recoveringAt: () => recoveringAt,
    startedAt,
    ready,
    exited,
    peakRssKb: () => Math.max(peak, exitedFlag ? 0 : readHwmKb(pid)),
    cpuSeconds: () => (exitedFlag ? undefined : readCpuSeconds(pid)),
    stderrTail: () => stderr.slice(-2000),
    async stop(graceMs = 20_000) {
      if (exitedFlag) return false;
      peak = Math.max(peak, readHwmKb(pid));
      child.kill("SIGTERM");
      let killed = false;
      const timer = setTimeout(() => {
        killed = true;
        child.kill("SIGKILL");
      }, graceMs);
      await exited;
      clearTimeout(timer);
      if (killed) process.stderr.write(`bench: ${cmd.command} ignored SIGTERM for ${graceMs / 1000} s and was killed\n`);
      return killed;
    },
  };
}
