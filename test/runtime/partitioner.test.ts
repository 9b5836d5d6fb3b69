import { describe, expect, it } from "vitest";
import { murmur2, partitionForKey } from "gokac/runtime";

const utf8 = (s: string) => new TextEncoder().encode(s);

describe("Kafka's default partitioner", () => {
  it("murmur2 matches Kafka's Utils.murmur2 test vectors", () => {
    const cases: [string, number][] = [
      ["21", -973932308],
      ["foobar", -790332482],
      ["a-little-bit-long-string", -985981536],
      ["a-little-bit-longer-string", -1486304829],
      ["lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", -58897971],
      ["abc", 479470107],
    ];
    for (const [input, hash] of cases) expect(murmur2(utf8(input))).toBe(hash);
  });

  it("partitions by toPositive(murmur2) % n", () => {
    expect(partitionForKey("foobar", 10)).toBe((-790332482 & 0x7fffffff) % 10);
    expect(partitionForKey(utf8("abc"), 7)).toBe(479470107 % 7);
    for (let i = 0; i < 100; i++) {
      const p = partitionForKey(`key-${i}`, 8);
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThan(8);
    }
    expect(() => partitionForKey("x", 0)).toThrow(RangeError);
  });
});
