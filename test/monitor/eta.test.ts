/** Recovery ETA: with a steady rate, the estimate is within 20% of the real remaining time once 10% is recovered. */
import { describe, expect, it } from "vitest";
import { RecoveryEta } from "gokac/runtime";
import { prng } from "../prng.js";

describe("RecoveryEta", () => {
  it("is within 20% of the real remaining time from 10% recovered on, at a steady rate with jittery fetches", () => {
    const random = prng(13);
    let clock = 1_000_000;
    const eta = new RecoveryEta({ now: () => clock });
    const hwm = 1_000_000;
    const rate = 50_000; // offsets per second
    eta.begin(0);
    let offset = 0;
    let checked = 0;
    while (offset < hwm) {
      // Fetches of 2000..8000 offsets, each at the steady rate.
      const step = Math.min(hwm - offset, 2000 + Math.floor(random() * 6000));
      offset += step;
      clock += (step / rate) * 1000;
      eta.update(offset, hwm);
      if (offset >= hwm * 0.1 && offset < hwm) {
        const real = (hwm - offset) / rate;
        const estimate = eta.etaSeconds;
        expect(estimate).toBeDefined();
        expect(Math.abs(estimate! - real) / real).toBeLessThanOrEqual(0.2);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
    expect(eta.etaSeconds).toBe(0);
  });

  it("follows a rate change within a few half-lives", () => {
    let clock = 0;
    const eta = new RecoveryEta({ now: () => clock, halfLifeSeconds: 2 });
    eta.begin(0);
    let offset = 0;
    const advance = (rate: number, seconds: number) => {
      for (let i = 0; i < seconds * 10; i++) {
        offset += rate / 10;
        clock += 100;
        eta.update(offset, 10_000_000);
      }
    };
    advance(10_000, 20);
    expect(eta.rate).toBeCloseTo(10_000, -2);
    advance(1_000, 20);
    // Ten half-lives later the average is within 1% of the new rate (9000 / 2^10 off).
    expect(Math.abs(eta.rate! - 1_000) / 1_000).toBeLessThan(0.01);
  });

  it("has no estimate before a rate is known", () => {
    const eta = new RecoveryEta({ now: () => 0 });
    eta.update(10, 100);
    expect(eta.etaSeconds).toBeUndefined();
    expect(eta.remaining).toBe(90);
  });
});
