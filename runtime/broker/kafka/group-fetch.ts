/**
 * Group members' fetches decoded leanly (docs/runtime.md, "Memory").
 *
 * kafkajs's consumer decodes a whole Fetch response into one object per
 * record (offset and timestamp as strings through a 64-bit Long, key and
 * value as Buffer slices, a headers object, batch context), then copies the
 * records of each partition twice more while filtering (`Batch`), and the
 * member converted every record once more into a port message. That garbage,
 * about 20 times the bytes fetched, was most of a processor's heap.
 *
 * Here a member's consumer keeps kafkajs for everything but the decoding:
 * its Fetch request goes out as kafkajs builds it (version 11, read
 * committed), and the response body is walked once by fetch-decoder.ts
 * straight into port messages (values are views of the response, keys
 * strings). kafkajs still sees a response of its own shape, so its fetch
 * loop, offsets, pauses and errors work unchanged: each partition's records
 * are one stand-in message (`DecodedRecords`) carrying the port messages and
 * the offset of the last one, plus a control-record stand-in at the last
 * offset the response covered when control batches or aborted transactions
 * follow, so kafkajs resolves past them as it does for its own decoding.
 * `decodedMessagesOf` hands the port messages to the member's `eachBatch`.
 *
 * What this decoder does not handle (old message formats: `NeedsFullDecoder`,
 * another Fetch version) goes to kafkajs's decoder as before; so does a
 * client whose internals are not the pinned kafkajs's.
 */
import { createRequire } from "node:module";
import type { Kafka } from "kafkajs";
import type { BrokerMessage } from "../port.js";
import { decodeInputMessages, NeedsFullDecoder, readAbortedTransactions } from "./fetch-decoder.js";
import { swapRequestBuilder } from "./kafkajs-internals.js";

const require = createRequire(import.meta.url);
/** kafkajs's Fetch v11 response module: the fallback decoder, and the error checks of a decoded response. */
const fetchV11Response = require("kafkajs/src/protocol/requests/fetch/v11/response.js") as {
  decode(payload: Buffer): Promise<unknown>;
  parse(data: unknown): Promise<unknown>;
};
/** The Fetch request's API key. */
const FETCH = 1;
const LEAN_VERSION = 11;

/**
 * A stand-in kafkajs message: the decoded records of one partition of a
 * fetch (`messages`, not empty), at the offset of the last of them; or, with
 * `isControlRecord` and no messages, the last offset a response covered past
 * them. The other fields are what kafkajs's message shape has.
 */
export class DecodedRecords {
  readonly key = null;
  readonly value = null;
  readonly headers = {};
  readonly timestamp = "0";
  readonly magicByte = 2;
  readonly attributes = 0;

  constructor(
    /** The offset as kafkajs keeps it: a decimal string. */
    readonly offset: string,
    readonly isControlRecord: boolean,
    readonly messages: readonly BrokerMessage[],
  ) {}
}

const NONE: readonly BrokerMessage[] = Object.freeze([]);

/** The port messages of a kafkajs batch this module decoded (`batch.messages`), or `undefined` if kafkajs decoded it. */
export function decodedMessagesOf(batchMessages: readonly unknown[]): readonly BrokerMessage[] | undefined {
  const first = batchMessages[0];
  return batchMessages.length === 1 && first instanceof DecodedRecords && !first.isControlRecord ? first.messages : undefined;
}

/** The stand-ins for one partition's decoded records: `[records]`, `[records, control at next - 1]`, `[control at next - 1]` or `[]`. */
function standIns(messages: readonly BrokerMessage[], from: number, next: number): DecodedRecords[] {
  const last = messages[messages.length - 1];
  const list: DecodedRecords[] = [];
  if (last !== undefined) list.push(new DecodedRecords(String(last.offset), false, messages));
  const covered = next - 1;
  if (covered >= from && (last === undefined || covered > last.offset)) list.push(new DecodedRecords(String(covered), true, NONE));
  return list;
}

/** A partition of a Fetch response in kafkajs's decoded shape (fetch/v11/response.js). */
export interface KafkaJsFetchPartition {
  readonly partition: number;
  readonly errorCode: number;
  readonly highWatermark: string;
  readonly lastStableOffset: string;
  readonly lastStartOffset: string;
  readonly abortedTransactions: readonly never[];
  readonly preferredReadReplica: number;
  readonly messages: readonly DecodedRecords[];
}

/** A Fetch response in kafkajs's decoded shape. */
export interface KafkaJsFetchResponse {
  readonly throttleTime: 0;
  readonly clientSideThrottleTime: number;
  readonly errorCode: number;
  readonly sessionId: number;
  readonly responses: readonly { readonly topicName: string; readonly partitions: readonly KafkaJsFetchPartition[] }[];
}

/** Where each fetched partition starts: topic → partition → offset. */
export type FetchOffsets = ReadonlyMap<string, ReadonlyMap<number, number>>;

/**
 * Decodes a Fetch v11 response body (after the correlation id) into kafkajs's
 * shape with `DecodedRecords` stand-ins: every partition's records from the
 * offset it was fetched at (`offsets`; 0 if absent), control batches and
 * aborted transactions skipped. Throws `NeedsFullDecoder` for old message
 * formats, `RecordDecodeError` for a batch that does not decompress.
 */
export function decodeGroupFetch(payload: Buffer, offsets: FetchOffsets): KafkaJsFetchResponse {
  const clientSideThrottleTime = payload.readInt32BE(0);
  const errorCode = payload.readInt16BE(4);
  const sessionId = payload.readInt32BE(6);
  let at = 10;
  const topics = payload.readInt32BE(at);
  at += 4;
  const responses: { topicName: string; partitions: KafkaJsFetchPartition[] }[] = [];
  for (let t = 0; t < topics; t++) {
    const nameLength = payload.readInt16BE(at);
    at += 2;
    const topicName = payload.toString("utf8", at, at + nameLength);
    at += nameLength;
    const count = payload.readInt32BE(at);
    at += 4;
    const partitions: KafkaJsFetchPartition[] = [];
    for (let p = 0; p < count; p++) {
      const partition = payload.readInt32BE(at);
      const partitionError = payload.readInt16BE(at + 4);
      const highWatermark = payload.readBigInt64BE(at + 6).toString();
      const lastStableOffset = payload.readBigInt64BE(at + 14).toString();
      const lastStartOffset = payload.readBigInt64BE(at + 22).toString();
      at += 30;
      const abortedCount = payload.readInt32BE(at);
      at += 4;
      const aborted = readAbortedTransactions(payload, at, abortedCount);
      at += Math.max(0, abortedCount) * 16;
      const preferredReadReplica = payload.readInt32BE(at);
      at += 4;
      const length = payload.readInt32BE(at);
      at += 4;
      const records = length < 0 ? null : payload.subarray(at, at + length);
      at += Math.max(0, length);
      const from = offsets.get(topicName)?.get(partition) ?? 0;
      const decoded =
        partitionError === 0 ? decodeInputMessages(records, from, topicName, partition, aborted) : { messages: NONE, next: from };
      partitions.push({
        partition,
        errorCode: partitionError,
        highWatermark,
        lastStableOffset,
        lastStartOffset,
        abortedTransactions: [],
        preferredReadReplica,
        messages: standIns(decoded.messages, from, decoded.next),
      });
    }
    responses.push({ topicName, partitions });
  }
  return { throttleTime: 0, clientSideThrottleTime, errorCode, sessionId, responses };
}

/**
 * A Fetch v11 response body as kafkajs's consumer wants it parsed:
 * `decodeGroupFetch`, or kafkajs's own decoder for what that does not handle
 * (old message formats); then kafkajs's checks, which throw the first
 * partition's error as kafkajs's error (`OFFSET_OUT_OF_RANGE` included).
 */
export async function parseGroupFetch(payload: Buffer, offsets: FetchOffsets): Promise<unknown> {
  let decoded: unknown;
  try {
    decoded = decodeGroupFetch(payload, offsets);
  } catch (error) {
    if (!(error instanceof NeedsFullDecoder)) throw error;
    decoded = await fetchV11Response.decode(payload);
  }
  return fetchV11Response.parse(decoded);
}

/** What kafkajs's Fetch request builder takes (the part read here). */
interface FetchArgs {
  readonly topics: readonly { readonly topic: string; readonly partitions: readonly { partition: number; fetchOffset: string }[] }[];
}

/** A protocol request as kafkajs's request builders return it. */
interface ProtocolRequest {
  readonly request: { readonly apiVersion: number };
  readonly response: { decode(payload: Buffer): Promise<unknown>; parse(data: unknown): Promise<unknown> };
}

type RequestBuilder = (args: FetchArgs) => ProtocolRequest;

function fetchOffsetsOf(args: FetchArgs): FetchOffsets {
  const offsets = new Map<string, Map<number, number>>();
  for (const { topic, partitions } of args.topics) {
    const byPartition = offsets.get(topic) ?? new Map<number, number>();
    offsets.set(topic, byPartition);
    for (const p of partitions) byPartition.set(p.partition, Number(p.fetchOffset));
  }
  return offsets;
}

/** The kafkajs Fetch request `build` makes, its response decoded by `decodeGroupFetch` (kafkajs's decoder for what that does not handle). */
function leanFetchBuilder(build: RequestBuilder): RequestBuilder {
  return (args) => {
    const built = build(args);
    if (built.request.apiVersion !== LEAN_VERSION) return built;
    const offsets = fetchOffsetsOf(args);
    return {
      ...built,
      response: {
        // kafkajs reads clientSideThrottleTime of what decode returns (KIP-219) before parse.
        decode: (payload: Buffer) => Promise.resolve({ payload, clientSideThrottleTime: payload.readInt32BE(0) }),
        parse: (data: unknown) => parseGroupFetch((data as { payload: Buffer }).payload, offsets),
      },
    };
  };
}

/**
 * Makes the next consumer `kafka` creates decode its Fetch responses with
 * `decodeGroupFetch`; its `eachBatch` then finds the port messages with
 * `decodedMessagesOf`. `kafka` must be a client used for one consumer only.
 */
export function leanGroupFetches(kafka: Kafka): void {
  swapRequestBuilder<RequestBuilder>(kafka, "fetch", FETCH, leanFetchBuilder);
}
