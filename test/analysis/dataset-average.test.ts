// Sweep analysis `dataset-average`: grouping by the other swept keys, the mean and its standard error
// across the values of `over` against the formulas written out, paired differences, missing values,
// and what it refuses.
import { describe, expect, test } from 'vitest';
import { getAnalysis, type SweepAnalysis, type SweepAnalysisContext } from '../../src/analysis/index.js';
import { acrossMean } from '../../src/analysis/dataset-average.js';
import type { Summary } from '../../src/analysis/summary.js';

type Obj = Record<string, any>;

describe('dataset-average', () => {
  const a = getAnalysis('dataset-average') as SweepAnalysis<Obj>;
  // Two values of n × three data sets; metric m = n/100 + dataset, theory t = dataset²; one missing value.
  const points = [100, 200].flatMap((n, i) =>
    [0, 1, 2].map((k, j) => ({
      index: i * 3 + j,
      values: { 'potential.params.n': n, 'potential.params.dataset': k },
      summary: { theory: [{ columns: { m: n / 100 + k, t: k * k, gap: n === 200 && k === 2 ? null : k } }] } as unknown as Summary,
    })),
  );
  const ctx = { keys: ['potential.params.n', 'potential.params.dataset'], points } as unknown as SweepAnalysisContext;
  const entry = {
    over: 'potential.params.dataset',
    metrics: ['theory.0.columns.m', 'theory.0.columns.gap'],
    paired: [['theory.0.columns.m', 'theory.0.columns.t']],
  };
  test('groups by n; mean and SE across data sets; paired differences', () => {
    const r = a.run(entry, ctx) as Obj;
    expect(r.groupedBy).toEqual(['potential.params.n']);
    expect(r.groups.map((g: Obj) => g.values['potential.params.n'])).toEqual([100, 200]);
    for (const g of r.groups) {
      const base = g.values['potential.params.n'] / 100;
      const m = g.metrics['theory.0.columns.m'];
      // values base + 0, 1, 2: mean base + 1, sd 1, SE 1/√3.
      expect(m.mean).toBeCloseTo(base + 1, 12);
      expect(m.se).toBeCloseTo(1 / Math.sqrt(3), 12);
      expect(m.count).toBe(3);
      // m − t = base + k − k²: values base, base, base − 2: mean base − 2/3, sd = √(4/3), SE = √(4/9).
      const p = g.paired[0];
      expect(p.mean).toBeCloseTo(base - 2 / 3, 12);
      expect(p.se).toBeCloseTo(2 / 3, 12);
      expect(p.t).toBeCloseTo((base - 2 / 3) / (2 / 3), 12);
    }
    expect(r.groups[1].metrics['theory.0.columns.gap']).toMatchObject({ count: 2, missing: 1, mean: 0.5 });
    expect(String(r.text)).toMatch(/potential\.params\.n = 100 \(3 values of potential\.params\.dataset\)/);
  });
  test('one value: a mean without an SE; none: null', () => {
    expect(acrossMean([2, null, Number.NaN])).toEqual({ mean: 2, se: null, count: 1, missing: 2 });
    expect(acrossMean([])).toEqual({ mean: null, se: null, count: 0, missing: 0 });
  });
  test('refused: `over` not swept, a zip sweep, bad metric paths, malformed pairs', () => {
    const s = { sweep: { mode: 'zip', 'potential.params.n': [1, 2] }, observe: { observables: [] } } as Obj;
    const plan = { events: [] } as Obj;
    const issues = a.check!(
      { over: 'potential.params.dataset', metrics: ['nowhere.x'], paired: [['theory.0.a']] },
      s as never,
      null as never,
      plan as never,
    );
    const text = issues.map((i) => `${i.key}: ${i.expected}`).join('\n');
    expect(text).toMatch(/over: a swept key \(potential\.params\.n\)/);
    expect(text).toMatch(/over: a grid sweep/);
    expect(text).toMatch(/metrics\[0\]: a summary\.json path starting with/);
    expect(text).toMatch(/paired: a list of \[a, b\] pairs/);
  });
});
