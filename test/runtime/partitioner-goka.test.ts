/** The `goka` partitioner (FNV-1a as a default Goka) and every runtime place that puts a key on a partition. */
import { describe, expect, it } from "vitest";
import {
  codecs,
  createEmitter,
  createMemoryBroker,
  createMemoryStorage,
  createProcessor,
  createView,
  defineGroup,
  defineTopic,
  fnv1a32,
  partitionForKey,
  type BaseContext,
  type EmitContext,
  type LoopContext,
  type LookupContext,
  type TableContext,
} from "gokac/runtime";

const utf8 = (s: string) => new TextEncoder().encode(s);
const KEYS = Array.from({ length: 200 }, (_, i) => `key-${i}`);

describe("the goka partitioner", () => {
  it("fnv1a32 matches Go's hash/fnv New32a", () => {
    // Vectors of Go's hash/fnv tests (golden32a).
    expect(fnv1a32(utf8(""))).toBe(0x811c9dc5);
    expect(fnv1a32(utf8("a"))).toBe(0xe40c292c);
    expect(fnv1a32(utf8("ab"))).toBe(0x4d2505ca);
    expect(fnv1a32(utf8("abc"))).toBe(0x1a47e90b);
  });

  it("places keys as sarama's hash partitioner: int32(hash) % n, made non-negative", () => {
    for (const key of KEYS) {
      const signed = fnv1a32(utf8(key)) | 0;
      const p = partitionForKey(key, 7, "goka");
      expect(p).toBe(Math.abs(signed % 7));
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThan(7);
    }
    // "a" hashes to 0xe40c292c, negative as int32 (-468965076): -468965076 % 10 = -6 -> 6
    expect(partitionForKey("a", 10, "goka")).toBe(6);
    // the default stays Kafka's
    expect(partitionForKey("a", 10)).toBe(partitionForKey("a", 10, "kafka"));
    // so different placements that a mix-up would show
    expect(KEYS.filter((k) => partitionForKey(k, 6, "goka") !== partitionForKey(k, 6, "kafka")).length).toBeGreaterThan(100);
  });
});

describe("goka topics in the runtime", () => {
  const input = defineTopic("in", codecs.string, { partitioner: "goka" });
  const out = defineTopic("out", codecs.string, { partitioner: "goka" });
  const ext = defineTopic("ext-table", codecs.string, { partitioner: "goka" });
  type Ctx = BaseContext &
    TableContext<string> &
    EmitContext<{ out: string }> &
    LoopContext<string> &
    LookupContext<{ "ext-table": string }>;
  const group = defineGroup<string>(
    {
      group: "g",
      inputs: [{ topics: [input.name], codec: input.codec, handler: "onInput", partitioner: "goka" }],
      persist: { codec: codecs.string },
      loop: { codec: codecs.string, handler: "onLoop" },
      lookups: [{ table: ext.name, codec: ext.codec, partitioner: "goka" }],
      outputs: [{ topic: out.name, codec: out.codec, partitioner: "goka" }],
      partitioner: "goka",
    },
    {
      async onInput(ctx: Ctx, msg: string) {
        ctx.setValue(`${msg}+${String(await ctx.lookup("ext-table", ctx.key))}`);
        ctx.emit("out", ctx.key, msg);
        ctx.loopback(`${ctx.key}-loop`, msg);
      },
      onLoop() {},
    },
  );

  it("emitter, emit, loopback, lookup, processor get and views all use the topic's partitioner", async () => {
    const broker = createMemoryBroker();
    for (const [topic, partitions] of [
      ["in", 6],
      ["out", 5],
      ["ext-table", 3],
      ["g-table", 6],
      ["g-loop", 6],
    ] as const) {
      await broker.createTopic({ topic, partitions, compacted: topic.endsWith("-table") });
    }
    const keys = KEYS.slice(0, 40);
    const extEmitter = createEmitter(broker, ext);
    for (const k of keys) expect((await extEmitter.emit(k, `ext-${k}`)).partition).toBe(partitionForKey(k, 3, "goka"));
    const processor = createProcessor(group, { broker, storage: createMemoryStorage() });
    await processor.start();
    const emitter = createEmitter(broker, input);
    for (const k of keys) expect((await emitter.emit(k, `v-${k}`)).partition).toBe(partitionForKey(k, 6, "goka"));
    await broker.idle();

    for (const k of keys) expect(await processor.get(k)).toBe(`v-${k}+ext-${k}`);
    const view = createView(broker, group);
    await view.start();
    for (const k of keys) expect(await view.get(k)).toBe(`v-${k}+ext-${k}`);
    await view.stop();

    const placed = (topic: string) => broker.messages(topic).map((m) => [m.key, m.partition] as const);
    expect(placed("out").length).toBe(keys.length);
    for (const [k, p] of placed("out")) expect(p).toBe(partitionForKey(k, 5, "goka"));
    expect(placed("g-loop").length).toBe(keys.length);
    for (const [k, p] of placed("g-loop")) expect(p).toBe(partitionForKey(k, 6, "goka"));
    await processor.stop();
    await emitter.close();
    await extEmitter.close();
  });
});
