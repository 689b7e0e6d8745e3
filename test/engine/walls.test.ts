/**
 * Walls (src/engine/walls.ts, `ensemble.bounds`): the fold maps against an
 * independent reference (mirroring one wall at a time), and the stationary
 * densities they produce against closed forms:
 *  - a flat potential in a reflecting box is uniform (χ² of the histogram,
 *    mean (lo + hi)/2 and variance L²/12 within K standard errors);
 *  - a constant force on a periodic ring has the uniform stationary density
 *    (the current flows, the density stays flat), and the same force between
 *    reflecting walls gives the Gibbs density ∝ exp(−f/θ) in the box;
 *  - a potential with the ring's period has the Gibbs density over one period;
 *  - a double well in a box that cuts its density follows the Gibbs density
 *    normalised in the box for sgld, baoab and sghmc (momenta flipped at the
 *    walls), and the same histogram fails against the unboxed density (the
 *    check can fail);
 *  - bit-identical results for worker counts 0, 1, 2 and any tile size with
 *    walls on (the worker path loads dist/: `npm run build` first).
 * Seeds fixed; K stated per check.
 */
import { describe, expect, it } from 'vitest';
import { validateScenarioObject } from '../../src/scenario/index.js';
import { runEnsemble } from '../../src/parallel/run.js';
import { finalsOf } from '../../src/analysis/free-energy-profile.js';
import { pearsonChi2 } from '../../src/analysis/theory-overlays.js';
import { gibbsDensity1D } from '../../src/theory/gibbs.js';
import { reflectInto, wrapInto } from '../../src/engine/walls.js';
import type { RunResult } from '../../src/parallel/merge.js';
import { uniformSource } from '../helpers.js';

/** σ multiples of the moment checks (two-sided false-alarm rate ≈ 7e-6 per check). */
const K = 4.5;
/** Significance level of the χ² checks: a correct sampler fails one in a thousand runs. */
const LEVEL = 1e-3;

type Bounds = Record<string, { reflect: [number, number] } | { periodic: [number, number] }>;

function scenario(options: {
  potential: Record<string, unknown>;
  integrator: string;
  lr: number;
  temperature: number;
  steps: number;
  replicas: number;
  start: number;
  bounds?: Bounds;
  bins: number;
  range: [number, number];
}) {
  return validateScenarioObject(
    {
      name: 'walls',
      seed: 29,
      potential: options.potential,
      dynamics: { integrator: options.integrator, lr: options.lr, temperature: options.temperature, steps: options.steps, friction: 2 },
      ensemble: {
        replicas: options.replicas,
        init: { kind: 'point', x: [options.start] },
        ...(options.bounds ? { bounds: options.bounds } : {}),
      },
      observe: {
        grid: { kind: 'linear', points: 2 },
        observables: ['x'],
        histograms: [{ of: 'x', bins: options.bins, range: options.range }],
      },
    },
    '',
  );
}

/** Reflection by mirroring at one wall at a time (the definition), with the parity of the mirrorings. */
function mirrorReference(x: number, lo: number, hi: number): { x: number; sign: number } {
  let sign = 1;
  while (x < lo || x > hi) {
    x = x > hi ? 2 * hi - x : 2 * lo - x;
    sign = -sign;
  }
  return { x, sign };
}

/** Mean and unbiased variance of a sample. */
function moments(values: ArrayLike<number>): { mean: number; variance: number; n: number } {
  const n = values.length;
  let m = 0;
  for (let i = 0; i < n; i++) m += values[i]!;
  m /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (values[i]! - m) ** 2;
  return { mean: m, variance: v / (n - 1), n };
}

/** χ² of the histogram (with under/overflow cells) against bin probabilities. */
function chi2Against(r: RunResult, probabilities: number[], outside = [0, 0]) {
  const h = r.histograms[0]!;
  return pearsonChi2([h.underflow, ...Array.from(h.counts), h.overflow], [outside[0]!, ...probabilities, outside[1]!], h.samples);
}

/** Uniform-on-[lo, hi] checks: χ² of the histogram, mean (lo+hi)/2 and variance L²/12 within K SE. */
function expectUniform(r: RunResult, lo: number, hi: number) {
  const bins = r.histograms[0]!.bins;
  const test = chi2Against(r, new Array<number>(bins).fill(1 / bins));
  expect(test.pValue, `χ² = ${test.chi2} on ${test.dof} dof`).toBeGreaterThan(LEVEL);
  const x = finalsOf(r, 'x')!;
  const { mean, variance, n } = moments(x);
  const L = hi - lo;
  // U(lo, hi): σ² = L²/12, fourth central moment L⁴/80, so Var(s²) ≈ (L⁴/80 − L⁴/144)/n.
  expect(Math.abs(mean - (lo + hi) / 2)).toBeLessThan(K * Math.sqrt(L ** 2 / 12 / n));
  expect(Math.abs(variance - L ** 2 / 12)).toBeLessThan(K * Math.sqrt((L ** 4 / 80 - L ** 4 / 144) / n));
  for (const v of x) {
    expect(v).toBeGreaterThanOrEqual(lo);
    expect(v).toBeLessThanOrEqual(hi);
  }
}

describe('fold maps', () => {
  it('reflectInto equals mirroring at one wall at a time, for jumps of up to 40 box lengths; wrapInto lands in [lo, hi) on the same period', () => {
    const uniform = uniformSource(5);
    const [lo, hi] = [-0.7, 1.9];
    const L = hi - lo;
    for (let i = 0; i < 20000; i++) {
      const x = lo + (uniform() - 0.5) * 80 * L;
      const got = reflectInto(x, lo, hi);
      const want = mirrorReference(x, lo, hi);
      expect(Math.abs(got.x - want.x)).toBeLessThan(1e-9 * (1 + Math.abs(x)));
      expect(got.sign).toBe(want.sign);
      const w = wrapInto(x, lo, hi);
      expect(w).toBeGreaterThanOrEqual(lo);
      expect(w).toBeLessThan(hi);
      // Same point of the circle: the difference is a whole number of periods.
      const periods = (x - w) / L;
      expect(Math.abs(periods - Math.round(periods))).toBeLessThan(1e-9 * (1 + Math.abs(x)));
    }
    // Inside the box nothing moves, bit for bit.
    expect(reflectInto(0.123456789, lo, hi)).toEqual({ x: 0.123456789, sign: 1 });
    expect(wrapInto(lo, lo, hi)).toBe(lo);
    expect(wrapInto(hi, lo, hi)).toBe(lo);
  });
});

describe('every integrator folds its positions', () => {
  /** f = −x − 2y: a constant force of 1 on x (reflecting box [0, 1]) and 2 on y (periodic [0, 1)). */
  const drift = (integrator: string, steps: number, lr: number) =>
    validateScenarioObject(
      {
        name: 'walls-drift',
        seed: 4,
        potential: { expression: '-x - 2*y', coordinates: ['x', 'y'] },
        dynamics: { integrator, lr, temperature: 0, steps },
        ensemble: {
          replicas: 3,
          init: { kind: 'point', x: [0.5, 0.5] },
          bounds: { x: { reflect: [0, 1] }, y: { periodic: [0, 1] } },
        },
        observe: { grid: { kind: 'linear', points: 2 }, observables: ['x', 'y'] },
      },
      '',
    );

  it('gd: x follows the mirrored path and y the wrapped one, step for step (closed form)', async () => {
    for (const steps of [1, 2, 5, 9]) {
      const r = await runEnsemble(drift('gd', steps, 0.3), { workers: 0 });
      let x = 0.5;
      let y = 0.5;
      for (let n = 0; n < steps; n++) {
        x = mirrorReference(x + 0.3, 0, 1).x;
        y = (((y + 0.6) % 1) + 1) % 1;
      }
      for (const v of finalsOf(r, 'x')!) expect(v).toBeCloseTo(x, 12);
      for (const v of finalsOf(r, 'y')!) expect(v).toBeCloseTo(y, 12);
    }
  });

  for (const integrator of ['adam', 'adamw', 'psgld', 'sgld', 'baoab', 'sghmc'])
    it(`${integrator}: pushed against the wall for 40 steps, every position stays in its box`, async () => {
      const r = await runEnsemble(drift(integrator, 40, 0.3), { workers: 0 });
      expect(r.divergedAt.every((d) => d < 0)).toBe(true);
      for (const v of finalsOf(r, 'x')!) expect(v >= 0 && v <= 1).toBe(true);
      for (const v of finalsOf(r, 'y')!) expect(v >= 0 && v < 1).toBe(true);
    });
});

describe('stationary densities with walls', () => {
  it('flat potential, reflecting box [0, 1], sgld: uniform (χ², mean and variance of U(0, 1) within 4.5 SE)', async () => {
    // D = θ = 1: the slowest mode of the box decays as exp(−π²t); t = 2 leaves e^{−20}.
    const s = scenario({
      potential: { expression: '0*x' },
      integrator: 'sgld',
      lr: 1e-3,
      temperature: 1,
      steps: 2000,
      replicas: 4000,
      start: 0.2,
      bounds: { x: { reflect: [0, 1] } },
      bins: 20,
      range: [0, 1],
    });
    expectUniform(await runEnsemble(s, { workers: 0 }), 0, 1);
  });

  it('constant force on a periodic ring [0, 2): uniform; the same force between reflecting walls: Gibbs ∝ exp(−f/θ) in the box', async () => {
    // f = 0.8x. On the ring the drift carries a current but the stationary density is flat (the Fokker–Planck
    // equation with constant drift has the constant solution); with reflecting walls there is no current and
    // the density is exp(−0.8x/θ)/Z on [0, 2].
    const base = {
      potential: { expression: '0.8*x' },
      integrator: 'sgld',
      lr: 1e-3,
      temperature: 0.5,
      steps: 8000,
      replicas: 4000,
      start: 1,
      bins: 20,
      range: [0, 2] as [number, number],
    };
    const ring = await runEnsemble(scenario({ ...base, bounds: { x: { periodic: [0, 2] } } }), { workers: 0 });
    expectUniform(ring, 0, 2);
    const box = await runEnsemble(scenario({ ...base, bounds: { '*': { reflect: [0, 2] } } }), { workers: 0 });
    const gibbs = gibbsDensity1D((x) => 0.8 * x, 0.5, 0, 2);
    const edges = Array.from({ length: 21 }, (_, k) => k * 0.1);
    const inBox = chi2Against(box, Array.from(gibbs.binProbabilities(edges)));
    expect(inBox.pValue).toBeGreaterThan(LEVEL);
    // The ring is not the box: its histogram fails against the box's Gibbs density, and vice versa.
    expect(chi2Against(ring, Array.from(gibbs.binProbabilities(edges))).pValue).toBeLessThan(1e-6);
    expect(chi2Against(box, new Array<number>(20).fill(1 / 20)).pValue).toBeLessThan(1e-6);
  });

  it('periodic potential cos(2πx) on the ring [0, 1): Gibbs over one period (χ² p > 1e-3); the uniform density fails (p < 1e-6)', async () => {
    const s = scenario({
      potential: { expression: 'cos(2*pi*x)' },
      integrator: 'sgld',
      lr: 1e-3,
      temperature: 1,
      steps: 2000,
      replicas: 4000,
      start: 0.5,
      bounds: { x: { periodic: [0, 1] } },
      bins: 20,
      range: [0, 1],
    });
    const r = await runEnsemble(s, { workers: 0 });
    const gibbs = gibbsDensity1D((x) => Math.cos(2 * Math.PI * x), 1, 0, 1);
    const edges = Array.from({ length: 21 }, (_, k) => k / 20);
    const test = chi2Against(r, Array.from(gibbs.binProbabilities(edges)));
    expect(test.pValue, `χ² = ${test.chi2} on ${test.dof} dof`).toBeGreaterThan(LEVEL);
    expect(chi2Against(r, new Array<number>(20).fill(1 / 20)).pValue).toBeLessThan(1e-6);
  });

  // Double well f = (x² − 1)² at θ = 0.5 in the reflecting box [−1, 1.4]: the left well is cut at its minimum,
  // the right one above its outer side. MFPT between the wells ≈ 4 overdamped; runs last t ≈ 24 (sghmc, whose
  // momenta cross the barrier more slowly at γ = 2, t ≈ 48: at t ≈ 24 it is not yet at equilibrium even without walls).
  const f = (x: number) => (x * x - 1) ** 2;
  const [lo, hi] = [-1, 1.4];
  const edges = Array.from({ length: 25 }, (_, k) => lo + k * 0.1);
  const boxed = Array.from(gibbsDensity1D(f, 0.5, lo, hi).binProbabilities(edges));
  const cases: Array<[string, number, number, number]> = [
    ['sgld', 4e-3, 6000, 5000],
    ['baoab', 2e-2, 1200, 5000],
    ['sghmc', 5e-3, 9600, 3000],
  ];
  for (const [integrator, lr, steps, replicas] of cases)
    it(`double well cut by a reflecting box, ${integrator}: Gibbs normalised in the box (χ² p > ${LEVEL}); the unboxed density fails (p < 1e-6)`, async () => {
      const s = scenario({
        potential: { kind: 'double-well', params: { h: 1 } },
        integrator,
        lr,
        temperature: 0.5,
        steps,
        replicas,
        start: 1,
        bounds: { x: { reflect: [lo, hi] } },
        bins: 24,
        range: [lo, hi],
      });
      const r = await runEnsemble(s, { workers: 0 });
      const test = chi2Against(r, boxed);
      expect(test.pValue, `χ² = ${test.chi2} on ${test.dof} dof`).toBeGreaterThan(LEVEL);
      // Control: the density of the whole line puts mass outside the box and less inside each bin.
      const free = gibbsDensity1D(f, 0.5, -3, 3);
      const inside = Array.from(free.binProbabilities(edges));
      const control = chi2Against(r, inside, [free.cdf(lo), free.sf(hi)]);
      expect(control.pValue).toBeLessThan(1e-6);
      const x = finalsOf(r, 'x')!;
      for (const v of x) expect(v >= lo && v <= hi).toBe(true);
    });
});

describe('reproducibility with walls', () => {
  it('baoab with reflecting and periodic walls: the same RunResult for workers 0, 1, 2 and tiles 1, 7', async () => {
    const s = validateScenarioObject(
      {
        name: 'walls-repro',
        seed: 8,
        potential: { kind: 'gaussian-wells', params: { wells: [{ depth: 1, centre: [-0.5, 0], width: 0.3 }], confinement: 0 } },
        dynamics: { integrator: 'baoab', lr: 0.05, temperature: 0.4, steps: 300, friction: 1 },
        ensemble: {
          replicas: 700,
          init: { kind: 'uniform', low: [-1, -1], high: [1, 1] },
          bounds: { x0: { reflect: [-1, 1] }, x1: { periodic: [-1, 1] } },
        },
        observe: {
          grid: { kind: 'linear', points: 5 },
          observables: ['x0', 'x1'],
          histograms: [{ of: 'x0', bins: 10, range: [-1, 1] }],
        },
      },
      '',
    );
    const bytes = (r: RunResult) => [
      Buffer.from(r.finals.values.buffer).toString('base64'),
      Buffer.from(r.histograms[0]!.counts.buffer).toString('base64'),
    ];
    const reference = await runEnsemble(s, { workers: 0 });
    const x0 = finalsOf(reference, 'x0')!;
    expect(x0.length).toBe(700);
    // Every coordinate ends in its box.
    for (const v of x0) expect(v >= -1 && v <= 1).toBe(true);
    for (const v of finalsOf(reference, 'x1')!) expect(v >= -1 && v < 1).toBe(true);
    for (const [label, run] of [
      ['workers 1', runEnsemble(s, { workers: 1 })],
      ['workers 2', runEnsemble(s, { workers: 2 })],
      ['tile 1', runEnsemble(s, { workers: 0, tile: 1 })],
      ['tile 7, workers 2', runEnsemble(s, { workers: 2, tile: 7 })],
    ] as const)
      expect(bytes(await run), label).toEqual(bytes(reference));
  });
});
