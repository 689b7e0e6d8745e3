/**
 * Size of `compare` at run level: pairs of identical double-well scenarios
 * that differ only in their seed (H0 true), compared by compareRuns like two
 * user runs. Each test kind (MFPT, fraction entered, mean, location, shape)
 * must reject at the 5 % level (p < 0.05) no more often than Binomial(500, 0.05)
 * allows; the 5 % level has the power to see a doubled size, which the verdict
 * level of `differs` (0.001) would not with 500 pairs. `differs` must be exactly
 * p < COMPARISON_LEVEL.
 * 500 pairs so that a doubled size fails with high probability (the
 * synthetic-sample size checks are in compare.test.ts; the location test's
 * exact size, without Monte Carlo, in test/stats/location-size.test.ts).
 *
 * 100 replicas per run: the small-n end, where a test that is anti-conservative
 * at small samples shows first. Sizes at n = 100 measured on 4,500 pairs (these
 * 500 and 4,000 more, seeds up to 9099; binomial SE 0.0032): MFPT 0.048,
 * fraction entered 0.050, mean 0.046, location 0.048, shape 0.032 (KS is exact
 * and discrete at 100 × 100, hence conservative). The location test's exact
 * size at n = 100 is 0.0498; with these seeds it rejects 38 times of 500
 * (P(≥ 38) = 0.007 per kind), inside the bound. The mean row's percentile
 * bootstrap is anti-conservative at smaller n (0.060 ± 0.002 at n = 25 and
 * 0.055 ± 0.002 at n = 50 on normal samples; docs/sweeps.md).
 */
import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMPARISON_LEVEL, type Comparison, type ComparisonRow } from '../../src/analysis/compare.js';
import { compareRuns } from '../../src/results/compare.js';
import { runScenario } from '../../src/runs/run.js';
import { validateScenarioObject } from '../../src/scenario/index.js';
import { tempDir } from '../helpers.js';

const PAIRS = 500;
/**
 * Under H0 the rejections of one kind are Binomial(500, 0.05): mean 25, σ = 4.9. We accept ≤ 39:
 * P(> 39 | size 5 %) = 2.7·10⁻³ per kind. Power, from the binomial: a true size of 10 % (2×) passes with
 * probability 0.055 (fails with 0.945), 8.75 % with 0.25.
 */
const MAX_REJECTIONS = 39;

/** θ = 0.3, η = 0.02, 1,000 steps (t = 20, a few mean escape times), 100 replicas started in the left well. */
const doubleWell = (seed: number) =>
  validateScenarioObject(
    {
      name: 'size',
      seed,
      potential: { kind: 'double-well', params: { h: 1 } },
      dynamics: { integrator: 'sgld', lr: 0.02, temperature: 0.3, steps: 1000 },
      ensemble: { replicas: 100, init: { kind: 'normal', mean: [-1], std: [0.1] } },
      observe: {
        grid: { kind: 'log', points: 10 },
        observables: ['x', 'energy', 'well'],
        events: [{ name: 'escape', enter: { x: { ge: 0.5 } } }],
      },
    },
    '',
  );

const row = (c: Comparison, kind: ComparisonRow['kind'], subject: string) => {
  const r = c.rows.find((x) => x.kind === kind && x.subject === subject);
  if (!r) throw new Error(`no row ${kind} ${subject}`);
  return r;
};

describe('size at run level: 500 pairs of identical scenarios with different seeds', () => {
  it(`rejections at 5 % per test kind ≤ ${MAX_REJECTIONS} of ${PAIRS} (Binomial(500, 0.05); a doubled size fails with probability 0.945)`, async () => {
    const counts: Record<string, number> = { mfpt: 0, location: 0, shape: 0, mean: 0, 'fraction-entered': 0 };
    for (let k = 0; k < PAIRS; k++) {
      const da = tempDir('compare-size');
      const db = tempDir('compare-size');
      await runScenario(doubleWell(2 * k + 100), { out: da, workers: 0 });
      await runScenario(doubleWell(2 * k + 101), { out: db, workers: 0 });
      const c = compareRuns(da, db, { labels: ['a', 'b'] }); // fixed labels: the bootstrap's seed is derived from them
      expect(c.notes.join('\n')).not.toMatch(/common random numbers \(/); // different seeds: independent
      for (const kind of Object.keys(counts)) {
        const r = row(c, kind as ComparisonRow['kind'], kind === 'mfpt' || kind === 'fraction-entered' ? 'escape' : 'x');
        if (r.pValue! < 0.05) counts[kind]!++;
        expect(r.differs, r.name).toBe(r.pValue! < COMPARISON_LEVEL);
      }
      for (const d of [da, db]) rmSync(d, { recursive: true, force: true });
    }
    console.log(`[compare-size] rejections of ${PAIRS}: ${JSON.stringify(counts)}`);
    for (const [kind, n] of Object.entries(counts)) expect(n, kind).toBeLessThanOrEqual(MAX_REJECTIONS);
  });
});
