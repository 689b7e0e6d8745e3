/**
 * Comparing runs and regimes: the two-sample tests against textbook and
 * independently computed values, their size under H0 (synthetic samples; pairs
 * of runs in compare-size.slow.test.ts), their power on two temperatures of
 * the double well, compareRuns / runRegimes end to end, and the CLI.
 *
 * Reference values marked "scipy 1.17" were computed once with
 * scipy.stats (mannwhitneyu, ks_2samp, logrank, kstwobign) — an independent
 * implementation — and are pasted here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { wilcoxonRankSum } from 'simple-statistics';
import { describe, expect, it } from 'vitest';
import {
  bootstrapMeanDifference,
  holmAdjust,
  ksTwoSample,
  logRankTest,
  mannWhitneyExactPmf,
  mannWhitneyTest,
  medianWithCI,
  twoProportionTest,
  wilsonInterval,
} from '../../src/stats/compare.js';
import type { Comparison, ComparisonRow } from '../../src/analysis/compare.js';
import { formatComparison } from '../../src/cli/format-comparison.js';
import { compareRuns } from '../../src/results/compare.js';
import { runRegimes } from '../../src/runs/regimes.js';
import { runScenario } from '../../src/runs/run.js';
import { loadScenario, validateScenarioObject } from '../../src/scenario/index.js';
import { normals, runCli, tempDir, uniformSource } from '../helpers.js';

const tmp = () => tempDir('compare');

// ------------------------------------------------------------------ known values

describe('two-sample tests against known values', () => {
  it('log-rank: Freireich et al. 6-MP vs placebo leukaemia remission data (R survdiff: χ² = 16.8, O/E 9/19.3 and 21/10.7)', () => {
    const mp = [6, 6, 6, 7, 10, 13, 16, 22, 23, 6, 9, 10, 11, 17, 19, 20, 25, 32, 32, 34, 35];
    const mpEvent = [...Array(9).fill(1), ...Array(12).fill(0)];
    const placebo = [1, 1, 2, 2, 3, 4, 4, 5, 5, 8, 8, 8, 8, 11, 11, 12, 12, 15, 17, 22, 23];
    const r = logRankTest({ times: mp, events: mpEvent }, { times: placebo, events: placebo.map(() => 1) });
    // scipy 1.17 stats.logrank: statistic −4.097919104767264 (z), p = 4.168809109334529e-05.
    expect(r.statistic).toBeCloseTo(16.792940989216536, 9);
    expect(r.z).toBeCloseTo(-4.097919104767264, 9);
    expect(r.pValue).toBeCloseTo(4.168809109334529e-5, 12);
    expect(r.observedA).toBe(9);
    expect(r.observedB).toBe(21);
    expect(r.expectedA).toBeCloseTo(19.25, 2);
    expect(r.expectedB).toBeCloseTo(10.75, 2);
    expect(r.expectedA + r.expectedB).toBeCloseTo(30, 10);
    // symmetric in the groups
    const s = logRankTest({ times: placebo, events: placebo.map(() => 1) }, { times: mp, events: mpEvent });
    expect(s.statistic).toBeCloseTo(r.statistic, 10);
    expect(s.z).toBeCloseTo(-r.z, 10);
  });

  it('log-rank: identical samples give χ² = 0, p = 1; no events at all give p = 1', () => {
    const t = [1, 2, 3, 4, 5];
    expect(logRankTest({ times: t, events: [1, 1, 0, 1, 0] }, { times: t, events: [1, 1, 0, 1, 0] }).pValue).toBeCloseTo(1, 12);
    expect(logRankTest({ times: t, events: [0, 0, 0, 0, 0] }, { times: t, events: [0, 0, 0, 0, 0] })).toMatchObject({
      statistic: 0,
      pValue: 1,
    });
  });

  it('Mann–Whitney U: scipy docs example (males vs females): U = 17, exact p = 1/9, normal p = 0.11135', () => {
    const males = [19, 22, 16, 29, 24];
    const females = [20, 11, 17, 12];
    const exact = mannWhitneyTest(males, females);
    expect(exact.method).toBe('exact');
    expect(exact.uA).toBe(17);
    expect(exact.uB).toBe(3);
    expect(exact.pValue).toBeCloseTo(1 / 9, 12);
    // scipy 1.17 mannwhitneyu(method='asymptotic'): 0.11134688653314041; without continuity 0.0864107329737
    expect(mannWhitneyTest(males, females, { method: 'normal' }).pValue).toBeCloseTo(0.11134688653314041, 10);
    expect(mannWhitneyTest(males, females, { method: 'normal', continuity: false }).pValue).toBeCloseTo(0.0864107329737, 10);
  });

  it('Mann–Whitney U: Hollander & Wolfe data (R wilcox.test: W = 35, exact two-sided p = 0.2544)', () => {
    const x = [0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46];
    const y = [1.15, 0.88, 0.9, 0.74, 1.21];
    const r = mannWhitneyTest(x, y);
    expect(r.uA).toBe(35);
    expect(r.pValue).toBeCloseTo(0.2544122544122544, 10);
    expect(mannWhitneyTest(x, y, { method: 'normal' }).pValue).toBeCloseTo(0.24462360512698333, 10);
    expect(r.effect).toBeCloseTo(0.7, 12);
  });

  it('Mann–Whitney U with ties: tie-corrected variance (scipy 1.17: p = 0.031758957148063746); rank sum = simple-statistics wilcoxonRankSum', () => {
    const a = [1, 2, 2, 3, 3, 3, 4, 5];
    const b = [2, 3, 4, 4, 5, 5, 6, 6, 7];
    const r = mannWhitneyTest(a, b);
    expect(r.ties).toBe(true);
    expect(r.method).toBe('normal');
    expect(r.uA).toBe(13.5);
    expect(r.pValue).toBeCloseTo(0.031758957148063746, 10);
    expect(() => mannWhitneyTest(a, b, { method: 'exact' })).toThrow(/ties/);
    // independent rank sums on rounded (heavily tied) random data
    const u = uniformSource(3);
    const xa = Array.from(normals(u, 57), (v) => Math.round(v * 3) / 3);
    const xb = Array.from(normals(u, 41, 0.3), (v) => Math.round(v * 3) / 3);
    expect(mannWhitneyTest(xa, xb).rankSumA).toBeCloseTo(wilcoxonRankSum(xa, xb), 9);
  });

  it('exact U distribution: sums to 1, symmetric, P(U = 0) = 1/C(m+n, m)', () => {
    const pmf = mannWhitneyExactPmf(6, 4);
    expect(pmf.length).toBe(25);
    expect(pmf.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
    for (let u = 0; u <= 24; u++) expect(pmf[u]).toBeCloseTo(pmf[24 - u]!, 14);
    expect(pmf[0]).toBeCloseTo(1 / 210, 15);
    expect(pmf[1]).toBeCloseTo(1 / 210, 15);
    expect(pmf[2]).toBeCloseTo(2 / 210, 15);
  });

  it('KS two-sample: D and exact / asymptotic p-values (scipy 1.17 ks_2samp exact; kstwobign at Stephens λ)', () => {
    const x = [0.8, 0.83, 1.89, 1.04, 1.45, 1.38, 1.91, 1.64, 0.73, 1.46];
    const y = [1.15, 0.88, 0.9, 0.74, 1.21];
    const r = ksTwoSample(x, y);
    expect(r.statistic).toBeCloseTo(0.6, 12);
    expect(r.at).toBe(1.21);
    expect(r.method).toBe('exact');
    expect(r.pValue).toBeCloseTo(0.16583416583416583, 10);
    expect(ksTwoSample(x, y, { method: 'asymptotic' }).pValue).toBeCloseTo(0.11032754154370181, 10);
    // larger samples (normal draws rounded to 3 decimals by numpy default_rng(1))
    // prettier-ignore
    const u = [0.346, 0.822, 0.33, -1.303, 0.905, 0.446, -0.537, 0.581, 0.365, 0.294, 0.028, 0.547, -0.736, -0.163, -0.482, 0.599, 0.04, -0.292, -0.782, -0.257, 0.008, -0.276, 1.294, 1.007, -2.711, -1.889, -0.175, -0.422, 0.214, 0.217, 2.118, -1.112, -0.378, 2.043, 0.647, 0.663, -0.514, -1.648, 0.167, 0.109, -1.227, -0.683, -0.072, -0.945, -0.098, 0.095, 0.036, -0.506, 0.594, 0.891, 0.321, -0.818, 0.732, -0.501, 0.879, -1.072, 0.914, -0.02, -1.249, -0.314];
    // prettier-ignore
    const v = [0.565, 0.827, -0.679, -0.829, 0.74, -0.06, 0.783, 1.411, -1.479, 0.805, 1.97, 0.143, -0.473, 1.403, 0.804, 1.575, 0.086, -1.278, 0.368, -0.035, 1.43, 0.732, -1.457, -0.934, 1.561, 1.316, -0.268, 0.499, 1.035, 1.062, 1.551, 0.808, 0.386, 0.189, 1.767, -2.201, 0.334, 0.54, -1.21, 0.899, -0.282, 1.535, 0.349, 1.303, 1.963];
    const big = ksTwoSample(u, v);
    expect(big.statistic).toBeCloseTo(0.3277777777777778, 12);
    expect(big.pValue).toBeCloseTo(0.00623820918286905, 10);
    expect(ksTwoSample(u, v, { method: 'asymptotic' }).pValue).toBeCloseTo(0.005826457886974558, 10);
    // scipy 1.17 mannwhitneyu(u, v, method='asymptotic'): U = 905.5, p = 0.00404010090454966
    const mw = mannWhitneyTest(u, v);
    expect(mw.uA).toBe(905.5);
    expect(mw.pValue).toBeCloseTo(0.00404010090454966, 10);
    // identical samples
    expect(ksTwoSample(u, u)).toMatchObject({ statistic: 0, pValue: 1 });
  });

  it('proportions: Wilson 81/263 = [0.2553, 0.3662]; Newcombe (1998) example 56/70 − 48/80 = 0.2 [0.0524, 0.3339]; z² = Pearson χ² of the 2×2 table', () => {
    const w = wilsonInterval(81, 263);
    expect(w[0]).toBeCloseTo(0.2552885198782742, 9); // scipy binomtest(81, 263).proportion_ci('wilson')
    expect(w[1]).toBeCloseTo(0.36620957698280004, 9);
    const t = twoProportionTest(48, 80, 56, 70);
    expect(t.difference).toBeCloseTo(0.2, 12);
    expect(t.ci[0]).toBeCloseTo(0.0524, 4);
    expect(t.ci[1]).toBeCloseTo(0.3339, 4);
    // Pearson χ² of [[48, 32], [56, 14]] by hand
    const obs = [48, 32, 56, 14];
    const rows = [80, 70];
    const cols = [104, 46];
    let chi2 = 0;
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 2; j++) {
        const e = (rows[i]! * cols[j]!) / 150;
        chi2 += (obs[2 * i + j]! - e) ** 2 / e;
      }
    expect(t.z * t.z).toBeCloseTo(chi2, 10);
    expect(twoProportionTest(0, 100, 0, 50)).toMatchObject({ z: 0, pValue: 1 });
  });

  it('bootstrap: seeded and deterministic; constant samples give a point interval; SE ≈ √(s²_A/n_A + s²_B/n_B) (5 %)', () => {
    const u = uniformSource(9);
    const a = normals(u, 500, 0, 1);
    const b = normals(u, 400, 0.5, 2);
    const r1 = bootstrapMeanDifference(a, b, { seed: 4, resamples: 999 });
    const r2 = bootstrapMeanDifference(a, b, { seed: 4, resamples: 999 });
    expect(r1).toEqual(r2);
    expect(bootstrapMeanDifference(a, b, { seed: 5, resamples: 999 }).ci).not.toEqual(r1.ci);
    const v = (x: Float64Array) => {
      const m = x.reduce((s, y) => s + y, 0) / x.length;
      return x.reduce((s, y) => s + (y - m) ** 2, 0) / (x.length - 1);
    };
    const se = Math.sqrt(v(a) / 500 + v(b) / 400);
    expect(Math.abs(r1.se / se - 1)).toBeLessThan(0.05);
    expect(r1.ci[0]).toBeLessThan(r1.difference);
    expect(r1.ci[1]).toBeGreaterThan(r1.difference);
    const c = bootstrapMeanDifference([1, 1, 1], [3, 3, 3], { resamples: 99 });
    expect(c.ci).toEqual([2, 2]);
    expect(c.pValue).toBeCloseTo(2 / 100, 12);
    // paired: b = a + 1 exactly → the paired difference has no spread
    const p = bootstrapMeanDifference(
      a,
      Float64Array.from(a, (x) => x + 1),
      { paired: true, resamples: 199 },
    );
    expect(p.ci[0]).toBeCloseTo(1, 12);
    expect(p.ci[1]).toBeCloseTo(1, 12);
  });

  it('median interval from order statistics; Holm adjustment', () => {
    const x = Array.from({ length: 100 }, (_, i) => i + 1);
    const m = medianWithCI(x);
    expect(m.median).toBe(50.5);
    // l = ⌊50 − 9.8⌋ = 40, u = ⌈50 + 9.8⌉ + 1 = 61 (binomial(100, ½): P(40 ≤ K ≤ 60) = 0.965)
    expect(m.ci).toEqual([40, 61]);
    expect(holmAdjust([0.01, 0.04, 0.03, 0.005])).toEqual([0.03, 0.06, 0.06, 0.02]);
  });
});

// ------------------------------------------------------------------ size (synthetic)

describe('size under H0 (synthetic samples from one distribution, seeded)', () => {
  // 1,000 independent replications (seeds 1000 … 1999). Under H0 the number of p < 0.05 is Binomial(1000, 0.05):
  // mean 50, σ = 6.9; we accept [28, 72] (≈ 3.2σ; P(outside | size 5 %) = 1.2·10⁻³). Power, from the binomial:
  // a true size of 10 % (2×) passes with probability 1.3·10⁻³, 8.75 % with 0.044, 2.5 % (half) with 0.30.
  const R = 1000;
  const lo = 28;
  const hi = 72;
  const count = (f: (u: () => number) => number) => {
    let k = 0;
    for (let s = 0; s < R; s++) if (f(uniformSource(1000 + s)) < 0.05) k++;
    return k;
  };

  it('Mann–Whitney (normal approximation, n = 60 / 50)', () => {
    const k = count((u) => mannWhitneyTest(normals(u, 60), normals(u, 50)).pValue);
    expect(k).toBeGreaterThanOrEqual(lo);
    expect(k).toBeLessThanOrEqual(hi);
  });

  it('Mann–Whitney exact (n = 8 / 7; discrete, so only the upper bound: size ≤ 5 %)', () => {
    const k = count((u) => mannWhitneyTest(normals(u, 8), normals(u, 7)).pValue);
    expect(k).toBeLessThanOrEqual(hi);
  });

  it('KS two-sample, exact (n = 60 / 50) and asymptotic (n = 150 / 120)', () => {
    const ke = count((u) => ksTwoSample(normals(u, 60), normals(u, 50)).pValue);
    const ka = count((u) => ksTwoSample(normals(u, 150), normals(u, 120)).pValue);
    for (const k of [ke, ka]) {
      expect(k).toBeGreaterThanOrEqual(lo);
      expect(k).toBeLessThanOrEqual(hi);
    }
  });

  it('bootstrap of the difference of means (n = 150 / 120, 499 resamples)', () => {
    const k = count(
      (u) => bootstrapMeanDifference(normals(u, 150), normals(u, 120), { resamples: 499, seed: Math.floor(u() * 4294967296) }).pValue,
    );
    expect(k).toBeGreaterThanOrEqual(lo);
    expect(k).toBeLessThanOrEqual(hi);
  });

  it('log-rank with tied (discretised) exponential times and censoring (n = 100 / 100)', () => {
    const sample = (u: () => number, n: number) => {
      const times = new Float64Array(n);
      const events = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        const t = Math.ceil(-Math.log(u()) / 0.05); // steps of 0.05, rate 1
        const c = Math.min(40, Math.ceil((u() * 3) / 0.05)); // random and fixed censoring
        times[i] = Math.min(t, c);
        events[i] = t <= c ? 1 : 0;
      }
      return { times, events };
    };
    const k = count((u) => logRankTest(sample(u, 100), sample(u, 100)).pValue);
    expect(k).toBeGreaterThanOrEqual(lo);
    expect(k).toBeLessThanOrEqual(hi);
  });

  it('two-proportion z (p = 0.2, n = 150 / 120)', () => {
    const binom = (u: () => number, n: number) => {
      let x = 0;
      for (let i = 0; i < n; i++) if (u() < 0.2) x++;
      return x;
    };
    const k = count((u) => twoProportionTest(binom(u, 150), 150, binom(u, 120), 120).pValue);
    expect(k).toBeGreaterThanOrEqual(lo);
    expect(k).toBeLessThanOrEqual(hi);
  });
});

// ------------------------------------------------------------------ runs

const doubleWell = (name: string, seed: number, temperature: number, replicas: number, steps: number, lr: number, enter: number) =>
  validateScenarioObject(
    {
      name,
      seed,
      potential: { kind: 'double-well', params: { h: 1 } },
      dynamics: { integrator: 'sgld', lr, temperature, steps },
      ensemble: { replicas, init: { kind: 'normal', mean: [-1], std: [0.1] } },
      observe: {
        grid: { kind: 'log', points: 10 },
        observables: ['x', 'energy', 'well'],
        events: [{ name: 'escape', enter: { x: { ge: enter } } }],
      },
    },
    '',
  );

const row = (c: Comparison, kind: ComparisonRow['kind'], subject: string, b?: string) => {
  const r = c.rows.find((x) => x.kind === kind && x.subject === subject && (b === undefined || x.pair.b === b));
  if (!r) throw new Error(`no row ${kind} ${subject}`);
  return r;
};

// Size at run level (pairs of identical scenarios with different seeds): test/results/compare-size.slow.test.ts,
// 500 pairs so that a doubled size fails with probability 0.945.

describe('power and the comparison of two runs', () => {
  it('double well θ = 0.2 vs θ = 0.3 (independent seeds): MFPT and final distribution differ with p < 1e-3', async () => {
    const da = tmp();
    const db = tmp();
    await runScenario(doubleWell('cold', 1, 0.2, 1000, 20000, 1e-3, 1), { out: da, workers: 0 });
    await runScenario(doubleWell('hot', 2, 0.3, 1000, 20000, 1e-3, 1), { out: db, workers: 0 });
    const c = compareRuns(da, db, { labels: ['cold', 'hot'] });
    expect(c.schema).toBe('stochdyn.comparison/1');
    expect(c.kind).toBe('pair');
    const mfpt = row(c, 'mfpt', 'escape');
    expect(mfpt.test).toBe('log-rank');
    expect(mfpt.pValue!).toBeLessThan(1e-3);
    expect(mfpt.differs).toBe(true);
    expect(mfpt.a.value!).toBeGreaterThan(mfpt.b.value!); // colder escapes later
    expect(mfpt.difference.value!).toBeLessThan(0);
    expect(row(c, 'location', 'x').pValue!).toBeLessThan(1e-3);
    expect(row(c, 'shape', 'x').pValue!).toBeLessThan(1e-3);
    expect(row(c, 'shape', 'x').decidedBy).toMatch(/Kolmogorov–Smirnov/);
    expect(row(c, 'location', 'x').decidedBy).toMatch(/Mann–Whitney/);
    expect(row(c, 'fraction-entered', 'escape').differs).toBe(true);
    expect(row(c, 'occupancy', 'well=1').differs).toBe(true);
    expect(row(c, 'divergence', 'divergence').differs).toBe(false);
    // the MFPT estimates are summary.json's
    const sa = JSON.parse(readFileSync(join(da, 'summary.json'), 'utf8'));
    expect(mfpt.a.value).toBe(sa.events.escape.mfpt.time);
    expect(mfpt.a.ci95).toEqual(sa.events.escape.mfpt.ci95Time);
    // no mean/location/shape rows for 'well' (occupancy instead)
    expect(c.rows.some((r) => r.subject === 'well')).toBe(false);
    const text = formatComparison(c);
    expect(text).toMatch(/escape: MFPT \(time\)/);
    expect(text).toMatch(/x: final distribution +— +— +— +KS two-sample +D = /);
  });

  it('mismatched observables and events are listed in notes, not fatal', async () => {
    const da = tmp();
    const db = tmp();
    await runScenario(doubleWell('m1', 1, 0.3, 200, 500, 1e-2, 0.5), { out: da, workers: 0 });
    const other = validateScenarioObject(
      {
        name: 'm2',
        seed: 3,
        potential: { kind: 'double-well', params: { h: 1 } },
        dynamics: { integrator: 'sgld', lr: 1e-2, temperature: 0.3, steps: 500 },
        ensemble: { replicas: 200, init: { kind: 'normal', mean: [-1], std: [0.1] } },
        observe: {
          grid: { kind: 'log', points: 10 },
          observables: ['x', 'grad_norm'],
          events: [{ name: 'other', enter: { x: { ge: 0 } } }],
        },
      },
      '',
    );
    await runScenario(other, { out: db, workers: 0 });
    const c = compareRuns(da, db);
    const notes = c.notes.join('\n');
    expect(notes).toMatch(/observable 'energy' only in/);
    expect(notes).toMatch(/observable 'grad_norm' only in/);
    expect(notes).toMatch(/event 'escape' only in/);
    expect(notes).toMatch(/event 'other' only in/);
    expect(c.rows.map((r) => r.subject)).toEqual(expect.arrayContaining(['x', 'divergence']));
    expect(c.rows.some((r) => r.subject === 'energy' || r.subject === 'escape')).toBe(false);
  });
});

describe('regimes end to end (test/fixtures/compare/regimes-tiny.yaml)', () => {
  it('runs every regime with common random numbers, writes regimes.json, regimes/<name>/ and comparison.json', async () => {
    const s = await loadScenario('test/fixtures/compare/regimes-tiny.yaml');
    const dir = join(tmp(), 'rg');
    const out = await runRegimes(s, { out: dir, workers: 0 });
    const meta = JSON.parse(readFileSync(join(dir, 'regimes.json'), 'utf8'));
    expect(meta.schema).toBe('stochdyn.regimes/1');
    expect(meta.baseline).toBe('theta-0.2');
    expect(meta.regimes.map((r: { name: string }) => r.name)).toEqual(['theta-0.2', 'theta-0.3', 'theta-0.2-again', 'gd']);
    expect(meta.regimes[1].overrides).toEqual({ 'dynamics.temperature': 0.3 });
    for (const r of meta.regimes) expect(existsSync(join(dir, 'regimes', r.name, 'summary.json'))).toBe(true);
    // same run index 0 and seed → the repeated regime is bit-identical
    expect(readFileSync(join(dir, 'regimes/theta-0.2-again/finals.csv'), 'utf8')).toBe(
      readFileSync(join(dir, 'regimes/theta-0.2/finals.csv'), 'utf8'),
    );
    const c = JSON.parse(readFileSync(join(dir, 'comparison.json'), 'utf8')) as Comparison;
    expect(c).toEqual(JSON.parse(JSON.stringify(out.comparison)));
    expect(c.schema).toBe('stochdyn.comparison/1');
    expect(c.kind).toBe('regimes');
    expect(c.a.label).toBe('theta-0.2');
    expect((c.b as Array<{ label: string }>).map((b) => b.label)).toEqual(['theta-0.3', 'theta-0.2-again', 'gd']);
    // rows grouped by pair, in regime order, each against the baseline
    const order = c.rows.map((r) => r.pair.b).filter((b, i, all) => all.indexOf(b) === i);
    expect(order).toEqual(['theta-0.3', 'theta-0.2-again', 'gd']);
    expect(c.rows.every((r) => r.pair.a === 'theta-0.2')).toBe(true);
    // power on the CRN pair θ = 0.2 vs 0.3
    expect(row(c, 'mfpt', 'escape', 'theta-0.3').pValue!).toBeLessThan(1e-3);
    expect(row(c, 'shape', 'x', 'theta-0.3').pValue!).toBeLessThan(1e-3);
    expect(row(c, 'mean', 'x', 'theta-0.3').test).toBe('paired bootstrap');
    // identical regime: nothing differs
    for (const r of c.rows.filter((r) => r.pair.b === 'theta-0.2-again')) {
      expect(r.differs, r.name).toBe(false);
    }
    // gd never escapes: its MFPT is ∞ (null in JSON) and the log-rank finds the difference
    const gd = row(c, 'mfpt', 'escape', 'gd');
    expect(gd.b.value).toBeNull();
    expect(gd.pValue!).toBeLessThan(1e-3);
    expect(c.notes.join('\n')).toMatch(/same seed and run index 0/);
    expect(formatComparison(out.comparison)).toMatch(
      /theta-0.2 \(A\) vs gd \(B\)[\s\S]*escape: MFPT \(time\) +[\d.]+ \[[\d.]+, [\d.]+\] +∞ \[/,
    );
  });
});

describe('CLI', () => {
  const cli = (...args: string[]) => runCli(args, { cwd: process.cwd() });

  it('compare <runA> <runB> writes <runB>/comparison-vs-<runA>.json; --json prints it; bad input exits 2', async () => {
    const root = tmp();
    const da = join(root, 'runA');
    const db = join(root, 'runB');
    await runScenario(doubleWell('c1', 1, 0.3, 200, 500, 1e-2, 0.5), { out: da, workers: 0 });
    await runScenario(doubleWell('c2', 2, 0.3, 200, 500, 1e-2, 0.5), { out: db, workers: 0 });
    const r = cli('compare', da, db);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/runA \(A\) vs runB \(B\)/);
    expect(r.stdout).toMatch(/escape: MFPT \(time\)/);
    expect(existsSync(join(db, 'comparison-vs-runA.json'))).toBe(true);
    const j = cli('compare', da, db, '--json', '--out', join(root, 'c.json'));
    expect(j.status).toBe(0);
    expect(JSON.parse(j.stdout).schema).toBe('stochdyn.comparison/1');
    expect(JSON.parse(readFileSync(join(root, 'c.json'), 'utf8')).rows.length).toBeGreaterThan(5);
    const missing = cli('compare', join(root, 'nope'), db);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/no such directory/);
    const notRun = cli('compare', resolve('test/fixtures/compare/not-a-run'), db);
    expect(notRun.status).toBe(2);
    expect(notRun.stderr).toMatch(/no summary\.json/);
    const noRegimes = cli('compare', 'scenarios/quickstart.yaml');
    expect(noRegimes.status).toBe(2);
    expect(noRegimes.stderr).toMatch(/regimes/);
  });

  it('run <scenario with regimes> runs the regimes and prints the comparison table', () => {
    const out = join(tmp(), 'rg');
    const r = cli(
      'run',
      'test/fixtures/compare/regimes-tiny.yaml',
      '--replicas',
      '200',
      '--set',
      'dynamics.steps=2000',
      '--out',
      out,
      '--no-report',
      '--quiet',
    );
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Regimes of 'regimes-tiny' against the baseline 'theta-0.2'/);
    expect(r.stdout).toMatch(/theta-0.2 \(A\) vs theta-0.3 \(B\)/);
    expect(existsSync(join(out, 'comparison.json'))).toBe(true);
    expect(existsSync(join(out, 'regimes', 'gd', 'summary.json'))).toBe(true);
  });
});
