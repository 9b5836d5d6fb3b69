/**
 * Checks a contender's result: reads a table's changelog to its end and
 * compares every key's last value with the sum the seeded input implies, so
 * a fast but wrong accumulator cannot pass as a result.
 */
import { benchKey } from "./keys.js";
import { readToEnd } from "./read-to-end.js";
import { expectedSum } from "./seed.js";

/** What the check found: `wrong` keys hold another value, `missing` keys none. */
export interface TableCheck {
  readonly records: number;
  readonly wrong: number;
  readonly missing: number;
}

/** Reads `changelog` from the beginning to its high watermarks; last value per key. */
async function readTable(brokers: string, changelog: string): Promise<{ values: Map<string, Buffer | null>; records: number }> {
  const values = new Map<string, Buffer | null>();
  let records = 0;
  await readToEnd(brokers, changelog, (key, value) => {
    values.set(key, value);
    records++;
  });
  return { values, records };
}

/** Compares the table in `changelog` with the sums of `messages` seeded messages over `keys` keys. */
export async function verifyAccumulator(brokers: string, changelog: string, messages: number, keys: number): Promise<TableCheck> {
  const { values, records } = await readTable(brokers, changelog);
  let wrong = 0;
  let missing = 0;
  for (let k = 0; k < keys; k++) {
    const value = values.get(benchKey(k));
    if (value === undefined || value === null) missing++;
    else if (value.length !== 8 || value.readBigInt64BE() !== expectedSum(k, messages, keys)) wrong++;
  }
  return { records, wrong, missing };
}
