// Stats layer: closed forms, published tables, and seeded Monte Carlo size/coverage checks
// (tolerances k·σ with k stated; seeded sources from test/helpers.ts, streams of src/random).
import { describe, expect, test } from 'vitest';
import * as ss from 'simple-statistics';
import {
  chiSquareCdf,
  chiSquareQuantile,
  chiSquareSf,
  gammaInv,
  gammaP,
  gammaQ,
  lnGamma,
  normalCdf,
  normalQuantile,
  normalSf,
} from '../../src/stats/special.js';
import { chiSquareGoodnessOfFit, kolmogorovCdfExact, kolmogorovSf, ksPValue, ksTest, zCritical } from '../../src/stats/tests.js';
import { Moments, sem } from '../../src/stats/moments.js';
import { QuantileSketch } from '../../src/stats/quantile-sketch.js';
import { analyzeFirstPassage, kaplanMeier, survivalAt } from '../../src/stats/first-passage.js';
import { gibbsDensity1D } from '../../src/theory/gibbs.js';
import { boxMuller, uniformSource } from '../helpers.js';

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

describe('special functions', () => {
  test('normal CDF vs published high-precision values and vs simple-statistics erf', () => {
    // Values from standard tables (e.g. Abramowitz & Stegun 26.2, R pnorm).
    expect(rel(normalCdf(1), 0.8413447460685429)).toBeLessThan(1e-14);
    expect(rel(normalCdf(1.96), 0.9750021048517795)).toBeLessThan(1e-14);
    expect(rel(normalCdf(-3), 0.0013498980316300946)).toBeLessThan(1e-13);
    expect(rel(normalCdf(-8), 6.220960574271785e-16)).toBeLessThan(1e-12);
    expect(rel(normalSf(10), 7.61985302416047e-24)).toBeLessThan(1e-12);
    expect(normalCdf(0)).toBe(0.5);
    for (let x = -4; x <= 4; x += 0.37) expect(Math.abs(normalCdf(x) - 0.5 * (1 + ss.errorFunction(x / Math.SQRT2)))).toBeLessThan(3e-7);
  });

  test('normal quantile: known values and round trip in both tails', () => {
    expect(rel(normalQuantile(0.975), 1.959963984540054)).toBeLessThan(1e-14);
    expect(rel(normalQuantile(0.995), 2.5758293035489004)).toBeLessThan(1e-14);
    expect(normalQuantile(0.5)).toBe(0);
    expect(rel(zCritical(0.95), 1.959963984540054)).toBeLessThan(1e-14);
    for (const p of [1e-300, 1e-20, 1e-8, 0.001, 0.02425, 0.1, 0.3, 0.5, 0.77, 0.99]) {
      const x = normalQuantile(p);
      expect(rel(normalCdf(x), p)).toBeLessThan(1e-13);
    }
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
  });

  test('log-gamma and incomplete gamma vs closed forms', () => {
    expect(Math.abs(lnGamma(0.5) - 0.5 * Math.log(Math.PI))).toBeLessThan(1e-14);
    for (const n of [1, 2, 5, 10, 20])
      expect(Math.abs(lnGamma(n + 1) - Math.log(ss.factorial(n)))).toBeLessThan(1e-12 * Math.max(1, Math.log(ss.factorial(n))));
    expect(rel(lnGamma(200), ss.gammaln(200))).toBeLessThan(1e-12);
    for (const x of [0.01, 0.5, 1, 3, 10, 40]) {
      expect(Math.abs(gammaP(1, x) + Math.expm1(-x))).toBeLessThan(1e-15);
      expect(rel(gammaQ(1, x), Math.exp(-x))).toBeLessThan(1e-13);
      // χ²: df = 2 exactly exponential; df = 1, 3 via the normal tail.
      expect(rel(chiSquareSf(x, 2), Math.exp(-x / 2))).toBeLessThan(1e-13);
      expect(rel(chiSquareSf(x, 1), 2 * normalCdf(-Math.sqrt(x)))).toBeLessThan(1e-12);
      expect(rel(chiSquareSf(x, 3), 2 * normalCdf(-Math.sqrt(x)) + Math.sqrt((2 * x) / Math.PI) * Math.exp(-x / 2))).toBeLessThan(1e-12);
      expect(Math.abs(chiSquareCdf(x, 7) + chiSquareSf(x, 7) - 1)).toBeLessThan(1e-15);
    }
    // Large shape (χ² with 1000 dof, p ≈ 0.5 near the mean).
    expect(Math.abs(chiSquareSf(999.3333, 1000) - 0.5)).toBeLessThan(0.002);
  });

  test('chi-square quantiles vs the simple-statistics table (2 decimals) and exact inverses', () => {
    const table = ss.chiSquaredDistributionTable as unknown as Record<number, Record<string, number>>;
    for (const df of [1, 2, 3, 5, 10, 20, 30, 50, 100]) {
      for (const [upper, crit] of Object.entries(table[df]!)) {
        const q = chiSquareQuantile(1 - Number(upper), df);
        expect(Math.abs(q - crit)).toBeLessThanOrEqual(0.005 + 1e-9);
      }
    }
    expect(rel(chiSquareQuantile(0.95, 1), 3.841458820694124)).toBeLessThan(1e-12);
    expect(rel(chiSquareQuantile(0.025, 2), -2 * Math.log(0.975))).toBeLessThan(1e-12);
    for (const [a, p] of [
      [0.3, 1e-6],
      [2.5, 0.5],
      [40, 0.999],
      [7, 1e-12],
    ] as const) {
      expect(rel(gammaP(a, gammaInv(a, p)), p)).toBeLessThan(1e-10);
      expect(rel(gammaQ(a, gammaInv(a, p, false)), p)).toBeLessThan(1e-10);
    }
  });
});

describe('Kolmogorov–Smirnov', () => {
  test('exact Kolmogorov CDF: n = 1 closed form and Miller (1956) critical values', () => {
    for (const d of [0.6, 0.8, 0.975]) expect(Math.abs(kolmogorovCdfExact(1, d) - (2 * d - 1))).toBeLessThan(1e-14);
    // Two-sided critical values (5-digit tables): P(D_n ≥ d) = α.
    for (const [n, d, alpha] of [
      [5, 0.56328, 0.05],
      [10, 0.40925, 0.05],
      [20, 0.29408, 0.05],
      [10, 0.48893, 0.01],
      [20, 0.35241, 0.01],
    ] as const) {
      expect(Math.abs(1 - kolmogorovCdfExact(n, d) - alpha)).toBeLessThan(2e-4);
      expect(ksPValue(d, n).method).toBe('exact');
    }
  });

  test('asymptotic Kolmogorov distribution: critical values 1.3581 (5 %), 1.6276 (1 %), and both series agree', () => {
    expect(Math.abs(kolmogorovSf(1.3581) - 0.05)).toBeLessThan(2e-5);
    expect(Math.abs(kolmogorovSf(1.6276) - 0.01)).toBeLessThan(2e-5);
    // λ = 1 is where the implementation switches series; check continuity.
    expect(Math.abs(kolmogorovSf(1 - 1e-12) - kolmogorovSf(1 + 1e-12))).toBeLessThan(1e-10);
  });

  test('exact and Stephens-corrected asymptotic p-values agree for n = 400', () => {
    for (const d of [0.04, 0.06, 0.08]) {
      const exact = 1 - kolmogorovCdfExact(400, d);
      const asym = ksPValue(d, 400, { exactMaxN: 0 });
      expect(asym.method).toBe('asymptotic');
      expect(rel(asym.pValue, exact)).toBeLessThan(0.02);
    }
  });

  test('size: under H0 the 5 % test rejects 5 % of the time (k = 4σ), mean p-value 1/2', () => {
    const u = uniformSource(12345);
    const R = 2000;
    const n = 40;
    let reject = 0;
    let sumP = 0;
    for (let r = 0; r < R; r++) {
      const xs = Array.from({ length: n }, u);
      const p = ksTest(xs, (x) => Math.min(1, Math.max(0, x))).pValue;
      if (p < 0.05) reject++;
      sumP += p;
    }
    const sigma = Math.sqrt((0.05 * 0.95) / R);
    expect(Math.abs(reject / R - 0.05)).toBeLessThan(4 * sigma);
    expect(Math.abs(sumP / R - 0.5)).toBeLessThan(4 * Math.sqrt(1 / 12 / R));
  });

  test('power: a 0.3σ shift with n = 300 is detected; the exact Gibbs CDF of a harmonic well is accepted', () => {
    const g = boxMuller(uniformSource(7));
    const shifted = Array.from({ length: 300 }, () => g() + 0.3);
    expect(ksTest(shifted, normalCdf).pValue).toBeLessThan(1e-3);
    const theta = 0.5;
    const k = 2;
    const gibbs = gibbsDensity1D((x) => 0.5 * k * x * x, theta, -6, 6);
    const sample = Array.from({ length: 2000 }, () => g() * Math.sqrt(theta / k));
    const r = ksTest(sample, gibbs.cdf);
    expect(r.pValue).toBeGreaterThan(1e-3);
    expect(r.statistic).toBe(Math.max(r.dPlus, r.dMinus));
  });
});

describe('Pearson χ² goodness of fit', () => {
  test('closed form: counts [10, 20, 30] vs uniform ⇒ χ² = 10, df = 2, p = e^{−5}', () => {
    const r = chiSquareGoodnessOfFit([10, 20, 30], [1 / 3, 1 / 3, 1 / 3]);
    expect(r.statistic).toBeCloseTo(10, 12);
    expect(r.df).toBe(2);
    expect(rel(r.pValue, Math.exp(-5))).toBeLessThan(1e-12);
  });

  test('bins with expected < 5 are merged into adjacent groups; totals preserved', () => {
    const probs = [0.001, 0.004, 0.2, 0.3, 0.3, 0.19, 0.004, 0.001];
    const counts = [0, 2, 41, 62, 55, 38, 1, 1];
    const r = chiSquareGoodnessOfFit(counts, probs);
    for (const e of r.expected) expect(e).toBeGreaterThanOrEqual(5);
    expect(r.observed.reduce((a, b) => a + b, 0)).toBe(200);
    expect(Math.abs(r.expected.reduce((a, b) => a + b, 0) - 200)).toBeLessThan(1e-9);
    expect(r.groups[0]).toEqual([0, 2]);
    expect(r.groups[r.groups.length - 1]).toEqual([5, 7]);
    expect(r.df).toBe(r.groups.length - 1);
  });

  test('size under H0 with multinomial samples (k = 4σ), and power against a wrong model', () => {
    const u = uniformSource(99);
    const probs = [0.05, 0.1, 0.2, 0.3, 0.2, 0.1, 0.04, 0.01];
    const cum = probs.map(
      (
        (s) => (p: number) =>
          (s += p)
      )(0),
    );
    const R = 2000;
    const N = 300;
    let reject = 0;
    for (let r = 0; r < R; r++) {
      const counts = new Array<number>(probs.length).fill(0);
      for (let i = 0; i < N; i++) {
        const v = u();
        let j = 0;
        while (j < cum.length - 1 && v > cum[j]!) j++;
        counts[j]!++;
      }
      if (chiSquareGoodnessOfFit(counts, probs).pValue < 0.05) reject++;
    }
    expect(Math.abs(reject / R - 0.05)).toBeLessThan(4 * Math.sqrt((0.05 * 0.95) / R));
    const counts = probs.map((p) => Math.round(p * 10000));
    const wrong = [0.08, 0.1, 0.2, 0.27, 0.2, 0.1, 0.04, 0.01];
    expect(chiSquareGoodnessOfFit(counts, wrong).pValue).toBeLessThan(1e-3);
  });
});

describe('moments', () => {
  test('Welford/Chan vs two-pass on data with a large offset; chunked merge equals one pass', () => {
    const g = boxMuller(uniformSource(3));
    const xs = Array.from({ length: 10000 }, () => 1e6 + g());
    const mean = xs.reduce((a, b) => a + (b - 1e6), 0) / xs.length + 1e6;
    const v = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1);
    const one = Moments.of(xs);
    expect(Math.abs(one.mean - mean)).toBeLessThan(1e-6);
    expect(rel(one.variance, v)).toBeLessThan(1e-9);
    expect(rel(one.variance, ss.sampleVariance(xs))).toBeLessThan(1e-6);
    const parts = [0, 1234, 5000, 5001, 9000, 10000];
    const merged = new Moments();
    for (let i = 0; i + 1 < parts.length; i++) merged.merge(Moments.of(xs.slice(parts[i], parts[i + 1])));
    expect(merged.count).toBe(10000);
    expect(Math.abs(merged.mean - mean)).toBeLessThan(1e-6);
    expect(rel(merged.variance, v)).toBeLessThan(1e-9);
    expect(merged.min).toBe(Math.min(...xs));
    expect(merged.max).toBe(Math.max(...xs));
    // Same merge order ⇒ bit-identical; JSON round trip is exact.
    const again = new Moments();
    for (let i = 0; i + 1 < parts.length; i++)
      again.merge(Moments.fromJSON(JSON.parse(JSON.stringify(Moments.of(xs.slice(parts[i], parts[i + 1]))))));
    expect(again.toJSON()).toEqual(merged.toJSON());
  });

  test('sem = s/√n and empty/single edge cases', () => {
    expect(rel(sem([1, 2, 3, 4]), Math.sqrt(5 / 3) / 2)).toBeLessThan(1e-15);
    expect(new Moments().merge(new Moments()).count).toBe(0);
    expect(Moments.of([2]).variance).toBeNaN();
  });

  test('sem describes the scatter of sample means (k = 4σ on the variance ratio)', () => {
    const g = boxMuller(uniformSource(11));
    const n = 25;
    const R = 4000;
    const means = new Moments();
    const sems = new Moments();
    for (let r = 0; r < R; r++) {
      const m = Moments.of(Array.from({ length: n }, g));
      means.add(m.mean);
      sems.add(m.sem ** 2);
    }
    // Var of the mean of 25 N(0,1) is 1/25; its sample estimate has relative sd √(2/(R−1)).
    expect(Math.abs(means.variance * n - 1)).toBeLessThan(4 * Math.sqrt(2 / (R - 1)));
    expect(Math.abs(sems.mean * n - 1)).toBeLessThan(4 * Math.sqrt(2 / (n - 1) / R));
  });
});

describe('quantile sketch', () => {
  const make = (seed: number, n: number): number[] => {
    const u = uniformSource(seed);
    const g = boxMuller(u);
    return Array.from({ length: n }, (_, i) => {
      const kind = i % 10;
      if (kind === 0) return 0; // zero bucket
      if (kind < 4) return -Math.exp(3 * g()); // negative, many decades
      return Math.exp(4 * g()); // positive lognormal
    });
  };

  test('quantiles within α relative of the exact lower order statistic on 10⁵ values', () => {
    const xs = make(1, 100000);
    const alpha = 0.005;
    const s = new QuantileSketch(alpha).addAll(xs);
    expect(s.count).toBe(100000);
    const sorted = xs.slice().sort((a, b) => a - b);
    for (let i = 0; i <= 1000; i++) {
      const q = i / 1000;
      const exact = sorted[Math.floor(q * (sorted.length - 1))]!;
      const est = s.quantile(q);
      expect(Math.abs(est - exact)).toBeLessThanOrEqual(alpha * Math.abs(exact) * (1 + 1e-12) + 1e-12);
    }
    expect(s.quantile(0)).toBe(sorted[0]);
    expect(s.quantile(1)).toBe(sorted[sorted.length - 1]);
    // A coarser sketch is measurably worse (the bound is not vacuous).
    const coarse = new QuantileSketch(0.1).addAll(xs);
    let worst = 0;
    for (let i = 1; i < 100; i++) {
      const exact = sorted[Math.floor((i / 100) * (sorted.length - 1))]!;
      if (exact !== 0) worst = Math.max(worst, Math.abs(coarse.quantile(i / 100) - exact) / Math.abs(exact));
    }
    expect(worst).toBeGreaterThan(0.02);
    expect(worst).toBeLessThanOrEqual(0.1 + 1e-12);
  });

  test('merge is exact and order-independent: A+B ≡ B+A ≡ all-at-once; JSON and structuredClone round trips', () => {
    const a = make(2, 30000);
    const b = make(3, 20000).map((v) => v * 1e3);
    const sa = new QuantileSketch().addAll(a);
    const sb = new QuantileSketch().addAll(b);
    const ab = QuantileSketch.fromJSON(sa.toJSON()).merge(sb);
    const ba = QuantileSketch.fromJSON(sb.toJSON()).merge(sa);
    const all = new QuantileSketch().addAll([...b, ...a]);
    expect(ab.toJSON()).toEqual(ba.toJSON());
    expect(ab.toJSON()).toEqual(all.toJSON());
    expect(ab.count).toBe(50000);
    const viaJson = QuantileSketch.fromJSON(JSON.parse(JSON.stringify(ab)));
    const viaClone = QuantileSketch.fromJSON(structuredClone(ab.toJSON()));
    for (const q of [0.01, 0.25, 0.5, 0.9, 0.999]) {
      expect(viaJson.quantile(q)).toBe(ab.quantile(q));
      expect(viaClone.quantile(q)).toBe(ab.quantile(q));
    }
    expect(() => sa.merge(new QuantileSketch(0.01))).toThrow(RangeError);
  });

  test('non-finite values are counted as invalid, not as data; empty sketch gives NaN', () => {
    const s = new QuantileSketch().addAll([1, Number.NaN, 2, Infinity, 3]);
    expect(s.count).toBe(3);
    expect(s.invalid).toBe(2);
    expect(Math.abs(s.quantile(0.5) - 2)).toBeLessThanOrEqual(0.005 * 2);
    expect(new QuantileSketch().quantile(0.5)).toBeNaN();
    const empty = QuantileSketch.fromJSON(JSON.parse(JSON.stringify(new QuantileSketch())));
    expect(empty.count).toBe(0);
    expect(empty.merge(s).quantile(1)).toBe(3);
  });
});

describe('first-passage analysis (censored exponential)', () => {
  const sampleExp = (u: () => number, lambda: number, n: number): number[] => Array.from({ length: n }, () => -Math.log(u()) / lambda);

  test('censored MLE rate within 4σ (σ = λ/√E[events]) on simulated data', () => {
    const lambda = 0.5;
    const tEnd = 3;
    const n = 4000;
    const raw = sampleExp(uniformSource(21), lambda, n);
    const times = raw.map((t, i) => (t <= tEnd ? t : i % 2 === 0 ? Number.NaN : -1));
    const s = analyzeFirstPassage(times, tEnd);
    const expectedEvents = n * (1 - Math.exp(-lambda * tEnd));
    expect(s.entered + s.censored).toBe(n);
    expect(Math.abs(s.entered - expectedEvents)).toBeLessThan(4 * Math.sqrt(expectedEvents * Math.exp(-lambda * tEnd)));
    expect(Math.abs(s.rate - lambda)).toBeLessThan((4 * lambda) / Math.sqrt(expectedEvents));
    expect(s.rateCI[0]).toBeLessThan(s.rate);
    expect(s.rateCI[1]).toBeGreaterThan(s.rate);
    expect(rel(s.meanTime, 1 / s.rate)).toBeLessThan(1e-15);
    expect(s.meanTimeCI[0]).toBeCloseTo(1 / s.rateCI[1], 12);
    expect(s.sampleMean).toBeNaN();
    // Exposure = Σ min(T, tEnd).
    expect(
      rel(
        s.exposure,
        raw.reduce((a, t) => a + Math.min(t, tEnd), 0),
      ),
    ).toBeLessThan(1e-12);
  });

  test('Garwood 95 % CI coverage over 400 data sets within 3σ of nominal', () => {
    const u = uniformSource(5);
    const R = 400;
    const lambda = 2;
    let covered = 0;
    for (let r = 0; r < R; r++) {
      const s = analyzeFirstPassage(sampleExp(u, lambda, 60), 0.6);
      if (s.rateCI[0] <= lambda && lambda <= s.rateCI[1]) covered++;
    }
    const sigma = Math.sqrt((0.95 * 0.05) / R);
    expect(Math.abs(covered / R - 0.95)).toBeLessThan(3 * sigma);
  });

  test('no censoring: sample mean with SE, rate = 1/mean, Kaplan–Meier = 1 − ECDF (with ties)', () => {
    const u = uniformSource(8);
    const times = sampleExp(u, 1, 500).map((t) => Math.round(t * 20) / 20); // ties on a 0.05 grid
    const s = analyzeFirstPassage(times, 1e9);
    expect(s.censored).toBe(0);
    const mean = times.reduce((a, b) => a + b, 0) / times.length;
    expect(rel(s.sampleMean, mean)).toBeLessThan(1e-12);
    expect(rel(s.sampleMeanSE, ss.sampleStandardDeviation(times) / Math.sqrt(times.length))).toBeLessThan(1e-10);
    expect(rel(s.rate, 1 / mean)).toBeLessThan(1e-12);
    for (let i = 0; i < s.km.times.length; i++) {
      const t = s.km.times[i]!;
      const ecdf = times.filter((x) => x <= t).length / times.length;
      expect(Math.abs(s.km.survival[i]! - (1 - ecdf))).toBeLessThan(1e-12);
      expect(Math.abs(survivalAt(s.km, t) - (1 - ecdf))).toBeLessThan(1e-12);
    }
    expect(survivalAt(s.km, -1)).toBe(1);
  });

  test('Kaplan–Meier and Greenwood on a hand-worked example (1, 2+, 3, 3, 4+, 5)', () => {
    const km = kaplanMeier([1, 2, 3, 3, 4, 5], [1, 0, 1, 1, 0, 1]);
    expect(km.times).toEqual([1, 3, 5]);
    expect(km.atRisk).toEqual([6, 4, 1]);
    expect(km.events).toEqual([1, 2, 1]);
    expect(km.survival[0]).toBeCloseTo(5 / 6, 15);
    expect(km.survival[1]).toBeCloseTo(5 / 12, 15);
    expect(km.survival[2]).toBe(0);
    expect(km.se[0]).toBeCloseTo((5 / 6) * Math.sqrt(1 / 30), 15);
    expect(km.se[1]).toBeCloseTo((5 / 12) * Math.sqrt(1 / 30 + 2 / 8), 15);
    expect(km.lower[1]!).toBeLessThan(5 / 12);
    expect(km.upper[1]!).toBeGreaterThan(5 / 12);
  });

  test('Kaplan–Meier with censoring tracks e^{−λt} within 4 Greenwood SE', () => {
    const u = uniformSource(13);
    const lambda = 1;
    const raw = sampleExp(u, lambda, 3000);
    const censor = raw.map(() => 2.5 * u()); // random censoring times
    const s = analyzeFirstPassage(raw, 0, { censorTimes: censor });
    expect(s.censored).toBeGreaterThan(500);
    for (const t of [0.1, 0.5, 1, 1.5]) {
      const i = s.km.times.findIndex((x) => x > t) - 1;
      expect(Math.abs(survivalAt(s.km, t) - Math.exp(-lambda * t))).toBeLessThan(4 * s.km.se[i]!);
    }
    expect(Math.abs(s.rate - lambda)).toBeLessThan((4 * lambda) / Math.sqrt(s.entered));
  });

  test('no events: rate 0, mean time ∞, upper rate limit −ln(α/2)/E', () => {
    const s = analyzeFirstPassage([Number.NaN, -1, Number.NaN], 10);
    expect(s.entered).toBe(0);
    expect(s.rate).toBe(0);
    expect(s.meanTime).toBe(Infinity);
    expect(rel(s.rateCI[1], -Math.log(0.025) / 30)).toBeLessThan(1e-10);
    expect(s.km.times).toEqual([]);
  });
});
