/**
 * `learning-phases` (docs/models.md §3.2; Liu et al. Table 1): the per-replica
 * classification on synthetic event steps (the gap rule, censoring at t_max,
 * divergence, the test-first edge case), Wilson intervals against textbook
 * values, phase fractions of a synthetic ensemble against closed forms within
 * 4 SE, the Kaplan–Meier medians by hand; then a real run on the
 * zero-loss manifold (memorized = "train", grokked = "test") checked against
 * events.csv, and a (g, θ) sweep whose `phase` analysis reads
 * `analyses.learning-phases.phaseIndex` and writes phases.csv and a fitted
 * phase-boundary.json.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { classifyLearningPhases, learningPhaseTimes, phaseFractions, LEARNING_PHASES } from '../../src/analysis/learning-phases.js';
import { analysisText, checkAnalyses } from '../../src/analysis/index.js';
import { runScenario } from '../../src/runs/run.js';
import { runSweep } from '../../src/runs/sweep.js';
import { validateScenarioObject, valueAtPath } from '../../src/scenario/index.js';
import { wilsonInterval } from '../../src/stats/compare.js';
import { buildPotential } from '../../src/potentials/index.js';
import { ballExitSurvival, discreteMonitoringShift } from '../../src/theory/grokking.js';
import { phaseBoundary } from '../../src/results/sweep-files.js';
import { tempDir, uniformSource } from '../helpers.js';

type Obj = Record<string, any>;
const log = (label: string, v: unknown) => console.log(`[learning-phases] ${label}: ${JSON.stringify(v)}`);
const tmp = () => tempDir('lp');

describe('classifyLearningPhases (synthetic steps)', () => {
  it('the gap rule: gap < t_gap comprehension, gap = t_gap grokking; test first or test only → comprehension', () => {
    const NaNv = Number.NaN;
    //            comp  t_gap-1  =t_gap  mem   conf  test-first  same step  test-only
    const train = [100, 100, 100, 100, NaNv, 500, 300, NaNv];
    const test = [150, 1099, 1100, NaNv, NaNv, 200, 300, 400];
    const c = classifyLearningPhases(train, test, { tMax: 5000, tGap: 1000 });
    expect(c.phase).toEqual([
      'comprehension',
      'comprehension',
      'grokking',
      'memorization',
      'confusion',
      'comprehension',
      'comprehension',
      'comprehension',
    ]);
    expect(c.counts).toEqual({ comprehension: 5, grokking: 1, memorization: 1, confusion: 1 });
    expect(c.testOnly).toBe(1);
    expect(c.classified).toBe(8);
    expect(c.diverged).toBe(0);
  });

  it('censoring at t_max: an entry at t_max counts, after it does not; −1 means never', () => {
    const train = [1000, 1001, 10, 10, -1];
    const test = [1000, 1001, 1000, 1001, -1];
    const c = classifyLearningPhases(train, test, { tMax: 1000, tGap: 100 });
    expect(c.phase).toEqual(['comprehension', 'confusion', 'grokking', 'memorization', 'confusion']);
    // A larger t_max turns the late entries into reached ones.
    const c2 = classifyLearningPhases(train, test, { tMax: 2000, tGap: 100 });
    expect(c2.phase).toEqual(['comprehension', 'comprehension', 'grokking', 'grokking', 'confusion']);
  });

  it('replicas diverged at or before t_max are excluded and counted; a divergence after t_max is not', () => {
    const c = classifyLearningPhases([10, 10, 10], [20, 20, 20], { tMax: 100, tGap: 50, divergedAt: [100, 101, -1] });
    expect(c.phase).toEqual([null, 'comprehension', 'comprehension']);
    expect(c.diverged).toBe(1);
    expect(c.classified).toBe(2);
    const f = phaseFractions(c);
    expect(f.fractions.comprehension).toBe(1);
    expect(() => classifyLearningPhases([1], [1, 2], { tMax: 10, tGap: 1 })).toThrow(/replica counts/);
    expect(() => classifyLearningPhases([1], [1], { tMax: 10, tGap: 0 })).toThrow(/t_gap/);
  });

  it('fractions with Wilson intervals (x = 3 of n = 10: [0.1078, 0.6032], Wilson 1927 / Newcombe 1998), majority with ties to the earlier phase', () => {
    const counts = { comprehension: 3, grokking: 3, memorization: 4, confusion: 0 };
    const f = phaseFractions({ counts, classified: 10 });
    expect(f.ci95.comprehension![0]).toBeCloseTo(0.1078, 4);
    expect(f.ci95.comprehension![1]).toBeCloseTo(0.6032, 4);
    expect(f.ci95.confusion![0]).toBe(0);
    expect(f.ci95.confusion![1]).toBeCloseTo(0.2775, 4); // 0 of 10: z²/(n + z²)
    expect(f.majority).toBe('memorization');
    expect(f.phaseIndex).toBe(2);
    expect(f.meanPhaseIndex).toBeCloseTo((0 * 3 + 1 * 3 + 2 * 4) / 10, 12);
    const tie = phaseFractions({ counts: { comprehension: 0, grokking: 5, memorization: 5, confusion: 0 }, classified: 10 });
    expect(tie.majority).toBe('grokking');
    expect(tie.phaseIndex).toBe(1);
    const none = phaseFractions({ counts: { comprehension: 0, grokking: 0, memorization: 0, confusion: 0 }, classified: 0 });
    expect(none.majority).toBeNull();
    expect(none.phaseIndex).toBeNull();
  });

  it('Kaplan–Meier medians: uncensored = the ⌈n/2⌉-th order statistic; censored at t_max by hand; delay and gap', () => {
    // 6 replicas, tMax 100: train at 10, 20, 30, 40, never, never → S drops 1/6 each: 5/6, 4/6, 3/6 at 30 → median 30.
    const train = [10, 20, 30, 40, NaN, NaN];
    const test = [15, 80, 200, 40, NaN, NaN];
    const c = classifyLearningPhases(train, test, { tMax: 100, tGap: 50 });
    expect(c.phase).toEqual(['comprehension', 'grokking', 'memorization', 'comprehension', 'confusion', 'confusion']);
    const t = learningPhaseTimes(train, test, c, 100);
    expect(t.train).toMatchObject({ replicas: 6, reached: 4, censored: 2, median: 30 });
    // Test reached at 15, 40, 80 of 6: S = 5/6, 4/6, 3/6 → median 80.
    expect(t.test).toMatchObject({ reached: 3, censored: 3, median: 80 });
    // Delays after train: 5, 60, censored at 70, 0 → KM over 4 at risk: S(0) = 3/4, S(5) = 2/4 → median 5.
    expect(t.delay).toMatchObject({ replicas: 4, reached: 3, censored: 1, median: 5 });
    expect(t.gap).toMatchObject({ replicas: 3, min: 0, max: 60, median: 5, testFirst: 1 });
    expect(t.gap.mean).toBeCloseTo(65 / 3, 12);
  });

  it('fractions of a synthetic ensemble (train ~ U[0, 2000), gap ~ Exp(500)) match closed forms within 4 SE', () => {
    // t_max = 1000, t_gap = 300. P(train ≤ 1000) = 1/2;
    // P(both) = (1/2000)[1000 − 500(1 − e^{−2})];
    // P(comprehension) = (700/2000)(1 − e^{−0.6}) + (1/2000)[300 − 500(1 − e^{−0.6})].
    const n = 20000;
    const u = uniformSource(12345);
    const train = new Float64Array(n);
    const test = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      train[i] = 2000 * u();
      test[i] = train[i]! - 500 * Math.log(1 - u());
    }
    const c = classifyLearningPhases(train, test, { tMax: 1000, tGap: 300 });
    const both = (1000 - 500 * (1 - Math.exp(-2))) / 2000;
    const comp = (700 / 2000) * (1 - Math.exp(-0.6)) + (300 - 500 * (1 - Math.exp(-0.6))) / 2000;
    const expected = { comprehension: comp, grokking: both - comp, memorization: 0.5 - both, confusion: 0.5 };
    const f = phaseFractions(c);
    for (const p of LEARNING_PHASES) {
      const q = expected[p];
      const se = Math.sqrt((q * (1 - q)) / n);
      log(`synthetic ${p}`, { measured: f.fractions[p], expected: q, z: (f.fractions[p]! - q) / se });
      expect(Math.abs(f.fractions[p]! - q)).toBeLessThan(4 * se);
      // The Wilson interval agrees with the stats module's.
      expect(f.ci95[p]).toEqual(wilsonInterval(c.counts[p], n));
    }
  });
});

// Zero-loss manifold m = 2, L = R = 1, η = 5e-3: t_mem ≈ 0.75/(ηg) steps (δ = 0.25), t_grok ≈ R²/(2mηθ) = 50/θ steps.
const zlm = (extra: Obj = {}): Obj => ({
  name: 'lp',
  seed: 21,
  potential: { kind: 'zero-loss-manifold', params: { L: 1, R: 1, g: 1, m: 2 } },
  dynamics: { integrator: 'sgld', lr: 5e-3, temperature: 0.05, steps: 2000 },
  ensemble: { replicas: 400, init: { kind: 'potential' } },
  observe: {
    grid: { kind: 'log', points: 10 },
    observables: ['u', 'radius'],
    events: [
      { name: 'train', enter: { u: { le: 0.25 } } },
      { name: 'test', enter: { radius: { ge: 1 }, u: { ge: -0.25, le: 0.25 } } },
    ],
  },
  analysis: [{ kind: 'learning-phases', t_gap: 500 }],
  ...extra,
});

describe('learning-phases through runScenario', () => {
  it('zero-loss manifold: the classification equals a hand classification of events.csv; summaries and text', async () => {
    const s = validateScenarioObject(zlm(), '');
    const dir = tmp();
    const out = await runScenario(s, { out: dir, workers: 0 });
    const a = (JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')).analyses as Obj[])[0]!;
    log('run', { counts: a.counts, majority: a.majority, train: a.times.train, test: a.times.test, gap: a.times.gap });
    expect(a).toMatchObject({ kind: 'learning-phases', train: 'train', test: 'test', tMax: 2000, tGap: 500, replicas: 400, diverged: 0 });
    // Independent: read events.csv and classify by hand.
    const lines = readFileSync(join(dir, 'events.csv'), 'utf8').trim().split('\n');
    const head = lines[0]!.split(',');
    const it = head.indexOf('train');
    const ie = head.indexOf('test');
    const hand = { comprehension: 0, grokking: 0, memorization: 0, confusion: 0 };
    for (const line of lines.slice(1)) {
      const f = line.split(',');
      const tr = f[it] === '' ? Infinity : Number(f[it]);
      const te = f[ie] === '' ? Infinity : Number(f[ie]);
      const a2 = tr <= 2000;
      const b2 = te <= 2000;
      if (a2 && b2) hand[te - tr < 500 ? 'comprehension' : 'grokking']++;
      else if (a2) hand.memorization++;
      else if (b2) hand.comprehension++;
      else hand.confusion++;
    }
    expect(a.counts).toEqual(hand);
    // t_mem ≈ 150 steps ≪ t_max: every replica memorizes; the test event needs |u| ≤ δ, so it never precedes train.
    expect(a.counts.confusion).toBe(0);
    expect(a.times.train.censored).toBe(0);
    expect(a.times.gap.min).toBeGreaterThanOrEqual(0);
    expect(a.phaseIndex).toBe(LEARNING_PHASES.indexOf(a.majority));
    const text = analysisText(a);
    expect(text).toMatch(/majority/);
    expect(text).not.toMatch(/undefined|NaN/);
    expect(out.summary.analyses).toHaveLength(1);
    // The by-kind path reaches it in the summary.
    expect(valueAtPath(out.summary, 'analyses.learning-phases.phaseIndex')).toBe(a.phaseIndex);
    expect(valueAtPath(out.summary, 'analyses[0].fractions.grokking')).toBe(a.fractions.grokking);
    expect(valueAtPath(out.summary, 'analyses.no-such-kind.phaseIndex')).toBeUndefined();
  });

  it('checks: unknown events (defaults train/test), t_max beyond the run, t_gap ≤ 0', async () => {
    const bad = zlm({ analysis: [{ kind: 'learning-phases', test: 'tset', t_max: 5000, t_gap: 0 }] });
    const s = validateScenarioObject(bad, '');
    const pot = await buildPotential(s.potential, { seed: s.seed, run: 0 });
    const issues = checkAnalyses(s, pot);
    const paths = issues.map((i) => i.path);
    expect(paths).toEqual(['analysis[0].test', 'analysis[0].t_max', 'analysis[0].t_gap']);
    expect(issues[0]!.hint).toMatch(/test/);
    const noEvents = validateScenarioObject(zlm({ analysis: [{ kind: 'learning-phases' }], observe: { observables: ['u'] } }), '');
    expect(checkAnalyses(noEvents, pot).map((i) => i.path)).toEqual(['analysis[0].train', 'analysis[0].test']);
  });
});

describe('sweep: phase analysis on analyses.learning-phases.phaseIndex', () => {
  it('the loader checks the kind named in an analyses.<kind>.… metric (with a did-you-mean)', () => {
    const doc = (metric: string) =>
      zlm({
        analysis: [{ kind: 'learning-phases' }, { kind: 'phase', metric, thresholds: [0.5, 1.5, 2.5], labels: [...LEARNING_PHASES] }],
        sweep: { 'dynamics.temperature': [0.01, 0.02], 'potential.params.g': [1, 2] },
      });
    expect(() => validateScenarioObject(doc('analyses.learning-phases.phaseIndex'), '')).not.toThrow();
    expect(() => validateScenarioObject(doc('analyses[0].phaseIndex'), '')).not.toThrow();
    expect(() => validateScenarioObject(doc('analyses.learning-phase.phaseIndex'), '')).toThrow(/Did you mean 'learning-phases'/);
  });

  it('(g, θ) grid: phases.csv and phase-boundary.json with a fitted boundary slope', async () => {
    const doc = zlm({
      ensemble: { replicas: 100, init: { kind: 'potential' } },
      analysis: [
        { kind: 'learning-phases', t_gap: 500 },
        { kind: 'phase', metric: 'analyses.learning-phases.phaseIndex', thresholds: [0.5, 1.5, 2.5], labels: [...LEARNING_PHASES] },
      ],
      sweep: {
        'potential.params.g': [0.4, 0.8, 1.6, 3.2],
        'dynamics.temperature': { log: { from: 0.01, to: 0.16, points: 5 } },
      },
    });
    const s = validateScenarioObject(doc, '');
    const dir = tmp();
    const out = await runSweep(s, { out: dir, workers: 0 });
    expect(out.complete).toBe(true);
    expect(out.files).toEqual(expect.arrayContaining(['sweep.csv', 'phases.csv', 'phase-boundary.json']));
    const rows = readFileSync(join(out.dir, 'phases.csv'), 'utf8').trim().split('\n');
    expect(rows[0]).toBe('index,x,y,metric,phase');
    expect(rows).toHaveLength(21);
    const phases = rows.slice(1).map((r) => r.split(',')[4]);
    log('phases', rows.slice(1));
    for (const p of phases) expect(LEARNING_PHASES).toContain(p);
    // sweep.csv: the phase column and the per-phase fractions (summing to 1), the index and the excluded count.
    const csv = readFileSync(join(out.dir, 'sweep.csv'), 'utf8').trim().split('\n');
    const header = csv[0]!.split(',');
    const cols = ['comprehension', 'grokking', 'memorization', 'confusion'].map((p) => header.indexOf(`learning_phases_${p}`));
    expect(cols.every((k) => k >= 0)).toBe(true);
    const iIndex = header.indexOf('learning_phases_phase_index');
    const iPhase = header.indexOf('phase');
    expect(header).toContain('learning_phases_excluded');
    csv.slice(1).forEach((line, k) => {
      const f = line.split(',');
      expect(cols.reduce((acc, c) => acc + Number(f[c]), 0)).toBeCloseTo(1, 12);
      expect(f[iPhase]).toBe(phases[k]);
      expect(LEARNING_PHASES[Number(f[iIndex])]).toBe(phases[k]);
    });
    const pb = JSON.parse(readFileSync(join(out.dir, 'phase-boundary.json'), 'utf8'));
    log(
      'boundaries',
      pb.boundaries.map((b: Obj) => ({ between: b.between, used: b.used, slope: b.fit?.slope ?? null, skipped: b.skipped })),
    );
    expect(pb).toMatchObject({ metric: 'analyses.learning-phases.phaseIndex', x: 'potential.params.g', y: 'dynamics.temperature' });
    const fitted = pb.boundaries.filter((b: Obj) => b.fit !== null);
    expect(fitted.length).toBeGreaterThanOrEqual(1);
    // Each fitted boundary against its data: the crossings read here from phases.csv (per g, the single change of side
    // along θ, at the geometric midpoint) and their least-squares slope on log–log axes, written out here.
    const grid = rows.slice(1).map((r) => r.split(','));
    for (const b of fitted) {
      const j = LEARNING_PHASES.indexOf(b.between[0]);
      const pts: Array<[number, number]> = [];
      for (const g of [0.4, 0.8, 1.6, 3.2]) {
        const col = grid.filter((f) => Number(f[1]) === g).sort((u, v) => Number(u[2]) - Number(v[2]));
        const side = col.map((f) => LEARNING_PHASES.indexOf(f[4] as (typeof LEARNING_PHASES)[number]) > j);
        const changes = side
          .slice(1)
          .map((v, i) => (v !== side[i] ? i : -1))
          .filter((i) => i >= 0);
        if (changes.length === 1)
          pts.push([Math.log10(g), Math.log10(Math.sqrt(Number(col[changes[0]][2]) * Number(col[changes[0] + 1][2])))]);
      }
      expect(b.used).toBe(pts.length);
      const mx = pts.reduce((a, q) => a + q[0], 0) / pts.length;
      const my = pts.reduce((a, q) => a + q[1], 0) / pts.length;
      const slope = pts.reduce((a, q) => a + (q[0] - mx) * (q[1] - my), 0) / pts.reduce((a, q) => a + (q[0] - mx) ** 2, 0);
      expect(b.fit.slope).toBeCloseTo(slope, 9);
      expect(b.fit.intercept).toBeCloseTo(my - slope * mx, 9);
    }
    // Physics at g = 3.2 (t_mem ≈ 47 steps ≪ t_max, u stays in the band: sd sqrt(θ/g) ≤ 0.08 < δ): the
    // memorization fraction is the probability that the walk on the manifold has not left the ball |y| < 1
    // by t_max, the exact ball-exit survival S(t_max·η) (m = 2, R pushed out by the discrete-monitoring
    // shift). 100 replicas per point: within 4 binomial SE.
    for (const [index, theta] of [
      [15, 0.01],
      [16, 0.02],
      [17, 0.04],
    ] as const) {
      const sum = JSON.parse(readFileSync(join(out.dir, 'points', String(index), 'summary.json'), 'utf8'));
      const a = valueAtPath(sum, 'analyses.learning-phases') as Obj;
      const S = ballExitSurvival(1 + discreteMonitoringShift(5e-3, theta), 2, theta)(2000 * 5e-3);
      const se = Math.sqrt((S * (1 - S)) / a.classified);
      log(`memorization θ = ${theta}`, { measured: a.fractions.memorization, theory: S, z: (a.fractions.memorization - S) / se });
      expect(Math.abs(a.fractions.memorization - S)).toBeLessThan(4 * se);
    }
  });
});

describe('phase boundary fit on synthetic phases with a known boundary', () => {
  it('phases above y = 0.5·x^(−1.5) on a log grid: the fitted slope and intercept within 4 SE of −1.5 and log10 0.5', () => {
    // 8 x values over a decade and a half, 31 y values over three decades: each boundary point is the geometric
    // midpoint of the two grid values around the true boundary, so its log10 error is within half a grid step
    // (0.05) — the residual scatter the fit's standard errors measure. k = 4.
    const slopeTrue = -1.5;
    const c = 0.5;
    const points: Array<{ x: number; y: number; phase: string }> = [];
    for (let i = 0; i < 8; i++)
      for (let k = 0; k <= 30; k++) {
        const x = 10 ** ((1.5 * i) / 7); // 1 … 31.6: the boundary runs from y = 0.5 to 2.8·10⁻³, inside the y grid
        const y = 10 ** (-3 + (3 * k) / 30 + 0.013); // offset: no grid value sits on the boundary
        points.push({ x, y, phase: y > c * x ** slopeTrue ? 'above' : 'below' });
      }
    const [b] = phaseBoundary(points, { thresholds: [0.5], labels: ['below', 'above'] });
    expect(b.used).toBe(8);
    expect(b.fit).not.toBeNull();
    const fit = b.fit!;
    expect(fit.slopeSe).toBeGreaterThan(0);
    expect(Math.abs(fit.slope - slopeTrue)).toBeLessThan(4 * fit.slopeSe!);
    expect(Math.abs(fit.intercept - Math.log10(c))).toBeLessThan(4 * fit.interceptSe!);
    // The quantisation bounds the error too: |Δ slope| ≤ 0.05 / (half the log10 x span) = 0.067.
    expect(Math.abs(fit.slope - slopeTrue)).toBeLessThan(0.067);
  });
});
