/**
 * The ladder re-placement of replica-exchange adaptation (src/runs/exchange-adapt.ts):
 * the communication barrier, the monotone interpolation, fixed points and end rungs.
 */
import { describe, expect, it } from 'vitest';
import { adaptLadder, communicationBarrier, monotoneCubic, REJECTION_FLOOR } from '../../src/runs/exchange-adapt.js';

describe('ladder adaptation', () => {
  it('Λ is the cumulative sum of the rejection rates, floored so that it increases strictly', () => {
    expect(communicationBarrier([0.5, 0.25, 0])).toEqual([0, 0.5, 0.75, 0.75 + REJECTION_FLOOR]);
  });

  it('the monotone cubic passes through its points, is exact on a line and never overshoots', () => {
    const f = monotoneCubic([0, 1, 3], [2, 4, 8]);
    expect(f(0)).toBe(2);
    expect(f(1)).toBe(4);
    expect(f(3)).toBe(8);
    expect(f(2)).toBeCloseTo(6, 12);
    // A step: a cubic spline would overshoot above 1 and below 0; the monotone one stays inside.
    const g = monotoneCubic([0, 1, 2, 3], [0, 0, 1, 1]);
    for (let x = 0; x <= 3; x += 0.01) {
      expect(g(x)).toBeGreaterThanOrEqual(0);
      expect(g(x)).toBeLessThanOrEqual(1);
      expect(g(x + 0.01)).toBeGreaterThanOrEqual(g(x) - 1e-15);
    }
  });

  it('equal rejection rates leave the ladder where it is (log and linear space); the end rungs are kept bit for bit', () => {
    const geometric = [0.1, 0.1 * 10 ** 0.25, 0.1 * 10 ** 0.5, 0.1 * 10 ** 0.75, 1];
    const log = adaptLadder(geometric, [0.3, 0.3, 0.3, 0.3], 'log');
    log.forEach((v, k) => expect(v).toBeCloseTo(geometric[k], 12));
    const linear = adaptLadder([1, 2, 3, 4], [0.2, 0.2, 0.2], 'linear');
    linear.forEach((v, k) => expect(v).toBeCloseTo([1, 2, 3, 4][k], 12));
    const moved = adaptLadder([0.1, 0.11, 0.125, 0.3, 1], [0.05, 0.1, 0.6, 0.9], 'log');
    expect(moved[0]).toBe(0.1);
    expect(moved[4]).toBe(1);
  });

  it('moves rungs towards the pairs that reject most: equal steps of Λ along a piecewise-linear barrier', () => {
    // Three rungs, rejections 0.1 then 0.3: Λ = 0, 0.1, 0.4; the middle rung goes to Λ = 0.2,
    // between the old rungs 1 and 2 (u = 1 … 2 in linear space), a third of the way, where the interpolant is monotone.
    const [a, b, c] = adaptLadder([0, 1, 2], [0.1, 0.3], 'linear');
    expect(a).toBe(0);
    expect(c).toBe(2);
    expect(b).toBeGreaterThan(1);
    expect(b).toBeLessThan(2);
    // The new ladder is strictly monotone even where a pair accepted everything.
    const r = adaptLadder([0.1, 0.2, 0.4, 0.8, 1.6], [0, 0, 0, 0.9], 'log');
    for (let k = 1; k < r.length; k++) expect(r[k]).toBeGreaterThan(r[k - 1]);
    // Decreasing ladders (rung 0 the hottest) work the same way.
    const d = adaptLadder([1.6, 0.8, 0.4, 0.2, 0.1], [0.9, 0, 0, 0], 'log');
    for (let k = 1; k < d.length; k++) expect(d[k]).toBeLessThan(d[k - 1]);
    expect(d[1]).toBeGreaterThan(0.8);
  });

  it('refuses rejection lists of the wrong length and non-positive values in log space', () => {
    expect(() => adaptLadder([0.1, 0.2, 0.4], [0.1], 'log')).toThrow(/3 rungs need 2/);
    expect(() => adaptLadder([0, 0.2, 0.4], [0.1, 0.1], 'log')).toThrow(/values > 0/);
  });
});
