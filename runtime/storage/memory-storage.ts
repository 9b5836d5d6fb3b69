/**
 * Table stores in memory. Contents survive close and reopen within one
 * `createMemoryStorage()` (like a disk), so restarts can be tested without files.
 */
import type { LogChunk } from "../broker/port.js";
import { recordHash } from "./state-errors.js";
import type { Storage, TableChanges, TableStore } from "./storage.js";

interface PartitionData {
  readonly values: Map<string, Uint8Array>;
  offset: number | undefined;
  anchor: number | undefined;
  open: boolean;
}

/** A `Storage` in memory; everything is lost when it is garbage collected. */
export function createMemoryStorage(): Storage {
  const partitions = new Map<string, PartitionData>();
  return {
    async open(topic, partition) {
      const id = `${topic}/${partition}`;
      let data = partitions.get(id);
      if (data === undefined) {
        data = { values: new Map(), offset: undefined, anchor: undefined, open: false };
        partitions.set(id, data);
      }
      if (data.open) throw new Error(`memory storage: ${id} is already open`);
      data.open = true;
      return memoryStore(data);
    },
    async remove(topic, partition) {
      const id = `${topic}/${partition}`;
      if (partitions.get(id)?.open === true) throw new Error(`memory storage: ${id} is open`);
      partitions.delete(id);
    },
  };
}

function memoryStore(data: PartitionData): TableStore {
  return {
    offset: async () => data.offset,
    anchor: async () => data.anchor,
    get: async (key) => data.values.get(key),
    getSync: (key) => data.values.get(key),
    getMany: async (keys) => keys.map((key) => data.values.get(key)),
    async write(changes: TableChanges, offset: number) {
      for (const [key, value] of changes) {
        if (value === null) data.values.delete(key);
        else data.values.set(key, value);
        data.anchor = recordHash(key, value);
      }
      data.offset = offset;
    },
    async writeLog(log: LogChunk, offset: number) {
      for (let i = 0; i < log.length; i++) {
        const value = log.value(i);
        if (value === null) data.values.delete(log.key(i));
        // A copy: a reader's values may be views into a whole fetched response, which the store would keep alive.
        else data.values.set(log.key(i), value.slice());
      }
      if (log.length > 0) data.anchor = recordHash(log.key(log.length - 1), log.value(log.length - 1));
      data.offset = offset;
    },
    async *entries() {
      const keys = [...data.values.keys()].sort();
      for (const key of keys) {
        const value = data.values.get(key);
        if (value !== undefined) yield [key, value] as const;
      }
    },
    async close() {
      data.open = false;
    },
  };
}
