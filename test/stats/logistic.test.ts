/**
 * Binomial logistic regression (src/stats/logistic.ts) against closed forms
 * and independent numerics:
 *  - a saturated two-cell model: the MLE is the empirical logits and the log
 *    odds ratio with SE √(1/a + 1/b + 1/c + 1/d); Firth's estimate is the same
 *    with ½ added to every cell (h_i = 1 in a saturated model);
 *  - a non-saturated model: the score of ℓ (MLE) and of ℓ + ½ ln det I (Firth),
 *    both coded here directly and differentiated by central differences, vanishes
 *    at the fit; the MLE's standard errors equal those of the finite-difference
 *    Hessian of ℓ;
 *  - the likelihood-ratio statistic against the G statistic of a 2 × 2 table;
 *  - separation: no MLE, a finite Firth estimate;
 *  - calibration over 400 simulated data sets: the 95 % Wald interval of the
 *    slope covers the truth in 95 % ± 4σ of them.
 */
import { describe, expect, it } from 'vitest';
import { likelihoodRatioTest, logisticFit, mleExists } from '../../src/stats/logistic.js';
import { seededUniform } from '../../src/random/rng.js';

const logit = (p: number) => Math.log(p / (1 - p));
const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** ℓ and ½ ln det I for p = 2 covariates, written out without the module's code. */
function logLik2(X: number[][], k: number[], n: number[], b: number[], firth: boolean): number {
  let l = 0;
  let a = 0,
    c = 0,
    d = 0;
  X.forEach((x, i) => {
    const p = sigmoid(b[0]! * x[0]! + b[1]! * x[1]!);
    l += k[i]! * Math.log(p) + (n[i]! - k[i]!) * Math.log(1 - p);
    const w = n[i]! * p * (1 - p);
    a += w * x[0]! * x[0]!;
    c += w * x[0]! * x[1]!;
    d += w * x[1]! * x[1]!;
  });
  return firth ? l + 0.5 * Math.log(a * d - c * c) : l;
}

const X5 = [-2, -1, 0, 1, 2].map((u) => [1, u]);
const K5 = [1, 3, 6, 9, 11];
const N5 = [12, 12, 12, 12, 12];

describe('logisticFit', () => {
  it('a saturated two-cell model: MLE = empirical logits, Firth = logits with ½ added to each cell', () => {
    const X = [
      [1, 0],
      [1, 1],
    ];
    const k = [3, 9];
    const n = [10, 12];
    const mle = logisticFit(X, k, n, { firth: false });
    expect(mle.converged).toBe(true);
    expect(mle.coef[0]).toBeCloseTo(logit(3 / 10), 10);
    expect(mle.coef[1]).toBeCloseTo(logit(9 / 12) - logit(3 / 10), 10);
    expect(mle.se[1]).toBeCloseTo(Math.sqrt(1 / 3 + 1 / 7 + 1 / 9 + 1 / 3), 10);
    const firth = logisticFit(X, k, n);
    expect(firth.coef[0]).toBeCloseTo(logit(3.5 / 11), 10);
    expect(firth.coef[1]).toBeCloseTo(logit(9.5 / 13) - logit(3.5 / 11), 10);
    // Wald SE from I(β̂) = Σ n_i p_i (1 − p_i) at the Firth probabilities p_i = (k_i + ½)/(n_i + 1)
    const v = (kk: number, nn: number) => 1 / (nn * ((kk + 0.5) / (nn + 1)) * (1 - (kk + 0.5) / (nn + 1)));
    expect(firth.se[1]).toBeCloseTo(Math.sqrt(v(3, 10) + v(9, 12)), 10);
  });

  it('the score of ℓ (MLE) and of ℓ + ½ ln det I (Firth) vanishes at the fit; MLE SEs match the numerical Hessian', () => {
    for (const firth of [false, true]) {
      const f = logisticFit(X5, K5, N5, { firth });
      expect(f.converged).toBe(true);
      const h = 1e-5;
      for (let r = 0; r < 2; r++) {
        const up = f.coef.slice();
        const dn = f.coef.slice();
        up[r] += h;
        dn[r] -= h;
        const g = (logLik2(X5, K5, N5, up, firth) - logLik2(X5, K5, N5, dn, firth)) / (2 * h);
        expect(Math.abs(g)).toBeLessThan(1e-6);
      }
      expect(f.penalizedLogLik).toBeCloseTo(logLik2(X5, K5, N5, f.coef, firth), 10);
    }
    const f = logisticFit(X5, K5, N5, { firth: false });
    const h = 1e-4;
    const H = [0, 1].map((r) =>
      [0, 1].map((c) => {
        const at = (dr: number, dc: number) => {
          const b = f.coef.slice();
          b[r] += dr;
          b[c] += dc;
          return logLik2(X5, K5, N5, b, false);
        };
        return -(at(h, h) - at(h, -h) - at(-h, h) + at(-h, -h)) / (4 * h * h);
      }),
    );
    const det = H[0]![0]! * H[1]![1]! - H[0]![1]! * H[1]![0]!;
    expect(f.se[0]).toBeCloseTo(Math.sqrt(H[1]![1]! / det), 5);
    expect(f.se[1]).toBeCloseTo(Math.sqrt(H[0]![0]! / det), 5);
  });

  it('the likelihood-ratio statistic of a 2 × 2 table is its G statistic', () => {
    const X = [
      [1, 0],
      [1, 1],
    ];
    const k = [4, 11];
    const n = [20, 18];
    const full = logisticFit(X, k, n, { firth: false });
    const reduced = logisticFit([[1], [1]], k, n, { firth: false });
    const lr = likelihoodRatioTest(full, reduced);
    const pooled = (4 + 11) / 38;
    let g = 0;
    for (const [obs, exp] of [
      [4, 20 * pooled],
      [16, 20 * (1 - pooled)],
      [11, 18 * pooled],
      [7, 18 * (1 - pooled)],
    ] as const)
      g += 2 * obs * Math.log(obs / exp);
    expect(lr.df).toBe(1);
    expect(lr.statistic).toBeCloseTo(g, 9);
  });

  it('separated counts: no MLE, a finite converged Firth estimate', () => {
    const k = [0, 0, 12, 12, 12];
    expect(mleExists(X5, k, N5)).toBe(false);
    expect(mleExists(X5, K5, N5)).toBe(true);
    const f = logisticFit(X5, k, N5);
    expect(f.converged).toBe(true);
    expect(f.coef.every(Number.isFinite)).toBe(true);
    expect(f.se.every((s) => Number.isFinite(s) && s > 0)).toBe(true);
    // the boundary −β₀/β₁ lies between the last all-0 cell (−1) and the first all-1 cell (0)
    const b = -f.coef[0]! / f.coef[1]!;
    expect(b).toBeGreaterThan(-1);
    expect(b).toBeLessThan(0);
  });

  it('the 95 % Wald interval of the slope covers the truth in 95 % ± 4σ of 400 simulated data sets', () => {
    const rand = seededUniform(20261204, 'logistic-calibration');
    const beta = [-0.5, 1.2];
    const us = [-2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2];
    const n = us.map(() => 40);
    const X = us.map((u) => [1, u]);
    const trials = 400;
    let covered = 0;
    for (let t = 0; t < trials; t++) {
      const k = us.map((u, i) => {
        const p = sigmoid(beta[0]! + beta[1]! * u);
        let c = 0;
        for (let j = 0; j < n[i]!; j++) if (rand() < p) c++;
        return c;
      });
      const f = logisticFit(X, k, n);
      if (Math.abs(f.coef[1]! - beta[1]!) <= 1.959964 * f.se[1]!) covered++;
    }
    const sigma = Math.sqrt((0.95 * 0.05) / trials);
    expect(Math.abs(covered / trials - 0.95)).toBeLessThan(4 * sigma);
  });

  it('rejects malformed input with the row and the values', () => {
    expect(() => logisticFit([[1, 0]], [3], [2])).toThrow(/row 0: need 0 ≤ k ≤ n, found k = 3, n = 2/);
    expect(() => logisticFit([[1, 0], [1]], [0, 0], [1, 1])).toThrow(/row 1 has 1 covariates, expected 2/);
  });
});
