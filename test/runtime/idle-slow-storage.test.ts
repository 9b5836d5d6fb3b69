/**
 * `idle()` (the memory broker's, and so the tester's `run`) waits for table
 * readers to apply what they fetched, not only for produce acks and group
 * fetchers: with a storage whose writes take a few milliseconds, a view read
 * right after `idle()` returns the fresh value.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  codecs,
  createEmitter,
  createMemoryBroker,
  createMemoryStorage,
  createView,
  defineTopic,
  type Storage,
  type View,
} from "gokac/runtime";
import { createTester, type Tester } from "gokac/runtime/testing";
import { clicks, counterGroup } from "./groups.js";

const WRITE_MS = 5;
const prices = defineTopic("prices-table", codecs.int64);

/** Memory storage whose writes (and recovery's log writes) each take `WRITE_MS` before they apply. */
function slowStorage(): Storage {
  const inner = createMemoryStorage();
  const pause = () => new Promise((resolve) => setTimeout(resolve, WRITE_MS));
  return {
    async open(topic, partition) {
      const store = await inner.open(topic, partition);
      const write = store.write.bind(store);
      store.write = async (changes, offset) => {
        await pause();
        await write(changes, offset);
      };
      const writeLog = store.writeLog?.bind(store);
      if (writeLog !== undefined) {
        store.writeLog = async (log, offset) => {
          await pause();
          await writeLog(log, offset);
        };
      }
      return store;
    },
  };
}

let view: View<bigint> | undefined;
let tester: Tester | undefined;
afterEach(async () => {
  await view?.stop();
  view = undefined;
  await tester?.close();
  tester = undefined;
});

describe("idle with a slow storage", () => {
  it("a view read right after the broker's idle() sees every emitted value", async () => {
    const broker = createMemoryBroker();
    await broker.createTopic({ topic: prices.name, partitions: 2, compacted: true });
    view = createView(broker, prices, { storage: slowStorage() });
    await view.start();
    const emitter = createEmitter(broker, prices);
    for (let round = 1n; round <= 3n; round++) {
      await emitter.emit("apple", round);
      await emitter.emit("pear", round * 10n);
      await broker.idle();
      expect(await view.get("apple")).toBe(round);
      expect(await view.get("pear")).toBe(round * 10n);
    }
    await emitter.close();
  });

  it("a view of a tester's group table read right after run() sees the group's latest writes", async () => {
    tester = createTester({ partitions: 2 });
    const counter = counterGroup();
    tester.register(counter);
    await tester.run();
    view = createView(tester.broker, counter, { storage: slowStorage() });
    await view.start();
    for (let round = 1n; round <= 3n; round++) {
      tester.consume(clicks, "alice", "click");
      tester.consume(clicks, "bob", "click");
      await tester.run();
      expect(await view.get("alice")).toBe(round);
      expect(await view.get("bob")).toBe(round);
    }
  });
});
