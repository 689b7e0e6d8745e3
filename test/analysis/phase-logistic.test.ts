// Sweep analysis `phase-logistic`: boundaries recovered from counts simulated with a known logistic law
// (seeded; tolerances 4 standard errors of the fit), the shift test with and without a true shift, the
// log–log slope against the ratio and product rules, which replicas are counted, and what it refuses.
import { describe, expect, test } from 'vitest';
import { getAnalysis, type SweepAnalysis, type SweepAnalysisContext } from '../../src/analysis/index.js';
import type { Summary } from '../../src/analysis/summary.js';
import { seededUniform } from '../../src/random/rng.js';

type Obj = Record<string, any>;
const a = getAnalysis('phase-logistic') as SweepAnalysis<Obj>;
const X = 'dynamics.groups.decoder.lr';
const BY = 'dynamics.groups.decoder.weight_decay';
const K = 4; // k·σ

/** Points on a grid of x (log10 from −4 to −2) × by; each replica memorizes with P = σ(sharp·(log10 x − boundary(by))). */
function simulate(seed: number, bys: number[], boundary: (by: number) => number, replicas = 24, sharp = 3): SweepAnalysisContext {
  const rand = seededUniform(seed, 'phase-logistic-test');
  const us = [-4, -3.667, -3.333, -3, -2.667, -2.333, -2];
  const points = bys.flatMap((by) =>
    us.map((u) => {
      const p = 1 / (1 + Math.exp(-sharp * (u - boundary(by))));
      let mem = 0;
      for (let r = 0; r < replicas; r++) if (rand() < p) mem++;
      // Two confusion replicas per cell are never counted; comprehension and grokking share the rest.
      const gen = replicas - mem;
      const counts = { comprehension: Math.ceil(gen / 2), grokking: Math.floor(gen / 2), memorization: mem, confusion: 2 };
      return { values: { [X]: 10 ** u, [BY]: by }, summary: { analyses: [{ kind: 'learning-phases', counts }] } as unknown as Summary };
    }),
  );
  return { keys: [X, BY], points: points.map((p, index) => ({ index, ...p })) } as unknown as SweepAnalysisContext;
}

describe('phase-logistic', () => {
  test('one swept key: the boundary and its width', () => {
    const r = a.run(
      { x: X },
      simulate(1, [0], () => -3.2),
    ) as Obj;
    expect(r.replicas).toBe(7 * 24);
    expect(r.excludedReplicas).toBe(7 * 2);
    const b = r.boundary;
    expect(Math.abs(b.log10X - -3.2)).toBeLessThan(K * b.se);
    const slope = r.fit.coefficients[1];
    expect(Math.abs(slope.estimate - 3)).toBeLessThan(K * slope.se);
    expect(b.width10to90Decades).toBeCloseTo((2 * Math.log(9)) / slope.estimate, 12);
    // Pearson χ² written out from the cells and the fitted probabilities
    const chi2 = r.cells.reduce(
      (acc: number, c: Obj) => acc + (c.positive - c.replicas * c.fitted) ** 2 / (c.replicas * c.fitted * (1 - c.fitted)),
      0,
    );
    expect(r.fit.goodnessOfFit.statistic).toBeCloseTo(chi2, 10);
    expect(r.fit.goodnessOfFit.df).toBe(7 - 2);
    // the data follow the model: no misfit at 4σ (p > 6e-5)
    expect(r.fit.goodnessOfFit.p).toBeGreaterThan(6e-5);
    // per cell: the observed fraction and its Wilson interval
    for (const c of r.cells) {
      expect(c.fraction).toBeCloseTo(c.positive / c.replicas, 12);
      expect(c.ci95[0]).toBeLessThanOrEqual(c.fraction);
      expect(c.ci95[1]).toBeGreaterThanOrEqual(c.fraction);
    }
  });

  test('a factor that does not move the boundary: shifts within 4 SE of 0', () => {
    const r = a.run(
      { x: X, by: BY, by_scale: 'factor' },
      simulate(2, [0, 0.1, 1], () => -3.2),
    ) as Obj;
    expect(r.boundary.perLevel).toHaveLength(3);
    for (const s of r.boundary.shifts.slice(1)) expect(Math.abs(s.shiftDecades)).toBeLessThan(K * s.se);
    expect(r.boundary.test.df).toBe(2);
    expect(r.boundary.test.statistic).toBeGreaterThanOrEqual(0);
  });

  test('a factor that moves the boundary by half a decade: detected, and measured within 4 SE', () => {
    const r = a.run(
      { x: X, by: BY, by_scale: 'factor' },
      simulate(3, [0, 1], (by) => -3.2 + 0.5 * by),
    ) as Obj;
    const s = r.boundary.shifts[1];
    expect(Math.abs(s.shiftDecades - 0.5)).toBeLessThan(K * s.se);
    expect(r.boundary.test.p).toBeLessThan(1e-3);
  });

  test('a boundary that is not a line in log10 x (non-monotonic cells): the goodness of fit says so', () => {
    const ctx = simulate(7, [0], () => -3.2);
    // turn the upper half of the cells around: P falls again at large x
    for (const p of (ctx as Obj).points.slice(5)) {
      const c = p.summary.analyses[0].counts;
      [c.memorization, c.comprehension] = [c.comprehension + c.grokking, c.memorization];
      c.grokking = 0;
    }
    const r = a.run({ x: X }, ctx) as Obj;
    expect(r.fit.goodnessOfFit.p).toBeLessThan(1e-4);
  });

  test('a log covariate: the log–log slope of a ratio rule, against both rules', () => {
    const ctx = simulate(4, [1e-4, 1e-3, 1e-2], (by) => 0.75 + Math.log10(by));
    const r = a.run({ x: X, by: BY }, ctx) as Obj;
    expect(r.byScale).toBe('log');
    const b = r.boundary;
    expect(Math.abs(b.slope - 1)).toBeLessThan(K * b.slopeSe);
    expect(Math.abs(b.intercept - 0.75)).toBeLessThan(K * b.interceptSe);
    expect(b.rules.product.p).toBeLessThan(1e-6);
    expect(b.slopeCi95[0]).toBeLessThan(b.slope);
  });

  test('counts every replica in one class: no fit, and says why', () => {
    const r = a.run(
      { x: X },
      simulate(5, [0], () => -10),
    ) as Obj;
    expect(r.fit).toBeNull();
    expect(r.notes.join(' ')).toMatch(/every counted replica is positive/);
  });

  test('positive and negative choose the phases compared', () => {
    const r = a.run(
      { x: X, positive: ['confusion'], negative: ['memorization'] },
      simulate(6, [0], () => -3.2),
    ) as Obj;
    // confusion: 2 per cell; comprehension and grokking are left out
    expect(r.positives).toBe(7 * 2);
    expect(r.excludedReplicas).toBe(7 * 24 - (r.replicas - r.positives));
  });

  test('a log covariate that is not positive everywhere: no fit, and says why (no exception)', () => {
    const r = a.run(
      { x: X, by: BY, by_scale: 'log' },
      simulate(8, [0, 1], () => -3.2),
    ) as Obj;
    expect(r.fit).toBeNull();
    expect(r.notes.join(' ')).toMatch(/is not a positive number at every point/);
  });

  test('refuses a key that is not swept, a bad scale and a scenario without learning-phases', () => {
    const s = { sweep: { [X]: [1e-3, 1e-2] }, analysis: [{ kind: 'phase-logistic' }] } as unknown as Parameters<
      NonNullable<typeof a.check>
    >[1];
    const issues = a.check!({ x: 'dynamics.lr', by_scale: 'cubic' as never }, s, {} as never, {} as never);
    const keys = issues.map((i) => i.key);
    expect(keys).toContain('x');
    expect(keys).toContain('by_scale');
    expect(issues.some((i) => /learning-phases/.test(i.expected))).toBe(true);
  });

  test('event outcome: P(entered) against log10 x recovers the boundary within 4 SE; the check wants a declared event', () => {
    const rand = seededUniform(3, 'phase-logistic-event');
    const fractions = [0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
    const F = 'potential.params.train_fraction';
    const truth = Math.log10(0.45);
    const points = fractions.map((f, index) => {
      const p = 1 / (1 + Math.exp(-8 * (Math.log10(f) - truth)));
      let entered = 0;
      for (let r = 0; r < 30; r++) if (rand() < p) entered++;
      const summary = { events: { linear: { replicas: 30, entered, censored: 30 - entered } }, divergence: { count: 0 } };
      return { index, values: { [F]: f }, summary: summary as unknown as Summary };
    });
    const r = a.run({ x: F, event: 'linear' }, { keys: [F], points } as unknown as SweepAnalysisContext) as Obj;
    expect(r.replicas).toBe(8 * 30);
    expect(r.positives).toBe(points.reduce((acc, p) => acc + (p.summary as Obj).events.linear.entered, 0));
    expect(r.event).toBe('linear');
    expect(Math.abs(r.boundary.log10X - truth)).toBeLessThan(K * r.boundary.se);
    expect(r.boundary.xCi95[0]).toBeLessThan(r.boundary.x);
    expect(r.text).toMatch(/entered linear/);
    const s = {
      sweep: { [F]: fractions },
      observe: { events: [{ name: 'linear' }] },
      analysis: [{ kind: 'phase-logistic' }],
    } as unknown as Parameters<NonNullable<typeof a.check>>[1];
    expect(a.check!({ x: F, event: 'linear' }, s, {} as never, {} as never)).toEqual([]);
    const bad = a.check!({ x: F, event: 'nope', positive: ['memorization'] }, s, {} as never, {} as never);
    expect(bad.map((i) => i.key)).toEqual(['event', 'event']);
  });
});
