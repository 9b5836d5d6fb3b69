/** The whole handler context on the tester: headers, visitors, joins, lookups, loopback, tombstones, chains of processors. */
import { afterEach, describe, expect, it } from "vitest";
import {
  codecs,
  defineGroup,
  defineTopic,
  type BaseContext,
  type EmitContext,
  type JoinContext,
  type LookupContext,
  type LoopContext,
  type TableContext,
} from "gokac/runtime";
import { createTester, type Tester } from "gokac/runtime/testing";

let tester: Tester | undefined;
afterEach(async () => {
  await tester?.close();
  tester = undefined;
});

const text = (bytes: Uint8Array | undefined) => (bytes === undefined ? undefined : new TextDecoder().decode(bytes));

describe("headers", () => {
  it("are read from the input and attached to emits", async () => {
    const input = defineTopic("in", codecs.string);
    const output = defineTopic("out", codecs.string);
    const seen: (string | undefined)[] = [];
    const group = defineGroup<never>(
      {
        group: "relay",
        inputs: [{ topics: [input.name], codec: input.codec, handler: "relay" }],
        outputs: [{ topic: output.name, codec: output.codec }],
      },
      {
        relay(ctx: BaseContext & EmitContext<{ out: string }>, msg: string) {
          seen.push(text(ctx.headers["trace"]));
          ctx.emit("out", ctx.key, msg.toUpperCase(), {
            headers: { trace: `${text(ctx.headers["trace"])}-relayed`, raw: Uint8Array.of(7) },
          });
        },
      },
    );
    tester = createTester();
    tester.register(group);
    tester.consume(input, "k", "hello", { headers: { trace: "t1" } });
    await tester.run();
    expect(seen).toEqual(["t1"]);
    const [out] = tester.emitted(output);
    expect(out?.value).toBe("HELLO");
    expect(text(out?.headers["trace"])).toBe("t1-relayed");
    expect([...(out?.headers["raw"] ?? [])]).toEqual([7]);
  });
});

describe("visitors", () => {
  it("visitAll calls the visitor for every key of every partition; it sets values and emits", async () => {
    const input = defineTopic("deposits", codecs.int64);
    const resets = defineTopic("resets", codecs.int64);
    type Ctx = BaseContext & TableContext<bigint> & EmitContext<{ resets: bigint }>;
    const visited: { key: string; topic: string; meta: unknown }[] = [];
    const group = defineGroup<bigint>(
      {
        group: "balance",
        inputs: [{ topics: [input.name], codec: input.codec, handler: "deposit" }],
        persist: { codec: codecs.int64 },
        outputs: [{ topic: resets.name, codec: resets.codec }],
        visitors: [{ name: "reset", handler: "onReset" }],
      },
      {
        deposit(ctx: Ctx, msg: bigint) {
          ctx.setValue(((ctx.value() as bigint | undefined) ?? 0n) + msg);
        },
        onReset(ctx: Ctx, meta: unknown) {
          visited.push({ key: ctx.key, topic: ctx.topic, meta });
          ctx.emit("resets", ctx.key, ctx.value() as bigint);
          ctx.setValue(0n);
        },
      },
    );
    tester = createTester({ partitions: 3 });
    tester.register(group);
    const keys = ["a", "b", "c", "d", "e", "f"];
    for (const [i, key] of keys.entries()) tester.consume(input, key, BigInt(i + 1));
    await tester.visitAll(group, "reset", { reason: "eod" });
    expect(visited.map((v) => v.key).sort()).toEqual(keys);
    expect(visited.every((v) => v.topic === "" && (v.meta as { reason: string }).reason === "eod")).toBe(true);
    for (const key of keys) expect(await tester.tableValue(group, key)).toBe(0n);
    expect(
      tester
        .emitted(resets)
        .map((m) => [m.key, m.value])
        .sort(),
    ).toEqual(keys.map((k, i) => [k, BigInt(i + 1)]));
    await expect(tester.processor(group).visitAll("nope", null)).rejects.toMatchObject({ name: "ProcessorStateError" });
  });
});

describe("tables between groups", () => {
  const users = defineTopic("user-updates", codecs.json);
  const clicks = defineTopic("clicks", codecs.string);
  const geo = defineTopic("geo-table", codecs.string);
  const enriched = defineTopic("enriched", codecs.json);

  const usersGroup = defineGroup<unknown>(
    { group: "users", inputs: [{ topics: [users.name], codec: users.codec, handler: "update" }], persist: { codec: codecs.json } },
    {
      update(ctx: BaseContext & TableContext<unknown>, msg: unknown) {
        if (msg === null) ctx.delete();
        else ctx.setValue(msg);
      },
    },
  );
  type EnrichCtx = BaseContext &
    JoinContext<{ "users-table": unknown }> &
    LookupContext<{ "geo-table": string }> &
    EmitContext<{ enriched: unknown }>;
  const enrichGroup = defineGroup<never>(
    {
      group: "enrich",
      inputs: [{ topics: [clicks.name], codec: clicks.codec, handler: "click" }],
      joins: [{ table: "users-table", codec: codecs.json }],
      lookups: [{ table: geo.name, codec: geo.codec }],
      outputs: [{ topic: enriched.name, codec: enriched.codec }],
    },
    {
      async click(ctx: EnrichCtx, msg: string) {
        const user = (await ctx.join("users-table")) as { country?: string } | undefined;
        const region = user?.country === undefined ? undefined : await ctx.lookup("geo-table", user.country);
        ctx.emit("enriched", ctx.key, { page: msg, user: user ?? null, region: region ?? null });
      },
    },
  );

  it("join reads the copartitioned table by the message key, lookup any key; tombstones delete", async () => {
    tester = createTester({ partitions: 4, nilHandling: "process" });
    tester.register(usersGroup);
    tester.register(enrichGroup);
    tester.consume(geo, "de", "europe");
    tester.consume(users, "alice", { country: "de" });
    tester.consume(users, "bob", { country: "us" });
    await tester.run();
    expect(await tester.tableValue(usersGroup, "alice")).toEqual({ country: "de" });

    tester.consume(clicks, "alice", "/home");
    tester.consume(clicks, "bob", "/shop");
    tester.consume(clicks, "carol", "/about");
    await tester.run();
    const byKey = Object.fromEntries(tester.emitted(enriched).map((m) => [m.key, m.value]));
    expect(byKey).toEqual({
      alice: { page: "/home", user: { country: "de" }, region: "europe" },
      bob: { page: "/shop", user: { country: "us" }, region: null },
      carol: { page: "/about", user: null, region: null },
    });

    // A tombstone deletes from the group table and, through the changelog, from the joined copy.
    tester.consume(users, "alice", null);
    await tester.run();
    expect(await tester.tableValue(usersGroup, "alice")).toBeUndefined();
    const table = tester.broker.messages("users-table");
    expect(table[table.length - 1]).toMatchObject({ key: "alice", value: null });
    tester.clearEmitted();
    tester.consume(clicks, "alice", "/again");
    await tester.run();
    expect(tester.emitted(enriched)[0]?.value).toEqual({ page: "/again", user: null, region: null });
  });
});

describe("joined tables at start", () => {
  it("a group started after its joined table was filled recovers it before handling input", async () => {
    const facts = defineTopic("facts", codecs.string);
    const questions = defineTopic("questions", codecs.string);
    const answers = defineTopic("answers", codecs.string);
    const owner = defineGroup<string>(
      { group: "facts", inputs: [{ topics: [facts.name], codec: facts.codec, handler: "set" }], persist: { codec: codecs.string } },
      { set: (ctx: BaseContext & TableContext<string>, msg: string) => ctx.setValue(msg) },
    );
    const asker = defineGroup<never>(
      {
        group: "asker",
        inputs: [{ topics: [questions.name], codec: questions.codec, handler: "ask" }],
        joins: [{ table: "facts-table", codec: codecs.string }],
        outputs: [{ topic: answers.name, codec: answers.codec }],
      },
      {
        ask(ctx: BaseContext & JoinContext<{ "facts-table": string }> & EmitContext<{ answers: string }>) {
          const fact = ctx.join("facts-table");
          // Joined tables with synchronous storage answer without a promise.
          expect(fact instanceof Promise).toBe(false);
          ctx.emit("answers", ctx.key, (fact as string | undefined) ?? "unknown");
        },
      },
    );
    tester = createTester({ partitions: 3 });
    tester.register(owner);
    for (const k of ["sky", "grass", "sea"]) tester.consume(facts, k, `${k}-colour`);
    await tester.run();
    tester.register(asker);
    for (const k of ["sky", "sea", "moon"]) tester.consume(questions, k, "?");
    const recovered: number[] = [];
    tester.processor(asker).on("recovered", (e) => recovered.push(e.recovered));
    await tester.run();
    expect(recovered.reduce((a, b) => a + b, 0)).toBe(3);
    expect(Object.fromEntries(tester.emitted(answers).map((m) => [m.key, m.value]))).toEqual({
      sky: "sky-colour",
      sea: "sea-colour",
      moon: "unknown",
    });
  });
});

describe("null input values", () => {
  const input = defineTopic("maybe", codecs.string);
  const seen: unknown[] = [];
  const group = defineGroup<never>(
    { group: "nil", inputs: [{ topics: [input.name], codec: input.codec, handler: "h" }] },
    {
      h(_ctx: BaseContext, msg: string | null) {
        seen.push(msg);
      },
    },
  );

  it("are committed without calling the handler by default (Goka's NilIgnore)", async () => {
    seen.length = 0;
    tester = createTester();
    tester.register(group);
    tester.consume(input, "k", null);
    tester.consume(input, "k", "v");
    await tester.run();
    expect(seen).toEqual(["v"]);
    expect(await tester.broker.committedOffset("nil", input.name, 0)).toBe(2);
  });

  it("reach the handler as null with nilHandling process", async () => {
    seen.length = 0;
    tester = createTester({ nilHandling: "process" });
    tester.register(group);
    tester.consume(input, "k", null);
    await tester.run();
    expect(seen).toEqual([null]);
  });
});

describe("loopback", () => {
  it("sends to the group's loop topic, partitioned by the new key, handled by the loop handler", async () => {
    const follows = defineTopic("follows", codecs.string);
    type Ctx = BaseContext & TableContext<bigint> & LoopContext<string>;
    const group = defineGroup<bigint>(
      {
        group: "followers",
        inputs: [{ topics: [follows.name], codec: follows.codec, handler: "follow" }],
        persist: { codec: codecs.int64 },
        loop: { codec: codecs.string, handler: "countFollower" },
      },
      {
        follow(ctx: Ctx, followee: string) {
          ctx.loopback(followee, ctx.key);
        },
        countFollower(ctx: Ctx, follower: string) {
          expect(ctx.topic).toBe("followers-loop");
          expect(follower).toMatch(/^u/);
          ctx.setValue(((ctx.value() as bigint | undefined) ?? 0n) + 1n);
        },
      },
    );
    tester = createTester({ partitions: 3 });
    tester.register(group);
    tester.consume(follows, "u1", "star");
    tester.consume(follows, "u2", "star");
    tester.consume(follows, "u3", "other");
    await tester.run();
    expect(await tester.tableValue(group, "star")).toBe(2n);
    expect(await tester.tableValue(group, "other")).toBe(1n);
    expect(await tester.tableValue(group, "u1")).toBeUndefined();
  });
});

describe("chains of processors", () => {
  it("one group's output is the next group's input", async () => {
    const words = defineTopic("words", codecs.string);
    const lengths = defineTopic("lengths", codecs.int64);
    const upper = defineGroup<never>(
      {
        group: "measure",
        inputs: [{ topics: [words.name], codec: words.codec, handler: "measure" }],
        outputs: [{ topic: lengths.name, codec: lengths.codec }],
      },
      {
        measure(ctx: BaseContext & EmitContext<{ lengths: bigint }>, msg: string) {
          ctx.emit("lengths", msg, BigInt(msg.length));
        },
      },
    );
    const total = defineGroup<bigint>(
      { group: "total", inputs: [{ topics: [lengths.name], codec: lengths.codec, handler: "sum" }], persist: { codec: codecs.int64 } },
      {
        sum(ctx: BaseContext & TableContext<bigint>, msg: bigint) {
          ctx.setValue(((ctx.value() as bigint | undefined) ?? 0n) + msg);
        },
      },
    );
    tester = createTester({ partitions: 2 });
    tester.register(upper);
    tester.register(total);
    for (const w of ["kafka", "goka", "kafka", "ts"]) tester.consume(words, "any", w);
    await tester.run();
    expect(await tester.tableValue(total, "kafka")).toBe(10n);
    expect(await tester.tableValue(total, "goka")).toBe(4n);
    expect(await tester.tableValue(total, "ts")).toBe(2n);
  });
});

describe("multi-topic input and key-sequential ordering", () => {
  it("handles every input of one partition one at a time, each topic in offset order", async () => {
    const a = defineTopic("in-a", codecs.int64);
    const b = defineTopic("in-b", codecs.int64);
    const log: string[] = [];
    let running = 0;
    let overlapped = false;
    const handler = async (ctx: BaseContext & TableContext<bigint>, msg: bigint) => {
      running++;
      if (running > 1) overlapped = true;
      log.push(`${ctx.topic}:${msg}`);
      await new Promise((resolve) => setTimeout(resolve, Number(msg % 3n)));
      ctx.setValue(((ctx.value() as bigint | undefined) ?? 0n) * 10n + msg);
      running--;
    };
    const group = defineGroup<bigint>(
      {
        group: "ordered",
        inputs: [
          { topics: [a.name], codec: a.codec, handler: "h" },
          { topics: [b.name], codec: b.codec, handler: "h" },
        ],
        persist: { codec: codecs.int64 },
      },
      { h: handler },
    );
    tester = createTester({ maxBatchSize: 2 });
    tester.register(group);
    for (let i = 1n; i <= 6n; i++) {
      tester.consume(a, "k", i);
      tester.consume(b, "k", i + 100n);
    }
    await tester.run();
    expect(overlapped).toBe(false);
    const fromA = log.filter((l) => l.startsWith("in-a")).map((l) => Number(l.split(":")[1]));
    const fromB = log.filter((l) => l.startsWith("in-b")).map((l) => Number(l.split(":")[1]));
    expect(fromA).toEqual([1, 2, 3, 4, 5, 6]);
    expect(fromB).toEqual([101, 102, 103, 104, 105, 106]);
    // The table saw the same order the handlers ran in.
    const expected = log.reduce((acc, l) => acc * 10n + BigInt(l.split(":")[1] ?? "0"), 0n);
    expect(await tester.tableValue(group, "k")).toBe(expected);
  });

  it("runs partitions concurrently", async () => {
    const input = defineTopic("slow", codecs.string);
    let running = 0;
    let maxRunning = 0;
    const group = defineGroup<never>(
      { group: "parallel", inputs: [{ topics: [input.name], codec: input.codec, handler: "h" }] },
      {
        async h() {
          running++;
          maxRunning = Math.max(maxRunning, running);
          await new Promise((resolve) => setTimeout(resolve, 20));
          running--;
        },
      },
    );
    tester = createTester({ partitions: 4 });
    tester.register(group);
    for (let i = 0; i < 16; i++) tester.consume(input, `key-${i}`, "x");
    await tester.run();
    expect(maxRunning).toBeGreaterThan(1);
  });
});

describe("table values are copies", () => {
  it("a handler changing an object it read or set, without setValue, changes neither the table nor what was sent", async () => {
    type Tally = { n: number; tags: string[] };
    const input = defineTopic("marks", codecs.string);
    const output = defineTopic("tallies", codecs.json);
    type Ctx = BaseContext & TableContext<Tally> & EmitContext<{ tallies: unknown }>;
    const group = defineGroup<Tally>(
      {
        group: "tally",
        inputs: [{ topics: [input.name], codec: input.codec, handler: "mark" }],
        persist: { codec: codecs.json as never },
        outputs: [{ topic: output.name, codec: output.codec }],
      },
      {
        async mark(ctx: Ctx, msg: string) {
          const current = (await ctx.value()) ?? { n: 0, tags: [] };
          if (msg === "peek") {
            // Mutates what it read, never sets it: Goka decodes afresh on every Value().
            current.n = 1000;
            current.tags.push("mutated");
            return;
          }
          const next = { n: current.n + 1, tags: [...current.tags, msg] };
          ctx.setValue(next);
          ctx.emit("tallies", ctx.key, next);
          // Changes after setValue/emit come too late: the value was encoded when set.
          next.n = -1;
          next.tags.push("late");
        },
      },
    );
    tester = createTester();
    tester.register(group);
    for (const msg of ["a", "peek", "b"]) tester.consume(input, "k", msg);
    await tester.run();
    const tally = await tester.tableValue(group, "k");
    expect(tally).toEqual({ n: 2, tags: ["a", "b"] });
    tally?.tags.push("by-the-test");
    expect(await tester.tableValue(group, "k")).toEqual({ n: 2, tags: ["a", "b"] });
    expect(tester.emitted(output).map((m) => m.value)).toEqual([
      { n: 1, tags: ["a"] },
      { n: 2, tags: ["a", "b"] },
    ]);
  });

  it("bytes values are copied both ways", async () => {
    const input = defineTopic("raw-in", codecs.bytes);
    const group = defineGroup<Uint8Array>(
      { group: "raw", inputs: [{ topics: [input.name], codec: input.codec, handler: "keep" }], persist: { codec: codecs.bytes } },
      {
        keep(ctx: BaseContext & TableContext<Uint8Array>, msg: Uint8Array) {
          const before = ctx.value() as Uint8Array | undefined;
          if (before !== undefined) before[0] = 99;
          ctx.setValue(msg);
          msg[0] = 42;
        },
      },
    );
    tester = createTester();
    tester.register(group);
    tester.consume(input, "k", Uint8Array.of(1, 2));
    tester.consume(input, "k", Uint8Array.of(3, 4));
    await tester.run();
    expect([...((await tester.tableValue(group, "k")) ?? [])]).toEqual([3, 4]);
  });
});
