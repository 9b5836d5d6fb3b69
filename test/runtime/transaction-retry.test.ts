/**
 * Exactly-once retries of a failed transaction (runtime/processor/transaction-retry.ts):
 * the pure decisions (`judgeFailure`, `judgeOutcome`), the kafkajs error
 * classification (`failureReason`), and the loop (`commitTransaction`)
 * against a scripted producer: committed with a lost answer, aborted then
 * sent again, fenced, revoked mid-retry, and the allowance spent.
 */
import { describe, expect, it } from "vitest";
import { BrokerUnreachableError, OutageGuard } from "../../runtime/broker/kafka/outage.js";
import { failureReason } from "../../runtime/broker/kafka/transactional-producer.js";
import type { ProducedOffset, ProduceRecord, TransactionalProducer, TransactionOffsets } from "../../runtime/broker/port.js";
import { TransactionFailedError } from "../../runtime/broker/transaction-failure.js";
import {
  commitTransaction,
  judgeFailure,
  judgeOutcome,
  type RetryWatch,
  type TransactionOutcomeError,
  type TransactionStep,
} from "../../runtime/processor/transaction-retry.js";

const outage = (outcome: "aborted" | "unknown") => new TransactionFailedError("outage", outcome, new Error("connection refused"));
const fenced = () => new TransactionFailedError("fenced", "unknown", new Error("producer fenced"));

describe("judgeFailure", () => {
  it("resolves outages and abortable failures, never retries fencing, stops on anything else", () => {
    expect(judgeFailure(outage("unknown"), true)).toBe("resolve");
    expect(judgeFailure(new TransactionFailedError("abortable", "aborted", new Error("x")), true)).toBe("resolve");
    expect(judgeFailure(fenced(), true)).toBe("fenced");
    expect(judgeFailure(new TransactionFailedError("other", "aborted", new Error("too large")), true)).toBe("stop");
    expect(judgeFailure(new Error("plain"), true)).toBe("stop");
    // A producer that cannot recover: the failure stops the processor as before.
    expect(judgeFailure(outage("unknown"), false)).toBe("stop");
  });
});

describe("judgeOutcome", () => {
  it("committed when every committed offset is the batch's, aborted when every one is before it", () => {
    expect(judgeOutcome([10], [10])).toBe("committed");
    expect(judgeOutcome([10, 4], [10, 4])).toBe("committed");
    expect(judgeOutcome([10], [7])).toBe("aborted");
    expect(judgeOutcome([10], [undefined])).toBe("aborted");
    expect(judgeOutcome([10, 4], [7, 3])).toBe("aborted");
  });
  it("taken over when an offset is past the batch's or they disagree; unknowable without offsets", () => {
    expect(judgeOutcome([10], [12])).toBe("taken-over");
    expect(judgeOutcome([10, 4], [10, 3])).toBe("taken-over");
    expect(judgeOutcome([], [])).toBe("unknowable");
  });
});

describe("failureReason (kafkajs errors)", () => {
  const protocol = (type: string, code: number, retriable: boolean) =>
    Object.assign(new Error(type), { name: "KafkaJSProtocolError", type, code, retriable });
  it("tells fencing, outages, abortable and other failures apart, through cause chains", () => {
    expect(failureReason(protocol("INVALID_PRODUCER_EPOCH", 47, false))).toBe("fenced");
    expect(failureReason(protocol("KAFKAJS_UNKNOWN_ERROR_CODE", 90, false))).toBe("fenced");
    expect(failureReason(protocol("NOT_COORDINATOR", 16, true))).toBe("outage");
    const refused = Object.assign(new Error("connect ECONNREFUSED"), { name: "KafkaJSConnectionError" });
    expect(failureReason(Object.assign(new Error("retries"), { name: "KafkaJSNumberOfRetriesExceeded", cause: refused }))).toBe("outage");
    expect(failureReason(protocol("OUT_OF_ORDER_SEQUENCE_NUMBER", 45, false))).toBe("abortable");
    expect(failureReason(protocol("MESSAGE_TOO_LARGE", 10, false))).toBe("other");
  });
});

/** A watch that never stops unless `stop` is set; waits for real (backoffs are short). */
function watch(state: { stopped: boolean } = { stopped: false }): RetryWatch {
  return {
    stopped: () => state.stopped,
    async wait<T>(work: Promise<T> | undefined, ms: number) {
      if (state.stopped) return "stopped" as const;
      if (work === undefined) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(ms, 5)));
        return state.stopped ? ("stopped" as const) : ("timeout" as const);
      }
      return { value: await work };
    },
  };
}

type Step = "ok" | Error;

/** A producer whose commits, re-initialisations and look-ups follow scripts; records what was called. */
function scripted(script: { commits: Step[]; reinits?: Step[]; committed?: (number | undefined)[][]; end?: number; maxOutageMs?: number }) {
  const calls: string[] = [];
  const guard = new OutageGuard(script.maxOutageMs ?? 60_000, ["test:9092"]);
  const producer: TransactionalProducer = {
    async commit(records: readonly ProduceRecord[]): Promise<ProducedOffset[]> {
      calls.push(`commit(${records.length})`);
      const next = script.commits.shift() ?? "ok";
      if (next !== "ok") throw next;
      return records.map((r, i) => ({ topic: r.topic, partition: r.partition, offset: 100 + i }));
    },
    recovery: {
      async reinitialize() {
        calls.push("reinit");
        const next = script.reinits?.shift() ?? "ok";
        if (next !== "ok") throw next;
      },
      async committed() {
        calls.push("committed");
        return script.committed?.shift() ?? [];
      },
      async end() {
        calls.push("end");
        return script.end ?? 0;
      },
      exceeded: (since, cause) => guard.exceeded("transactional producer", since, cause),
      maxOutageMs: guard.maxOutageMs,
    },
    close: async () => undefined,
  };
  return { producer, calls };
}

const records: ProduceRecord[] = [
  { topic: "out", partition: 0, key: "a", value: null },
  { topic: "g-table", partition: 0, key: "a", value: new Uint8Array([1]) },
];
const offsets: TransactionOffsets = { group: "g", offsets: [{ topic: "in", partition: 0, offset: 10 }] };
const changelog = { topic: "g-table", partition: 0 };

describe("commitTransaction", () => {
  it("sends once when the transaction commits", async () => {
    const { producer, calls } = scripted({ commits: ["ok"] });
    const result = await commitTransaction(producer, records, offsets, watch(), changelog);
    expect(result.kind).toBe("sent");
    expect(calls).toEqual(["commit(2)"]);
  });

  it("answer lost after the commit: re-initialises, finds the offsets committed, does not send again, looks up the changelog end", async () => {
    const { producer, calls } = scripted({ commits: [outage("unknown")], committed: [[10]], end: 57 });
    const result = await commitTransaction(producer, records, offsets, watch(), changelog);
    expect(result).toEqual({ kind: "committed", changelogEnd: 57 });
    expect(calls).toEqual(["commit(2)", "reinit", "committed", "end"]);
  });

  it("commit outcome unknown but it was aborted: sends the same records again in the new epoch", async () => {
    const { producer, calls } = scripted({ commits: [outage("unknown"), "ok"], committed: [[7]] });
    const result = await commitTransaction(producer, records, offsets, watch(), changelog);
    expect(result.kind).toBe("sent");
    expect(calls).toEqual(["commit(2)", "reinit", "committed", "commit(2)"]);
  });

  it("reports every step it took, timed, with the attempt count and outcome (the transaction-retry event)", async () => {
    const { producer } = scripted({ commits: [outage("aborted"), "ok"], reinits: [outage("unknown"), "ok"] });
    const settled: { outcome: string; attempts: number; steps: readonly TransactionStep[] }[] = [];
    const w: RetryWatch = { ...watch(), settled: (outcome, attempts, _ms, _error, steps) => settled.push({ outcome, attempts, steps }) };
    await commitTransaction(producer, records, offsets, w, changelog);
    expect(settled).toHaveLength(1);
    expect(settled[0]!.outcome).toBe("resent");
    expect(settled[0]!.attempts).toBe(3);
    expect(settled[0]!.steps.map((s) => [s.step, s.ok])).toEqual([
      ["first", false],
      ["reinitialize", false],
      ["backoff", true],
      ["reinitialize", true],
      ["commit", true],
    ]);
    expect(settled[0]!.steps.every((s) => s.ms >= 0)).toBe(true);
  });

  it("failed before the commit was asked for (known aborted): no look-up, re-initialises and sends again; rides a failing re-init", async () => {
    const { producer, calls } = scripted({ commits: [outage("aborted"), "ok"], reinits: [outage("unknown"), "ok"] });
    const result = await commitTransaction(producer, records, offsets, watch(), changelog);
    expect(result.kind).toBe("sent");
    expect(calls).toEqual(["commit(2)", "reinit", "reinit", "commit(2)"]);
  });

  it("fenced: never retried, whether on the first attempt or after re-initialising", async () => {
    const first = scripted({ commits: [fenced()] });
    const r1 = await commitTransaction(first.producer, records, offsets, watch(), changelog);
    expect(r1.kind).toBe("failed");
    expect((r1 as { error: TransactionFailedError }).error.reason).toBe("fenced");
    expect(first.calls).toEqual(["commit(2)"]);

    const later = scripted({ commits: [outage("aborted"), fenced(), "ok"] });
    const r2 = await commitTransaction(later.producer, records, offsets, watch(), changelog);
    expect(r2.kind).toBe("failed");
    expect((r2 as { error: TransactionFailedError }).error.reason).toBe("fenced");
    expect(later.calls).toEqual(["commit(2)", "reinit", "commit(2)"]);
  });

  it("the group's offsets past the batch (another instance processed it): stops without sending again", async () => {
    const { producer, calls } = scripted({ commits: [outage("unknown")], committed: [[15]] });
    const result = await commitTransaction(producer, records, offsets, watch(), changelog);
    expect(result.kind).toBe("failed");
    expect((result as { error: TransactionOutcomeError }).error.code).toBe("TRANSACTION_UNRESOLVED");
    expect(calls).toEqual(["commit(2)", "reinit", "committed"]);
  });

  it("a transaction without input offsets whose outcome is unknown cannot be settled: stops", async () => {
    const { producer } = scripted({ commits: [outage("unknown")] });
    const result = await commitTransaction(producer, records, undefined, watch(), changelog);
    expect((result as { error: TransactionOutcomeError }).error.verdict).toBe("unknowable");
  });

  it("revoked (or stopping) while retrying: abandons at once, nothing sent again", async () => {
    const state = { stopped: false };
    const { producer, calls } = scripted({ commits: [outage("aborted")], reinits: [outage("unknown"), outage("unknown"), "ok"] });
    const w = watch(state);
    const stopping: RetryWatch = {
      stopped: w.stopped,
      wait: (work, ms) => {
        // Revoked during the first backoff.
        if (work === undefined) state.stopped = true;
        return w.wait(work, ms);
      },
    };
    const result = await commitTransaction(producer, records, offsets, stopping, changelog);
    expect(result.kind).toBe("abandoned");
    expect(calls).toEqual(["commit(2)", "reinit"]);
  });

  it("past the outage allowance: gives up with BROKER_UNREACHABLE", async () => {
    const always = Array.from({ length: 1_000 }, () => outage("unknown"));
    const { producer } = scripted({ commits: [outage("aborted")], reinits: always, maxOutageMs: 300 });
    const result = await commitTransaction(producer, records, offsets, watch(), changelog);
    expect(result.kind).toBe("failed");
    const error = (result as { error: BrokerUnreachableError }).error;
    expect(error).toBeInstanceOf(BrokerUnreachableError);
    expect(error.code).toBe("BROKER_UNREACHABLE");
  });

  it("without recovery support (or a watch) a failed transaction fails at once, as before", async () => {
    const { producer, calls } = scripted({ commits: [outage("unknown")] });
    const result = await commitTransaction(producer, records, offsets, undefined, changelog);
    expect(result.kind).toBe("failed");
    expect(calls).toEqual(["commit(2)"]);
  });
});
