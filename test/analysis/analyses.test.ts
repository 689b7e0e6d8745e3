/**
 * Run-level analyses of the Brownian-motion picture (docs/models.md §1.1–1.4):
 * free-energy-profile, wells, first-passage, grokking-times — small real runs
 * through runScenario into temp directories, physics asserted within stated
 * multiples of the statistical error (seeds fixed).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runScenario } from '../../src/runs/run.js';
import { ScenarioError, validateScenarioObject } from '../../src/scenario/index.js';
import { analysisText } from '../../src/analysis/index.js';
import { restrictedMean } from '../../src/analysis/first-passage.js';
import { kaplanMeier } from '../../src/stats/first-passage.js';
import { loadRunDir } from '../../src/results/read.js';
import { getPlot, renderSvg } from '../../src/report/plots/index.js';
import { tempDir } from '../helpers.js';

const tmp = () => tempDir('analyses');

type Obj = Record<string, any>;

async function run(doc: Obj): Promise<{ dir: string; analyses: Obj[] }> {
  const s = validateScenarioObject(doc, '');
  const dir = tmp();
  const out = await runScenario(s, { out: dir, workers: 0 });
  const onDisk = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
  expect(onDisk.analyses).toEqual(JSON.parse(JSON.stringify(out.summary.analyses)));
  // Every result has a terminal line (the CLI table) without holes.
  for (const a of onDisk.analyses as Obj[]) {
    const text = analysisText(a);
    log(`text ${a.kind}`, text);
    expect(text).toBeTruthy();
    expect(text).not.toMatch(/undefined|NaN|\[object/);
  }
  return { dir, analyses: onDisk.analyses as Obj[] };
}

/** Build and render (to SVG) the plot of `kind` for a run directory; throws if it does not apply. */
async function renderPlot(dir: string, kind: string): Promise<string[]> {
  const ctx = { dir, layout: 'run' as const, run: loadRunDir(dir) };
  const plot = getPlot(kind)!;
  expect(plot.applies(ctx)).toBe(true);
  const specs = plot.build(ctx);
  return Promise.all(specs.map((sp) => renderSvg(sp)));
}

const log = (label: string, v: unknown) => console.log(`[analyses-run] ${label}: ${JSON.stringify(v)}`);

describe('free-energy-profile', () => {
  it('double well at θ = 0.25: F(x) = −θ ln p matches the Gibbs quadrature profile within 4 bootstrap σ in every well-populated bin', async () => {
    // Symmetric start (uniform on [−1.8, 1.8]) → equal well populations, which is Gibbs for the symmetric well;
    // intra-well relaxation time 1/f''(±1) = 1/8 ≪ t = 6.
    const { dir, analyses } = await run({
      name: 'fe-profile',
      seed: 11,
      potential: { kind: 'double-well', params: { h: 1 } },
      dynamics: { integrator: 'sgld', lr: 1e-3, temperature: 0.25, steps: 6000 },
      ensemble: { replicas: 20000, init: { kind: 'uniform', low: [-1.8], high: [1.8] } },
      observe: { grid: { kind: 'log', points: 10 }, observables: ['x'], histograms: [{ of: 'x', bins: 40, range: [-2, 2] }] },
      analysis: [{ kind: 'free-energy-profile', of: 'x', bootstrap: 200, seed: 3 }],
    });
    const a = analyses[0]!;
    log('free-energy-profile', {
      maxDeviationSigma: a.comparison.maxDeviationSigma,
      maxDeviationBand: a.comparison.maxDeviationBand,
      binsCompared: a.comparison.binsCompared,
    });
    expect(a.kind).toBe('free-energy-profile');
    expect(a.source).toMatch(/final values/);
    expect(a.samples).toBe(20000);
    // The finals binned with the histogram's edges reproduce the histogram recorder's counts.
    expect(a.counts.reduce((x: number, y: number) => x + y, 0) + a.underflow + a.overflow).toBe(20000);
    expect(Math.min(...a.F.filter((v: number | null) => v !== null))).toBe(0);
    // ~30 of the 40 bins have ≥ 25 counts (|x| ≲ 1.7 at θ = 0.25).
    expect(a.comparison.binsCompared).toBeGreaterThanOrEqual(25);
    // Max over ~30 correlated bins of |Z|: P(max > 4) ≈ 30 · 6e-5 ≈ 2e-3 under the null.
    expect(a.comparison.maxDeviationSigma).toBeLessThan(4);
    // The measured barrier F(0) − F(±1) ≈ h = 1 (plus the entropic term, in the theory profile): same as theory within 4σ.
    const mid = a.centres.findIndex((c: number) => Math.abs(c - 0.05) < 1e-9);
    expect(Math.abs(a.F[mid] - a.theory.F[mid])).toBeLessThan(4 * a.sigma[mid]);
    expect(a.theory.F[mid]).toBeGreaterThan(0.8);
    // The bootstrap σ of a bin agrees with the delta method θ·sqrt(1/c + 1/c_max) (ln of a ratio of multinomial proportions) within 25 %.
    const delta = 0.25 * Math.sqrt(1 / a.counts[mid] + 1 / Math.max(...a.counts));
    log('sigma ratio at 0.05 (exact path)', a.sigma[mid] / delta);
    expect(a.sigma[mid] / delta).toBeGreaterThan(0.75);
    expect(a.sigma[mid] / delta).toBeLessThan(1.35);
    // Band ordering.
    for (let b = 0; b < a.F.length; b++)
      if (a.counts[b] >= 25) expect(a.lower[b] <= a.F[b] + 1e-12 && a.F[b] <= a.upper[b] + 1e-12).toBe(true);
    const svgs = await renderPlot(dir, 'free-energy-profile');
    expect(svgs).toHaveLength(1);
    expect(svgs[0]).toMatch(/^<svg/);
  });

  it('histogram-only source (x not in observe.observables, at: grid): counts resampled as conditional binomials (N·B > 5e7); σ ≈ delta method', async () => {
    const { analyses } = await run({
      name: 'fe-hist',
      seed: 12,
      potential: { kind: 'double-well', params: { h: 1 } },
      dynamics: { integrator: 'sgld', lr: 1e-3, temperature: 0.25, steps: 2000 },
      ensemble: { replicas: 5000, init: { kind: 'uniform', low: [-1.8], high: [1.8] } },
      observe: {
        grid: { kind: 'linear', points: 201 },
        observables: ['energy'],
        histograms: [{ of: 'x', bins: 40, range: [-2, 2], at: 'grid', from: 1000 }],
      },
      analysis: [{ kind: 'free-energy-profile', of: 'x' }],
    });
    const a = analyses[0]!;
    expect(a.source).toMatch(/correlated in time/);
    expect(a.samples).toBe(5000 * 101);
    expect(a.bootstrap.method).toMatch(/conditional binomials/);
    // Bootstrap σ of F in a bin b ≈ θ·sqrt(1/c_b + 1/c_max) (delta method for ln(p_b/p_max) of multinomial proportions;
    // the profile is shifted by its minimum) within 25 %, at the barrier and on a well's flank.
    const cMax = Math.max(...a.counts);
    for (const centre of [0.05, -0.55]) {
      const b = a.centres.findIndex((c: number) => Math.abs(c - centre) < 1e-9);
      expect(a.counts[b]).toBeLessThan(0.7 * cMax);
      const delta = 0.25 * Math.sqrt(1 / a.counts[b] + 1 / cMax);
      log(`sigma ratio at ${centre}`, a.sigma[b] / delta);
      expect(a.sigma[b] / delta).toBeGreaterThan(0.75);
      expect(a.sigma[b] / delta).toBeLessThan(1.35);
    }
  });
});

describe('restricted mean (Kaplan–Meier) used by grokking-times', () => {
  it('matches a hand calculation with one censored time: times 1, 2, 3⁺, 4, τ = 5 → 2.75, SE 0.6495', () => {
    // Ŝ = 0.75 on [1,2), 0.5 on [2,4), 0 after 4: ∫_0^5 Ŝ = 1 + 0.75 + 1 = 2.75.
    // Var = A₁²·1/(4·3) + A₂²·1/(3·2), A₁ = ∫_1^5 Ŝ = 1.75, A₂ = ∫_2^5 Ŝ = 1 → 0.421875.
    const km = kaplanMeier([1, 2, 3, 4], [1, 1, 0, 1]);
    const r = restrictedMean(km, 5);
    expect(r.mean).toBeCloseTo(2.75, 12);
    expect(r.se).toBeCloseTo(Math.sqrt(0.421875), 12);
    // Without censoring it is the sample mean.
    expect(restrictedMean(kaplanMeier([1, 2, 3, 4], [1, 1, 1, 1]), 5).mean).toBeCloseTo(2.5, 12);
  });
});

describe('wells', () => {
  it('two-wells 1-D: occupancies within 3 SE of quadrature, ΔF within its CI of theory', async () => {
    // Low barriers relative to θ = 1 (ridge ≈ 1.2 above well 1), so the wells equilibrate within t = 30.
    const params = { depth1: 1, depth2: 0.5, k1: 4, k2: 1, centre1: -1, centre2: 1 };
    const { dir, analyses } = await run({
      name: 'wells-1d',
      seed: 5,
      potential: { kind: 'two-wells', params },
      dynamics: { integrator: 'sgld', lr: 5e-3, temperature: 1, steps: 6000 },
      ensemble: { replicas: 6000, init: { kind: 'potential' } },
      observe: { grid: { kind: 'log', points: 10 }, observables: ['x', 'well'] },
      analysis: [{ kind: 'wells' }],
    });
    const a = analyses[0]!;
    log('wells 1-D', {
      wells: a.wells.map((w: Obj) => ({ P: w.occupancy, theory: w.theoryOccupancy, z: w.z, ratio: w.occupancyRatio })),
      deltaF: a.deltaF,
    });
    expect(a.theory.method).toMatch(/^exact/);
    // Gibbs occupancy of well 1 (x < 0, the midpoint of the centres: nearest minimum) by a trapezoid rule written
    // here over the energy of docs/models.md written out — f = −θ_s ln(e^{−q₁/θ_s} + e^{−q₂/θ_s}),
    // q_i = −D_i + ½k_i(x − c_i)², θ_s = 0.01·min(D₁, D₂) — not src/theory's adaptive log-quadrature.
    const thetaS = 0.01 * 0.5;
    const f = (x: number) => {
      const q1 = -1 + 2 * (x + 1) ** 2;
      const q2 = -0.5 + 0.5 * (x - 1) ** 2;
      const m = Math.min(q1, q2);
      return m - thetaS * Math.log(Math.exp(-(q1 - m) / thetaS) + Math.exp(-(q2 - m) / thetaS));
    };
    const mass = (from: number, to: number, n = 200_000) => {
      const h = (to - from) / n;
      let sum = 0.5 * (Math.exp(-f(from)) + Math.exp(-f(to)));
      for (let i = 1; i < n; i++) sum += Math.exp(-f(from + i * h));
      return sum * h;
    };
    const left = mass(-20, 0);
    const exactP1 = left / (left + mass(0, 20));
    expect(a.theory.occupancies[0]).toBeCloseTo(exactP1, 5);
    // Measured against the independent value: within k = 3 binomial SE (6,000 independent replicas).
    const seP1 = Math.sqrt((exactP1 * (1 - exactP1)) / 6000);
    expect(Math.abs(a.wells[0].occupancy - exactP1)).toBeLessThan(3 * seP1);
    for (const w of a.wells) expect(Math.abs(w.z)).toBeLessThan(3);
    // The harmonic estimate is a different number (the wells are not harmonic out to the ridge at θ = 1).
    expect(a.wells[0].harmonicOccupancy).toBeGreaterThan(0);
    expect(a.deltaF[0].ci95[0]).toBeLessThan(a.deltaF[0].theory);
    expect(a.deltaF[0].ci95[1]).toBeGreaterThan(a.deltaF[0].theory);
    // The test discriminates: the harmonic estimate (0.452 for well 1; the wells are not harmonic out to the split at θ = 1) is > 5 SE off.
    const se = Math.sqrt((a.wells[0].theoryOccupancy * (1 - a.wells[0].theoryOccupancy)) / 6000);
    expect(Math.abs(a.wells[0].occupancy - a.wells[0].harmonicOccupancy) / se).toBeGreaterThan(5);
    const svgs = await renderPlot(dir, 'wells');
    expect(svgs[0]).toMatch(/^<svg/);
  });

  it('two-wells 2-D: occupancies within 3 SE of the exact radial quadrature; the harmonic estimate is reported', async () => {
    const { analyses } = await run({
      name: 'wells-2d',
      seed: 6,
      potential: { kind: 'two-wells', params: { dim: 2, depth1: 1, depth2: 0.5, k1: 4, k2: 1, centre1: -1, centre2: 1 } },
      dynamics: { integrator: 'sgld', lr: 5e-3, temperature: 1, steps: 6000 },
      ensemble: { replicas: 4000, init: { kind: 'potential' } },
      observe: { grid: { kind: 'log', points: 10 }, observables: ['well'] },
      analysis: [{ kind: 'wells' }],
    });
    const a = analyses[0]!;
    log('wells 2-D', {
      method: a.theory.method,
      wells: a.wells.map((w: Obj) => ({ P: w.occupancy, theory: w.theoryOccupancy, z: w.z, harmonic: w.harmonicOccupancy })),
    });
    expect(a.theory.method).toMatch(/radial quadrature in d = 2/);
    for (const w of a.wells) expect(Math.abs(w.z)).toBeLessThan(3);
    // The harmonic estimate (0.29 for well 1) is > 5 SE off: the exact radial quadrature is needed at θ = 1.
    const se = Math.sqrt((a.wells[0].theoryOccupancy * (1 - a.wells[0].theoryOccupancy)) / 4000);
    expect(Math.abs(a.wells[0].occupancy - a.wells[0].harmonicOccupancy) / se).toBeGreaterThan(5);
    // Hessian eigenvalues at the minima ≈ the stiffnesses (the softmin is harmonic there to exp(−Δq/θ_s)).
    expect(a.harmonic[0].stiffness[0]).toBeCloseTo(4, 3);
    expect(a.harmonic[1].stiffness[1]).toBeCloseTo(1, 3);
  });
});

// Double well at θ = 0.25 from x = −1 to x ≥ 1: exact MFPT ≈ 60 time units.
const kramers = {
  name: 'fp-dw',
  seed: 21,
  potential: { kind: 'double-well', params: { h: 1 } },
  dynamics: { integrator: 'sgld', lr: 5e-3, temperature: 0.25, steps: 16000 },
  ensemble: { replicas: 2000, init: { kind: 'point', x: [-1] } },
  observe: { grid: { kind: 'log', points: 10 }, observables: ['x'], events: [{ name: 'escape', enter: { x: { ge: 1 } } }] },
  theory: [{ kind: 'mfpt-1d', event: 'escape', from: -1, to: 1 }],
  analysis: [{ kind: 'first-passage', event: 'escape' }],
};

// Zero-loss manifold, m = 2, L = R = 1, g = 1, θ = 0.05, η = 5e-3: t_mem ≈ 150 steps (δ = 0.25), t_grok ≈ 1000 steps.
const grokking = (analysis: Obj[]) => ({
  name: 'grok',
  seed: 8,
  potential: { kind: 'zero-loss-manifold', params: { L: 1, R: 1, g: 1, m: 2 } },
  dynamics: { integrator: 'sgld', lr: 5e-3, temperature: 0.05, steps: 8000 },
  ensemble: { replicas: 2000, init: { kind: 'potential' } },
  observe: {
    grid: { kind: 'log', points: 40 },
    observables: ['u', 'radius'],
    events: [
      { name: 'memorized', enter: { u: { le: 0.25 } } },
      { name: 'grokked', enter: { radius: { ge: 1 }, u: { ge: -0.25, le: 0.25 } } },
    ],
  },
  analysis,
});

describe('first-passage', () => {
  it('double well θ = 0.25: exponential accepted (KS, α = 0.05), MFPT within 3 SE of the exact integral', async () => {
    const { analyses } = await run(kramers);
    const a = analyses[0]!;
    log('first-passage double well', {
      entered: a.entered,
      mfpt: a.mfpt,
      ks: a.exponentiality.ks,
      shifted: a.exponentiality.shifted,
      theory: a.theory,
      median: a.median,
    });
    expect(a.entered).toBeGreaterThan(1000);
    expect(a.exponentiality.exponential).toBe(true);
    expect(a.exponentiality.ks.pValue).toBeGreaterThan(0.05);
    // The transit lag (first entry) is a negligible part of the MFPT, and the lag fit is not "clearly better" (the plain fit passes).
    expect(a.exponentiality.shifted.lagSteps / a.mfpt.steps).toBeLessThan(0.05);
    expect(a.exponentiality.shifted.better).toBe(false);
    expect(Math.abs(a.theory.z)).toBeLessThan(3);
    expect(a.theory.ratioCi95[0]).toBeLessThan(1.1);
    expect(a.theory.ratioCi95[1]).toBeGreaterThan(0.9);
    // Kaplan–Meier median of an exponential = ln 2 · MFPT (within the median's CI).
    expect(a.median.ci95Steps[0]).toBeLessThan(Math.LN2 * a.mfpt.steps);
    expect(a.median.ci95Steps[1]).toBeGreaterThan(Math.LN2 * a.mfpt.steps);
  });

  it('zero-loss-manifold memorization time (nearly deterministic, inverse Gaussian): exponential REJECTED', async () => {
    const { analyses } = await run(grokking([{ kind: 'first-passage', event: 'memorized' }]));
    const a = analyses[0]!;
    log('first-passage memorization', { ks: a.exponentiality.ks, shifted: a.exponentiality.shifted });
    expect(a.censored).toBe(0);
    expect(a.exponentiality.exponential).toBe(false);
    expect(a.exponentiality.ks.pValue).toBeLessThan(1e-6);
    expect(a.theory).toBeNull();
  });
});

describe('grokking-times', () => {
  it('zero-loss manifold m = 2: t_mem and t_grok within 4 SE of (L − δ)/(ηg) and R²/(2mηθ) (discrete-monitoring corrected); curves rise 0 → 1', async () => {
    const { dir, analyses } = await run(grokking([{ kind: 'grokking-times', memorized: 'memorized', grokked: 'grokked' }]));
    const a = analyses[0]!;
    log('grokking-times', { tMem: a.tMem, tGrok: a.tGrok, theory: a.theory, notes: a.notes });
    expect(a.tMem.censored).toBe(0);
    expect(a.tMem.estimator).toMatch(/sample mean/);
    expect(a.theory.tMem.delta).toBe(0.25);
    // Closed forms written here (docs/models.md §1.4): t_mem = (L − δ + β√(2ηθ))/(ηg) steps, t_grok = R_eff²/(2mθη)
    // with R_eff = R + β√(2ηθ); β = −ζ(1/2)/√(2π) = 0.5826 (Siegmund's correction for a walk checked once per step).
    const beta = 1.4603545088095868 / Math.sqrt(2 * Math.PI);
    const shift = beta * Math.sqrt(2 * 5e-3 * 0.05);
    const tMem = (1 - 0.25 + shift) / (5e-3 * 1);
    const tGrok = (1 + shift) ** 2 / (2 * 2 * 0.05) / 5e-3;
    expect(a.theory.tMem.steps).toBeCloseTo(tMem, 6);
    expect(a.theory.tGrok.steps).toBeCloseTo(tGrok, 6);
    // The measured means against those values, k = 4 standard errors.
    expect(Math.abs(a.tMem.steps - tMem)).toBeLessThan(4 * a.tMem.seSteps);
    expect(Math.abs(a.tGrok.steps - tGrok)).toBeLessThan(4 * a.tGrok.seSteps);
    expect(Math.abs(a.theory.tMem.z)).toBeLessThan(4);
    expect(Math.abs(a.theory.tGrok.z)).toBeLessThan(4);
    // The ball-exit time is not exponential (CV sqrt(2/(m+2)) = 0.71): the KS check rejects, so the restricted mean is used.
    expect(a.tGrok.exponentiality.exponential).toBe(false);
    expect(a.tGrok.estimator).toMatch(/Kaplan–Meier mean restricted/);
    // SE of t_mem ≈ theory sd/√n within 15 % (inverse Gaussian sd = sqrt(2θ(L−δ)/g³)/η).
    expect(a.tMem.seSteps / (a.theory.tMem.sdSteps / Math.sqrt(2000))).toBeGreaterThan(0.85);
    expect(a.tMem.seSteps / (a.theory.tMem.sdSteps / Math.sqrt(2000))).toBeLessThan(1.15);
    const c = a.curves;
    expect(c.train[0]).toBe(0);
    expect(c.train[c.train.length - 1]).toBe(1);
    expect(c.test[c.test.length - 1]).toBeGreaterThan(0.99);
    // Train accuracy leads test accuracy: at the theory t_mem, most have memorized and few have grokked.
    const k = c.steps.findIndex((st: number) => st >= 2 * a.theory.tMem.steps);
    expect(c.train[k]).toBeGreaterThan(0.9);
    expect(c.test[k]).toBeLessThan(0.2);
    // Theory curves track the measured ones (max gap ≤ 0.05 ≈ 5 binomial SE at n = 2000).
    for (let i = 0; i < c.steps.length; i++) {
      expect(Math.abs(c.train[i] - c.theoryTrain[i])).toBeLessThan(0.05);
      expect(Math.abs(c.test[i] - c.theoryTest[i])).toBeLessThan(0.05);
    }
    // The grokking-curves plot applies, builds and renders; the wells plot does not apply to this run.
    const svgs = await renderPlot(dir, 'grokking-curves');
    expect(svgs).toHaveLength(1);
    expect(svgs[0]).toMatch(/^<svg/);
    expect(getPlot('wells')!.applies({ dir, layout: 'run', run: loadRunDir(dir) })).toBe(false);
  });
});

describe('names are checked before anything runs', () => {
  const base = (analysis: Obj[]) => ({ ...kramers, observe: { ...kramers.observe, observables: ['x'] }, theory: [], analysis });
  it('unknown event → ScenarioError at analysis[0].event (with a did-you-mean)', async () => {
    const s = validateScenarioObject(base([{ kind: 'first-passage', event: 'escap' }]), '');
    const err = await runScenario(s, { out: tmp(), workers: 0 }).catch((e) => e);
    expect(err).toBeInstanceOf(ScenarioError);
    const issue = (err as ScenarioError).issues.find((i) => i.path === 'analysis[0].event');
    expect(issue?.hint).toMatch(/escape/);
  });
  it.each([
    [{ kind: 'grokking-times', memorized: 'escape', grokked: 'grok' }, 'analysis[0].grokked', /observe\.events/],
    [{ kind: 'free-energy-profile', of: 'energy' }, 'analysis[0].of', /observe\.observables/],
    [{ kind: 'wells' }, 'analysis[0].by', /observe\.observables/],
    [{ kind: 'wells', by: 'radius' }, 'analysis[0].by', /observe\.observables/],
  ])('%o → ScenarioError at %s', async (entry, path, expected) => {
    const s = validateScenarioObject(base([entry]), '');
    const err = (await runScenario(s, { out: tmp(), workers: 0 }).catch((e) => e)) as ScenarioError;
    expect(err).toBeInstanceOf(ScenarioError);
    expect(err.issues.map((i) => i.path)).toEqual([path]);
    expect(err.issues[0]!.expected).toMatch(expected);
  });
});
