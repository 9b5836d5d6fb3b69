/** `gokac tail` on a real broker: key<TAB>value lines emit reads back, --max/--timeout, raw values, dead letters' headers; `gokac --version`. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Broker } from "../../runtime/broker/port.js";
import { createKafkaBroker } from "../../runtime/broker/kafka/index.js";
import { runGokac } from "../support/cli.js";
import { describeKafka, kafkaBrokers, repoRoot, unique } from "./kafka-env.js";

describeKafka("gokac tail", () => {
  let broker: Broker;
  beforeAll(async () => {
    broker = createKafkaBroker({ brokers: kafkaBrokers() });
    for (const topic of ["message_sent", "message_received"]) {
      if ((await broker.partitionCount(topic)) === undefined) await broker.createTopic({ topic, partitions: 8, compacted: false });
    }
  });
  afterAll(async () => {
    await broker.close();
  });
  const cli = (args: string[], stdin?: string) =>
    runGokac([...args, "--brokers", kafkaBrokers()], { cwd: repoRoot, ...(stdin === undefined ? {} : { stdin }) });
  const mine = (stdout: string, s: string) => stdout.split("\n").filter((l) => l.startsWith(`${s}-`));

  it("prints key<TAB>value in emit's format, so tail | emit copies messages", { timeout: 120_000 }, async () => {
    const s = unique("tail");
    const lines = [0, 1, 2].map((i) => `${s}-${i}\t${JSON.stringify({ from: `${s}-${i}`, to: "bob", content: `hi\t${i} "q" é` })}`);
    const sent = await cli(["emit", "specs", "message_sent"], `${lines.join("\n")}\n`);
    expect(sent.code, sent.stderr).toBe(0);

    const tailed = await cli(["tail", "specs", "message_sent", "--timeout", "3"]);
    expect(tailed.code, tailed.stderr).toBe(0);
    const got = mine(tailed.stdout, s);
    expect(got.sort()).toEqual([...lines].sort());

    const copied = await cli(["emit", "specs", "message_received"], `${got.join("\n")}\n`);
    expect(copied.code, copied.stderr).toBe(0);
    const back = await cli(["tail", "specs", "message_received", "--timeout", "3"]);
    expect(mine(back.stdout, s).sort()).toEqual([...lines].sort());
  });

  it("stops after --max messages, and --from end skips what is already there", { timeout: 60_000 }, async () => {
    const topic = unique("tail-max");
    await broker.createTopic({ topic, partitions: 1, compacted: false });
    const producer = await broker.producer();
    const text = (v: string) => new TextEncoder().encode(v);
    await producer.send([0, 1, 2, 3].map((i) => ({ topic, partition: 0, key: `k${i}`, value: text(`v${i}`) })));
    const two = await cli(["tail", "specs", topic, "--max", "2"]);
    expect(two.code, two.stderr).toBe(0);
    // not in the specs: raw values as JSON strings
    expect(two.stdout).toBe('k0\t"v0"\nk1\t"v1"\n');
    const end = await cli(["tail", "specs", topic, "--from", "end", "--timeout", "2"]);
    expect(end.stdout).toBe("");
    await producer.close();
  });

  it("shows a dead letter's gokac.error.* headers on stderr, the value raw (base64 when not UTF-8)", { timeout: 60_000 }, async () => {
    const topic = unique("tail-dlq");
    await broker.createTopic({ topic, partitions: 2, compacted: false });
    const producer = await broker.producer();
    await producer.send([
      {
        topic,
        partition: 1,
        key: "bad",
        value: new Uint8Array([0xff, 0x00, 0x80]),
        headers: { "gokac.error.kind": "decode", "gokac.error.topic": "payments", "gokac.error.offset": "7", trace: "x" },
      },
    ]);
    await producer.close();
    const r = await cli(["tail", "specs", topic, "--timeout", "3"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`bad\t${JSON.stringify({ base64: Buffer.from([0xff, 0x00, 0x80]).toString("base64") })}\n`);
    const dead = r.stderr.split("\n").find((l) => l.startsWith(`dead letter ${topic}/1@0 bad: `)) ?? "";
    expect(JSON.parse(dead.slice(dead.indexOf("{")))).toEqual({ kind: "decode", topic: "payments", offset: "7" });
  });

  it("refuses a bad --from or --max (exit 2)", async () => {
    expect((await cli(["tail", "specs", "message_sent", "--from", "middle"])).code).toBe(2);
    expect((await cli(["tail", "specs", "message_sent", "--max", "0"])).code).toBe(2);
  });
});

describe("gokac --version", () => {
  it("prints package.json's version", async () => {
    const run = await runGokac(["--version"], { cwd: repoRoot });
    expect(run.code).toBe(0);
    const out = run.stdout;
    const { version } = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as { version: string };
    expect(out.trim()).toBe(version);
  });
});
