/**
 * The bootstrap of a difference of means (src/stats/bootstrap.ts behind
 * bootstrapMeanDifference): its replicates against a plain loop over the
 * seeded word stream, its standard error against the exact bootstrap variance
 * (a closed form), and the coverage of its percentile interval on synthetic
 * pairs with a known difference.
 */
import { describe, expect, it } from 'vitest';
import { seededU32 } from '../../src/random/rng.js';
import { bootstrapMeanReplicates, bootstrapMeanReplicatesFrom } from '../../src/stats/bootstrap.js';
import { bootstrapMeanDifference } from '../../src/stats/compare.js';
import { normals, uniformSource } from '../helpers.js';

/** The resampling loop written plainly: one call of the word stream per pick, index ⌊w·n/2³²⌋. */
function referenceReplicates(a: ArrayLike<number>, b: ArrayLike<number>, B: number, paired: boolean, pick: (n: number) => number) {
  const out = new Float64Array(B);
  for (let r = 0; r < B; r++) {
    if (paired) {
      let s = 0;
      for (let k = 0; k < a.length; k++) {
        const i = pick(a.length);
        s += b[i]! - a[i]!;
      }
      out[r] = s / a.length;
    } else {
      let sa = 0;
      for (let k = 0; k < a.length; k++) sa += a[pick(a.length)]!;
      let sb = 0;
      for (let k = 0; k < b.length; k++) sb += b[pick(b.length)]!;
      out[r] = sb / b.length - sa / a.length;
    }
  }
  return out;
}

/** Plug-in (divisor n) variance: the variance of one draw from the empirical distribution. */
const plugVar = (x: Float64Array) => {
  const m = x.reduce((s, y) => s + y, 0) / x.length;
  return x.reduce((s, y) => s + (y - m) ** 2, 0) / x.length;
};

describe('bootstrap replicates', () => {
  it('bit-identical to a plain loop over seededU32 (unpaired and paired; odd sizes; seeds 0, 12345, 2³² − 1; a caller’s uniform source)', () => {
    const u = uniformSource(31);
    for (const [nA, nB] of [
      [1, 1],
      [7, 13],
      [200, 200],
      [101, 57],
    ] as const) {
      const a = normals(u, nA, 0, 3);
      const b = normals(u, nB, 1, 0.5);
      for (const seed of [0, 12345, 4294967295]) {
        const w = seededU32(seed);
        const ref = referenceReplicates(a, b, 301, false, (n) => Math.floor((w() * n) / 4294967296));
        expect(bootstrapMeanReplicates(a, b, 301, false, seed)).toEqual(ref);
        if (nA === nB) {
          const wp = seededU32(seed);
          const refP = referenceReplicates(a, b, 301, true, (n) => Math.floor((wp() * n) / 4294967296));
          expect(bootstrapMeanReplicates(a, b, 301, true, seed)).toEqual(refP);
        }
      }
      // a caller's uniform source: index min(n − 1, ⌊u·n⌋)
      const u1 = uniformSource(5);
      const u2 = uniformSource(5);
      const ref = referenceReplicates(a, b, 101, false, (n) => Math.min(n - 1, Math.floor(u1() * n)));
      expect(bootstrapMeanReplicatesFrom(a, b, 101, false, u2)).toEqual(ref);
    }
  });

  it('SE against the exact bootstrap SE √(σ̂²_A/n_A + σ̂²_B/n_B) (plug-in variances), unpaired and paired, within 4σ of the Monte Carlo error', () => {
    // With B resamples the SE's relative Monte Carlo error is ≈ 1/√(2(B − 1)) (the replicates are near normal):
    // 0.0071 at B = 9999; k = 4. A bootstrap that resampled with divisor n − 1, dropped one sample's spread or
    // reused indices between the samples would be off by ≥ 5 %.
    const B = 9999;
    const tol = 4 / Math.sqrt(2 * (B - 1));
    const u = uniformSource(77);
    const a = normals(u, 120, 0, 1);
    const b = Float64Array.from(normals(u, 90, 0, 1), (x) => Math.exp(x)); // skewed
    const r = bootstrapMeanDifference(a, b, { resamples: B, seed: 3 });
    const exact = Math.sqrt(plugVar(a) / a.length + plugVar(b) / b.length);
    expect(Math.abs(r.se / exact - 1)).toBeLessThan(tol);
    // the replicates' mean is the observed difference (the bootstrap distribution is centred on it): within 4 SE/√B
    const reps = bootstrapMeanReplicates(a, b, B, false, 3);
    const m = reps.reduce((s, x) => s + x, 0) / B;
    expect(Math.abs(m - r.difference)).toBeLessThan((4 * exact) / Math.sqrt(B));
    // paired: the exact SE is that of the per-replica differences
    const c = Float64Array.from(a, (x, i) => 0.8 * x + 0.3 * normals(u, 1)[0]! + (i % 3));
    const p = bootstrapMeanDifference(a, c, { resamples: B, seed: 4, paired: true });
    const d = Float64Array.from(a, (x, i) => c[i]! - x);
    expect(Math.abs(p.se / Math.sqrt(plugVar(d) / d.length) - 1)).toBeLessThan(tol);
  });

  it('the 95 % percentile interval covers the true difference in 95 % of 2,000 synthetic pairs (±4 binomial σ)', () => {
    // Normal samples, n_A = 100, n_B = 80, true difference 0.5. Binomial σ = √(0.95·0.05/2000) = 0.0049; k = 4
    // gives [0.9305, 0.9695]. The percentile interval's small-sample deficit at these sizes is ≈ 0.003 (plug-in
    // variance and the normal quantile in place of t), well inside. A bootstrap that ignored the spread of
    // sample A or of sample B (coverage 0.89 or 0.73) or whose interval were √2 too narrow (0.83) fails.
    const pairs = 2000;
    let covered = 0;
    for (let s = 0; s < pairs; s++) {
      const u = uniformSource(50_000 + s);
      const a = normals(u, 100, 0, 1);
      const b = normals(u, 80, 0.5, 1.3);
      const r = bootstrapMeanDifference(a, b, { resamples: 999, seed: s });
      if (r.ci[0] <= 0.5 && 0.5 <= r.ci[1]) covered++;
    }
    const sigma = Math.sqrt((0.95 * 0.05) / pairs);
    expect(Math.abs(covered / pairs - 0.95)).toBeLessThan(4 * sigma);
  });
});
