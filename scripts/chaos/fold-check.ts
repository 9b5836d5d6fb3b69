/**
 * The chaos checks' oracle: a counting group's table must equal the fold of
 * its input (each key's count of input messages). Both topics are read from
 * the beginning to their current end, read-committed.
 */
import { readToEnd } from "../../bench/lib/read-to-end.js";

/** What a count table holds against its input: messages `lost` (counted less) and `doubled` (counted more), summed over keys. */
export interface FoldCheck {
  /** Input messages read. */
  readonly inputs: number;
  /** Keys in the input. */
  readonly keys: number;
  readonly lost: number;
  readonly doubled: number;
  /** Keys whose count is below, and above, their input count. */
  readonly keysShort: number;
  readonly keysOver: number;
}

/** Compares the int64 count table in `table` (last value per key) with the per-key message counts of `input`. */
export async function checkCountFold(brokers: string, input: string, table: string): Promise<FoldCheck> {
  const expected = new Map<string, number>();
  let inputs = 0;
  await readToEnd(brokers, input, (key) => {
    expected.set(key, (expected.get(key) ?? 0) + 1);
    inputs++;
  });
  const counted = new Map<string, number>();
  await readToEnd(brokers, table, (key, value) => {
    if (value === null) counted.delete(key);
    else counted.set(key, Number(value.readBigInt64BE()));
  });
  let lost = 0;
  let doubled = 0;
  let keysShort = 0;
  let keysOver = 0;
  for (const key of new Set([...expected.keys(), ...counted.keys()])) {
    const diff = (counted.get(key) ?? 0) - (expected.get(key) ?? 0);
    if (diff < 0) {
      lost -= diff;
      keysShort++;
    } else if (diff > 0) {
      doubled += diff;
      keysOver++;
    }
  }
  return { inputs, keys: expected.size, lost, doubled, keysShort, keysOver };
}
