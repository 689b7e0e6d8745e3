/**
 * `relation-bounds` analysis (docs/models.md §3.3): closed forms f(m), f_UB(m), p_c
 * recomputed here independently (Math.pow / log sums), the split's known
 * fraction for greater-than against a brute-force transitive closure
 * (Warshall), the Monte Carlo identical to theory's inferableMonteCarlo with
 * the same seed, and one tiny relation-learner run through runScenario whose
 * summary.json carries the result next to the measured accuracies.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { relationBounds } from '../../src/analysis/relation-bounds.js';
import { analysisText } from '../../src/analysis/index.js';
import { runScenario } from '../../src/runs/run.js';
import { sweepTable, type SweepMeta } from '../../src/results/sweep-files.js';
import { relationLearnerData } from '../../src/potentials/relation/relation-learner/index.js';
import { ScenarioError, validateScenarioObject } from '../../src/scenario/index.js';
import { inferableMonteCarlo } from '../../src/theory/relations.js';

const log2fact = (n: number) => {
  let s = 0;
  for (let j = 2; j <= n; j++) s += Math.log(j) / Math.LN2;
  return s;
};

describe('relation-bounds: closed forms', () => {
  it('mod 3, n = 30, fraction 0.5: m = 450, b = 30 log₂3, f = 1 − (1 − 1/b)^m, f_UB = f + (2/3)(1 − f), p_c = ln 0.1/(900 ln(1 − 1/b))', () => {
    const r = relationBounds({ relation: 'mod', k: 3, train_fraction: 0.5 }, 7, { trials: 0 });
    const b = 30 * (Math.log(3) / Math.LN2);
    const f = 1 - Math.pow(1 - 1 / b, 450);
    expect(r.m).toBe(450);
    expect(r.N).toBe(900);
    expect(r.b).toBeCloseTo(b, 12);
    expect(r.pStar).toBeCloseTo(1 / 3, 15);
    expect(r.f).toBeCloseTo(f, 12);
    expect(r.fUB).toBeCloseTo(f + (2 / 3) * (1 - f), 12);
    expect(r.pc).toBeCloseTo(Math.log(0.1) / (900 * Math.log(1 - 1 / b)), 12);
    expect(r.monteCarlo).toBeNull();
  });

  it('greater-than, fraction 0.25, α = 0.8: b = log₂ 30!, p* = 1/3', () => {
    const r = relationBounds({ relation: 'greater-than', train_fraction: 0.25 }, 3, { trials: 0, alpha: 0.8 });
    const b = log2fact(30);
    const m = 225;
    const f = 1 - Math.pow(1 - 1 / b, m);
    expect(r.m).toBe(m);
    expect(r.b).toBeCloseTo(b, 10);
    expect(r.f).toBeCloseTo(f, 12);
    expect(r.fUB).toBeCloseTo(f + (2 / 3) * (1 - f), 12);
    expect(r.pc).toBeCloseTo(Math.log(0.2) / (900 * Math.log(1 - 1 / b)), 12);
  });

  it('fraction 1: everything known, no held-out pairs', () => {
    const r = relationBounds({ relation: 'mod', k: 3, train_fraction: 1 }, 1, { trials: 0 });
    expect(r.m).toBe(900);
    expect(r.split.knownFraction).toBe(1);
    expect(r.split.accuracyBound).toBe(1);
    expect(r.split.testInferableFraction).toBeNull();
    expect(r.split.testAccuracyBound).toBeNull();
  });
});

describe('relation-bounds: the run’s split', () => {
  it('greater-than: known pairs = reflexive + pairs comparable in the transitive closure of the training edges (brute force)', () => {
    const n = 30;
    for (const [seed, fraction] of [
      [5, 0.05],
      [11, 0.1],
      [2, 0.3],
    ] as const) {
      const params = { relation: 'greater-than', train_fraction: fraction };
      const r = relationBounds(params, seed, { trials: 0 });
      const { train } = relationLearnerData(params, { seed, run: 0 });
      const reach = Array.from({ length: n }, () => new Uint8Array(n));
      for (const idx of train) {
        const x = Math.floor(idx / n);
        const y = idx % n;
        if (x !== y) reach[Math.min(x, y)][Math.max(x, y)] = 1;
      }
      for (let k = 0; k < n; k++) for (let i = 0; i < n; i++) if (reach[i][k]) for (let j = 0; j < n; j++) if (reach[k][j]) reach[i][j] = 1;
      let known = n;
      for (let x = 0; x < n; x++) for (let y = 0; y < n; y++) if (x !== y && (reach[x][y] || reach[y][x])) known++;
      expect(r.split.knownFraction).toBeCloseTo(known / (n * n), 15);
      // Held-out bound: inferable held-out pairs count fully, the rest at max(p*, 1 − p*) = 2/3.
      const m = train.length;
      let trainReflexive = 0;
      for (const idx of train) if (Math.floor(idx / n) === idx % n) trainReflexive++;
      expect(known).toBeGreaterThanOrEqual(m + n - trainReflexive);
      const inf = (known - m) / (n * n - m);
      expect(r.split.testInferableFraction).toBeCloseTo(inf, 15);
      expect(r.split.testAccuracyBound).toBeCloseTo(inf + (2 / 3) * (1 - inf), 15);
    }
  });

  it('the Monte Carlo is theory’s inferableMonteCarlo over random training sets of the same size and seed', () => {
    const r = relationBounds({ relation: 'mod', k: 3, train_fraction: 0.1 }, 9, { trials: 40, mcSeed: 4 });
    const mc = inferableMonteCarlo({ rel: { kind: 'mod', k: 3 }, n: 30, m: 90, trials: 40, seed: 4 });
    expect(r.monteCarlo!.knownFraction).toEqual(mc.knownFraction);
    expect(r.monteCarlo!.testInferableFraction).toEqual(mc.testInferableFraction);
    expect(r.monteCarlo!.accuracyBound).toEqual(mc.accuracyBound);
  });
});

describe('relation-bounds through runScenario', () => {
  const doc = (extra: Record<string, unknown> = {}) => ({
    name: 'rb',
    seed: 7,
    potential: { kind: 'relation-learner', params: { depth: 1, width: 6, relation: 'mod', k: 3, train_fraction: 0.4 } },
    dynamics: { integrator: 'adam', lr: 1e-2, steps: 30 },
    ensemble: { replicas: 3, init: { kind: 'potential' } },
    observe: { grid: { kind: 'linear', points: 3 }, observables: ['train_accuracy', 'test_accuracy', 'accuracy'] },
    analysis: [{ kind: 'relation-bounds', trials: 20 }],
    ...extra,
  });

  it('summary.json analyses[0]: bounds of the run’s split and the measured final accuracies', async () => {
    const s = validateScenarioObject(doc(), '');
    const dir = mkdtempSync(join(tmpdir(), 'stochdyn-rb-'));
    await runScenario(s, { out: dir, workers: 0 });
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    const a = summary.analyses[0];
    expect(a.kind).toBe('relation-bounds');
    expect(a.m).toBe(360);
    const direct = relationBounds({ depth: 1, width: 6, relation: 'mod', k: 3, train_fraction: 0.4 }, 7, { trials: 20 });
    expect(a.f).toBe(direct.f);
    expect(a.split).toEqual(direct.split);
    expect(a.monteCarlo.knownFraction).toEqual(direct.monteCarlo!.knownFraction);
    const test = summary.observables.test_accuracy.final;
    expect(a.measured.testAccuracy.mean).toBe(test.mean);
    expect(a.measured.testMinusBound).toBeCloseTo(test.mean - direct.split.testAccuracyBound!, 15);
    expect(a.columns).toEqual({
      m: 360,
      f: direct.f,
      f_ub: direct.fUB,
      p_c: direct.pc,
      split_known: direct.split.knownFraction,
      test_inferable: direct.split.testInferableFraction,
      test_bound: direct.split.testAccuracyBound,
      mc_known: direct.monteCarlo!.knownFraction.mean,
      mc_known_se: direct.monteCarlo!.knownFraction.se,
      test_accuracy: test.mean,
      test_minus_bound: a.measured.testMinusBound,
      accuracy: summary.observables.accuracy.final.mean,
      accuracy_bound: direct.split.accuracyBound,
      accuracy_minus_bound: a.measured.accuracyMinusBound,
    });
    // The whole-data accuracy is the pair-weighted mean of train and held-out accuracy (360 of 900 pairs train).
    const train = summary.observables.train_accuracy.final;
    const all = summary.observables.accuracy.final;
    expect(all.mean).toBeCloseTo((360 * train.mean + 540 * test.mean) / 900, 12);
    expect(a.measured.accuracyMinusBound).toBeCloseTo(all.mean - direct.split.accuracyBound, 15);
    expect(a.measured.accuracyMinusFUB).toBeCloseTo(all.mean - direct.fUB, 15);
    // A sweep writes the columns to sweep.csv as relation_bounds_<key>.
    const meta = { axes: [{ key: 'seed', values: [7] }], points: [{ index: 0, values: { seed: 7 } }], scenario: s } as unknown as SweepMeta;
    const table = sweepTable(meta, [summary]);
    const col = (name: string) => table.rows[0][table.header.indexOf(name)];
    expect(col('relation_bounds_test_bound')).toBe(direct.split.testAccuracyBound);
    expect(col('relation_bounds_f_ub')).toBe(direct.fUB);
    expect(col('relation_bounds_test_accuracy')).toBe(test.mean);
    const text = analysisText(a);
    expect(text).toMatch(/^relation-bounds: m = 360/);
    expect(text).not.toMatch(/undefined|NaN/);
  });

  it('refuses a potential other than relation-learner, and a bad trials count, before running', async () => {
    const bad = async (d: Record<string, unknown>) => {
      const err = await runScenario(validateScenarioObject(d, ''), { out: mkdtempSync(join(tmpdir(), 'stochdyn-rb-')), workers: 0 }).catch(
        (e) => e,
      );
      expect(err).toBeInstanceOf(ScenarioError);
      return (err as ScenarioError).issues;
    };
    const other = await bad({
      ...doc(),
      potential: { kind: 'double-well', params: {} },
      observe: { grid: { kind: 'linear', points: 3 }, observables: ['energy'] },
    });
    expect(other.find((i) => i.path === 'analysis[0].kind')?.expected).toMatch(/relation-learner/);
    const trials = await bad(doc({ analysis: [{ kind: 'relation-bounds', trials: -1 }] }));
    expect(trials.some((i) => i.path === 'analysis[0].trials')).toBe(true);
  });
});
