/**
 * A diagnostic contender, not gokac's processor: the accumulator written
 * directly on gokac's Kafka broker port (runtime/broker/kafka, kafkajs
 * inside) and its LevelDB table stores (runtime/storage) with the
 * architecture's batch loop — per fetched batch: read all keys at once
 * (getMany), sum, one produce of the changed keys to the same table
 * partition, one store write with the offset, one commit. Recovery reads
 * `<group>-table` with the port's partition reader into the store up to the
 * high watermark, one store write per fetch, as runtime/table does.
 *
 * It measures what the port allows, so the gap between it and the gokac
 * contender is the processor's own cost, and the gap between it and raw
 * kafkajs the port's.
 *
 * Usage: node --import tsx bench/contenders/port-accumulator.ts --brokers B --group G --input T --state-dir D --partitions N
 * Prints `READY <epoch-ms>` once its partitions are recovered; stops on SIGTERM/SIGINT.
 */
import { parseArgs } from "node:util";
// The layers under the processor (the broker port, table stores), through the package as a user would reach them.
import { createKafkaBroker, createLevelStorage, type Batch, type GroupMember, type ProduceRecord, type TableStore } from "gokac/runtime";

const { values } = parseArgs({
  options: {
    brokers: { type: "string", default: "127.0.0.1:9092" },
    group: { type: "string", default: "bench-port" },
    input: { type: "string", default: "bench-input" },
    "state-dir": { type: "string", default: "/tmp/gokac-bench-port" },
    partitions: { type: "string", default: "8" },
  },
});
const table = `${values.group}-table`;
const partitions = Number(values.partitions);

const broker = createKafkaBroker({ brokers: values.brokers, clientId: "bench-port" });
await broker.createTopic({ topic: table, partitions, compacted: true });
const producer = await broker.producer();
const storage = createLevelStorage(values["state-dir"]);
const stores = new Map<number, TableStore>();

function int64(value: bigint): Uint8Array {
  const bytes = new Uint8Array(8);
  new DataView(bytes.buffer).setBigInt64(0, value);
  return bytes;
}
function readInt64(bytes: Uint8Array): bigint {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigInt64(0);
}

/** Opens partition `p`'s store and recovers it from the stored offset to the high watermark. */
async function recover(p: number): Promise<void> {
  const store = stores.get(p) ?? (await storage.open(table, p));
  stores.set(p, store);
  let position = (await store.offset()) ?? 0;
  const high = await broker.highWatermark(table, p);
  if (position >= high) return;
  const reader = await broker.reader(table, p, position);
  if (reader.nextLog === undefined || store.writeLog === undefined)
    throw new Error("the Kafka reader and level store have nextLog/writeLog");
  try {
    // The port's recovery path (as PartitionTable uses it): log chunks straight into the store.
    while (position < high) {
      const log = await reader.nextLog(500);
      position = Math.max(position, log.next);
      if (log.length > 0) await store.writeLog(log, position);
    }
  } finally {
    await reader.close();
  }
}

let member: GroupMember | undefined;
const memberReady = new Promise<GroupMember>((resolve) => {
  const wait = setInterval(() => {
    if (member !== undefined) {
      clearInterval(wait);
      resolve(member);
    }
  }, 5);
});

/** One fetched batch: sum per key against the stored values, store, produce, commit. */
async function onBatch(batch: Batch): Promise<void> {
  const p = batch.partition;
  const store = stores.get(p);
  if (store === undefined) throw new Error(`partition ${p} has no store`);
  const keys = [...new Set(batch.messages.map((m) => m.key))];
  const stored = await store.getMany(keys);
  const sums = new Map<string, bigint>();
  keys.forEach((k, i) => {
    const v = stored[i];
    sums.set(k, v === undefined ? 0n : readInt64(v));
  });
  for (const m of batch.messages) {
    if (m.value === null) continue;
    sums.set(m.key, (sums.get(m.key) ?? 0n) + readInt64(m.value));
  }
  const records: ProduceRecord[] = [];
  const changes = new Map<string, Uint8Array>();
  for (const [key, sum] of sums) {
    const value = int64(sum);
    records.push({ topic: table, partition: p, key, value });
    changes.set(key, value);
  }
  const produced = await producer.send(records);
  await store.write(changes, Math.max(...produced.map((o) => o.offset)) + 1);
  const last = batch.messages[batch.messages.length - 1];
  if (last !== undefined) await (await memberReady).commit([{ topic: batch.topic, partition: p, offset: last.offset + 1 }]);
}

let failed: Error | undefined;
member = await broker.joinGroup({
  group: values.group,
  topics: [values.input],
  callbacks: {
    onAssigned: async (assigned) => {
      process.stdout.write(`RECOVERING ${Date.now()}\n`);
      await Promise.all(assigned.map(recover));
      process.stdout.write(`READY ${Date.now()}\n`);
    },
    onRevoked: async () => {},
    onBatch,
    onError: (error) => {
      failed = error;
      void stop();
    },
  },
});

let stopping = false;
async function stop(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await member?.leave().catch(() => undefined);
  await producer.close().catch(() => undefined);
  await broker.close().catch(() => undefined);
  await Promise.allSettled([...stores.values()].map((store) => store.close()));
  if (failed !== undefined) {
    process.stderr.write(`port-accumulator: ${failed.stack ?? failed.message}\n`);
    process.exitCode = 1;
  }
}
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());
