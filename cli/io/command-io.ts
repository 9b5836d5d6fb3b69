/** What a command may read and where it writes: `main` passes the process (process-io.ts), tests capture it. */

/** Where a command writes and what it may read. */
export interface CommandIo {
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  stdout(text: string): void;
  stderr(text: string): void;
  /** Standard input, for `emit` without key and value. */
  readonly stdin: AsyncIterable<string | Buffer>;
  /** Resolves when the user asks to stop (SIGINT/SIGTERM); `run` waits for it. */
  readonly stopSignal: Promise<void>;
  /** Loads the runtime module; `import("gokac/runtime")` when absent (tests inject one). */
  readonly loadRuntime?: () => Promise<unknown>;
}
