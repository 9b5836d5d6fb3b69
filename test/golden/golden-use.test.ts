/**
 * The golden outputs in use, not only as text: the committed `expected/`
 * modules load against the runtime, their topic codecs round-trip values and
 * refuse values that break the schema (so `schemas` in types.ts are
 * self-contained, `$defs` and draft 2020-12 schema files included), a custom
 * codec module is wired in as is, and each group binds its handlers.
 */
import { describe, expect, it } from "vitest";
import * as full from "./full/expected/index.js";
import * as fullTopics from "./full/expected/topics.js";
import * as multiple from "./multiple-inputs/expected/index.js";
import * as multipleTopics from "./multiple-inputs/expected/topics.js";
import * as stateless from "./stateless/expected/index.js";

function roundTrip<V>(codec: { encode(v: V): Uint8Array; decode(d: Uint8Array): V }, value: V): V {
  return codec.decode(codec.encode(value));
}

describe("golden outputs in use", () => {
  it("a JSON-typed topic round-trips a valid value and refuses an invalid one", () => {
    const click = { page: "/home", at: 1, kind: "ad" as const, element: null, position: [1, 2] as [number, number] };
    expect(roundTrip(fullTopics.userClicks.codec, click)).toEqual(click);
    expect(() => fullTopics.userClicks.codec.encode({ ...click, kind: "other" } as never)).toThrow();
    expect(() => fullTopics.userClicks.codec.encode({ ...click, extra: 1 } as never)).toThrow();
    expect(() => fullTopics.userClicks.codec.decode(new TextEncoder().encode(`{"page":"/"}`))).toThrow();
  });

  it("a type referring to other types validates through its own $defs", () => {
    const page = { level: "page" as const, who: [{ name: "ann", age: null }] };
    expect(roundTrip(fullTopics.alerts.codec, page)).toEqual(page);
    // User (reached through $defs) requires name and allows no other keys
    expect(() => fullTopics.alerts.codec.encode({ level: "page", who: [{ age: 3 }] } as never)).toThrow();
    expect(() => fullTopics.alerts.codec.encode({ level: "page", who: [{ name: "a", nick: "b" }] } as never)).toThrow();
    const count = { total: 2, byKind: { ad: 2 }, last: { page: "/", at: 2, kind: "promo" as const } };
    expect(roundTrip(fullTopics.clicksTable.codec, count)).toEqual(count);
    expect(() => fullTopics.clicksTable.codec.encode({ total: 1, byKind: {}, last: { page: "/" } } as never)).toThrow();
  });

  it("a type from a draft 2020-12 schema file validates", () => {
    const entry = { user: "u1", action: "pay" as const, amount: 12.5 };
    expect(roundTrip(fullTopics.audit.codec, entry)).toEqual(entry);
    expect(() => fullTopics.audit.codec.encode({ user: "u1", action: "delete" } as never)).toThrow();
  });

  it("a custom codec module is used as is, and primitive codecs come from the runtime", () => {
    expect(roundTrip(fullTopics.payments.codec, { cents: 1234n, currency: "EUR" })).toEqual({ cents: 1234n, currency: "EUR" });
    expect(fullTopics.payments.codec.name).toBe("money");
    expect(roundTrip(fullTopics.geoTable.codec, "Hamburg")).toBe("Hamburg");
    expect(roundTrip(multipleTopics.pageViews.codec, new Uint8Array([1, 2]))).toEqual(new Uint8Array([1, 2]));
    expect(roundTrip(multipleTopics.clickCounterTable.codec, true)).toBe(true);
  });

  it("topicsByName lists every topic under its Kafka name", () => {
    for (const [name, topic] of Object.entries(fullTopics.topicsByName)) expect(topic.name).toBe(name);
    expect(Object.keys(fullTopics.topicsByName)).toEqual(
      expect.arrayContaining(["user-clicks", "clicks-table", "clicks-loop", "geo-table"]),
    );
  });

  it("each group binds a function for every handler its graph names", () => {
    const all = [...full.groups, ...multiple.groups, ...stateless.groups];
    expect(all.map((g) => g.graph.group)).toEqual(["clicks", "click-counter", "forwarder"]);
    for (const g of all) {
      const names = [
        ...g.graph.inputs.map((i) => i.handler),
        ...(g.graph.loop ? [g.graph.loop.handler] : []),
        ...(g.graph.visitors ?? []).map((v) => v.handler),
      ];
      expect(Object.keys(g.handlers).sort()).toEqual([...names].sort());
      for (const name of names) expect(typeof g.handlers[name]).toBe("function");
    }
    const [clicks] = full.groups;
    expect(clicks.graph.inputs.map((i) => i.topics)).toEqual([["user-clicks"], ["payments"]]);
    expect(clicks.graph.partitions).toBe(8);
    expect(multiple.groups[0].graph.inputs[0]?.topics).toEqual(["ad-clicks", "promo-clicks"]);
    expect(stateless.groups[0].graph.persist).toBeUndefined();
  });
});
