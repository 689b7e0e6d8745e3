/**
 * The seeded sources of src/random/rng.ts used by analysis and test code:
 * deterministic per (seed, purpose), independent across purposes and of a
 * run's replica streams, and with the moments of U(0, 1) and N(0, 1) within
 * k = 4 standard errors (seeds fixed).
 */
import { describe, expect, it } from 'vitest';
import { seededNormal, seededU32, seededUniform, Stream } from '../../src/random/rng.js';

const draw = (source: () => number, count: number) => Float64Array.from({ length: count }, source);

describe('random: seeded sources', () => {
  it('same seed and purpose give the same numbers; another seed, purpose or the replica stream do not', () => {
    const a = draw(seededUniform(7), 64);
    expect(draw(seededUniform(7), 64)).toEqual(a);
    expect(draw(seededUniform(8), 64)).not.toEqual(a);
    expect(draw(seededUniform(7, 'other'), 64)).not.toEqual(a);
    const replica = new Stream(7, 0, 0);
    expect(draw(() => replica.uniform(), 64)).not.toEqual(a);
    // seededU32 is the word stream behind seededUniform: two words per 53-bit uniform.
    const words = seededU32(7);
    const u = seededUniform(7);
    for (let i = 0; i < 16; i++) {
      const hi = words() >>> 5,
        lo = words() >>> 6;
      expect(u()).toBe((hi * 67108864 + lo + 0.5) / 9007199254740992);
    }
  });

  it('uniform draws lie in (0, 1) with mean 1/2 and variance 1/12 (4 SE)', () => {
    const n = 200_000;
    const x = draw(seededUniform(2024), n);
    let sum = 0,
      sum2 = 0,
      outside = 0;
    for (const v of x) {
      if (!(v > 0 && v < 1)) outside++;
      sum += v;
      sum2 += v * v;
    }
    expect(outside).toBe(0);
    const mean = sum / n;
    const variance = sum2 / n - mean * mean;
    expect(Math.abs(mean - 0.5)).toBeLessThan(4 * Math.sqrt(1 / 12 / n));
    // Var of (U − ½)² is 1/180.
    expect(Math.abs(variance - 1 / 12)).toBeLessThan(4 * Math.sqrt(1 / 180 / n));
  });

  it('normal draws have mean 0, variance 1 and kurtosis 3 (4 SE)', () => {
    const n = 200_000;
    const x = draw(seededNormal(11), n);
    let m1 = 0,
      m2 = 0,
      m4 = 0;
    for (const v of x) {
      m1 += v;
      m2 += v * v;
      m4 += v ** 4;
    }
    m1 /= n;
    m2 /= n;
    m4 /= n;
    expect(Math.abs(m1)).toBeLessThan(4 / Math.sqrt(n));
    // Var(X²) = 2, Var(X⁴) = 105 − 9 = 96 for N(0, 1).
    expect(Math.abs(m2 - 1)).toBeLessThan(4 * Math.sqrt(2 / n));
    expect(Math.abs(m4 - 3)).toBeLessThan(4 * Math.sqrt(96 / n));
  });
});
