/**
 * Hot standby on the real broker: two processor processes of a group with
 * `standby: 1` each keep a warm copy of the other's table partitions. The
 * first is killed with SIGKILL; once the broker notices (the session
 * timeout), the survivor promotes its warm copies: every partition runs
 * again after replaying no changelog records (its copies had caught up),
 * and the counts go on from the promoted state.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { codecs, defineTopic } from "gokac/runtime";
import { afterAll, expect, it } from "vitest";
import { createKafkaBroker } from "../../runtime/broker/kafka/index.js";
import { describeKafka, eventually, kafkaBrokers, repoRoot, unique } from "./kafka-env.js";
import { emitterOf, openView, type OpenView } from "./runtime-adapter.js";

interface StandbyChild {
  readonly child: ChildProcess;
  readonly running: Promise<void>;
  /** Every JSON line the child wrote, in order. */
  readonly lines: Record<string, unknown>[];
  /** The last status line. */
  status(): { active: number[]; standby: [number, number][] } | undefined;
}

function startChild(args: string[]): StandbyChild {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "--conditions=source", join(repoRoot, "test/system/fixtures/standby-processor.ts"), ...args],
    { cwd: repoRoot, stdio: ["ignore", "pipe", "pipe"] },
  );
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  const lines: Record<string, unknown>[] = [];
  let last: { active: number[]; standby: [number, number][] } | undefined;
  const running = new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const parsed = JSON.parse(line) as Record<string, unknown>;
      if (parsed.event === "status") last = parsed as unknown as typeof last;
      else lines.push(parsed);
      if (parsed.event === "running") resolve();
    });
    child.on("exit", (code) => reject(new Error(`processor exited (${code}) before running: ${stderr}`)));
  });
  running.catch(() => undefined);
  return { child, running, lines, status: () => last };
}

describeKafka("hot standby", () => {
  const children: ChildProcess[] = [];
  const state = mkdtempSync(join(tmpdir(), "gokac-standby-"));
  afterAll(() => {
    for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
    rmSync(state, { recursive: true, force: true });
  });

  it("the survivor of a SIGKILL promotes its warm copies without replaying the changelog", { timeout: 180_000 }, async () => {
    const broker = createKafkaBroker({ brokers: kafkaBrokers() });
    const input = defineTopic(unique("standby-in"), codecs.string);
    const group = unique("standby");
    const partitions = 4;
    await broker.createTopic({ topic: input.name, partitions, compacted: false });
    const emitter = emitterOf(broker, input);
    const keys = Array.from({ length: 40 }, (_, i) => `k${i}`);
    const rounds = 10;
    for (let r = 0; r < rounds; r++) await Promise.all(keys.map((k) => emitter.emit(k, "x")));
    const table = defineTopic(`${group}-table`, codecs.int64);
    let view: OpenView<bigint> | undefined;
    const allAt = (n: bigint) => async () => (await Promise.all(keys.map((k) => view!.get(k)))).every((v) => v === n);

    const args = (name: string) => [kafkaBrokers(), input.name, group, join(state, name), "1", "6000"];
    const a = startChild(args("a"));
    children.push(a.child);
    await a.running;
    view = await openView(broker, table);
    await eventually(allAt(BigInt(rounds)), 60_000, "the first instance counted every input");
    const b = startChild(args("b"));
    children.push(b.child);
    await b.running;

    // Two members: each active on half the partitions and warm on the other half, caught up with the changelog.
    const hwms = await Promise.all(Array.from({ length: partitions }, (_, p) => broker.highWatermark(table.name, p)));
    const settled = (c: StandbyChild) => {
      const s = c.status();
      return (
        s !== undefined &&
        s.active.length === partitions / 2 &&
        s.standby.length === partitions / 2 &&
        s.standby.every(([p, o]) => o === hwms[p])
      );
    };
    await eventually(() => settled(a) && settled(b), 60_000, "both instances active on half and warm on the other half");
    const promoted = b.status()!.standby.map(([p]) => p);
    expect(promoted.sort()).toEqual(a.status()!.active.sort());
    for (const p of promoted) expect(hwms[p], `changelog records of partition ${p}`).toBeGreaterThan(0);

    const before = b.lines.length;
    a.child.kill("SIGKILL");
    await eventually(() => b.status()?.active.length === partitions, 60_000, "the survivor owns every partition");
    await eventually(
      () => promoted.every((p) => b.lines.slice(before).some((l) => l.event === "recovered" && l.partition === p)),
      30_000,
      "the promoted partitions recovered",
    );
    // The promotion replayed nothing: the warm copies were at the changelog's end.
    for (const p of promoted) {
      const recovered = b.lines.slice(before).find((l) => l.event === "recovered" && l.partition === p);
      expect(recovered?.recovered, `records replayed for partition ${p}`).toBe(0);
    }
    expect(b.status()?.standby).toEqual([]);

    // The promoted state is the real one: counting goes on from it.
    await Promise.all(keys.map((k) => emitter.emit(k, "x")));
    await eventually(allAt(BigInt(rounds + 1)), 60_000, "the survivor counted on from the promoted state");
    await emitter.close();
    b.child.kill("SIGTERM");
    await new Promise((resolve) => b.child.once("exit", resolve));
    expect(b.child.exitCode).toBe(0);
    await view?.stop();
    await broker.close();
  });
});
