/**
 * SGHMC physics (Chen, Fox & Guestrin 2014): on a harmonic potential the
 * scheme is linear, so its moments obey an exact discrete recursion
 *   (x, v)_{n+1} = A (x, v)_n + b ξ,  A = [[1, h], [−hk, 1 − hγ − h²k]],  b = (0, sqrt(2γθh)),
 * against which the ensemble mean and variance are checked in time and at
 * stationarity (k·σ with k = 4 and σ the standard error over independent
 * replicas); the continuous targets θ/k and θ are within O(h) of it. On the
 * double well, the stationary histogram is checked against the Gibbs density
 * exp(−f/θ) (independent Simpson quadrature per bin) by a χ² test.
 */
import { describe, expect, it } from 'vitest';
import {
  coordinateSettings,
  createState,
  getIntegrator,
  initialise,
  simulate,
  type EnsembleState,
  type Observer,
  type Potential,
} from '../../src/engine/index.js';
import { harmonic } from '../../src/potentials/analytic/harmonic.js';
import { doubleWell } from '../../src/potentials/analytic/double-well.js';

const K_SIGMA = 4;

/** Run SGHMC and hand the positions and momenta at the requested steps to `see`. */
function run(
  potential: Potential,
  o: {
    lr: number;
    temperature: number;
    friction: number;
    steps: number;
    replicas: number;
    seed: number;
    init: Parameters<typeof initialise>[2];
    momenta: 'thermal' | 'zero';
  },
  at: number[],
  see: (step: number, x: Float64Array, v: Float64Array) => void,
): void {
  const info = getIntegrator('sghmc')!;
  const settings = coordinateSettings(potential.dim, potential.groups, { lr: o.lr, temperature: o.temperature, weight_decay: 0 }, {});
  const integrator = info.build(settings, { friction: o.friction, momenta: o.momenta });
  const state = createState({ count: o.replicas, dim: potential.dim, firstReplica: 0, seed: o.seed, run: 0, momenta: info.needs.momenta });
  initialise(state, potential, o.init);
  const observer: Observer = { at, observe: (s: EnsembleState, _p, step) => see(step, s.x.slice(), s.v.slice()) };
  simulate(state, potential, integrator, { steps: o.steps, observers: [observer], watchers: [] });
}

function moments(a: Float64Array): { mean: number; variance: number } {
  let m = 0;
  for (const x of a) m += x;
  m /= a.length;
  let s = 0;
  for (const x of a) s += (x - m) ** 2;
  return { mean: m, variance: s / (a.length - 1) };
}

/** Exact first and second moments of the linear SGHMC recursion after n steps, from (x0, v0) deterministic. */
function exactMoments(k: number, h: number, gamma: number, theta: number, x0: number, v0: number, n: number) {
  const a11 = 1,
    a12 = h,
    a21 = -h * k,
    a22 = 1 - h * gamma - h * h * k;
  const q = 2 * gamma * theta * h;
  let mx = x0,
    mv = v0,
    sxx = 0,
    sxv = 0,
    svv = 0;
  for (let i = 0; i < n; i++) {
    [mx, mv] = [a11 * mx + a12 * mv, a21 * mx + a22 * mv];
    const nxx = a11 * a11 * sxx + 2 * a11 * a12 * sxv + a12 * a12 * svv;
    const nxv = a11 * a21 * sxx + (a11 * a22 + a12 * a21) * sxv + a12 * a22 * svv;
    const nvv = a21 * a21 * sxx + 2 * a21 * a22 * sxv + a22 * a22 * svv + q;
    sxx = nxx;
    sxv = nxv;
    svv = nvv;
  }
  return { mx, mv, sxx, svv };
}

describe('sghmc on a harmonic potential (exact discrete OU moments)', () => {
  const k = 2,
    theta = 0.5,
    gamma = 1,
    h = 0.05,
    R = 8000;

  it('mean and variance in time follow the exact recursion (4σ)', () => {
    const at = [10, 40, 100];
    const seen = new Map<number, { x: Float64Array; v: Float64Array }>();
    run(
      harmonic([k], [0]),
      { lr: h, temperature: theta, friction: gamma, steps: 100, replicas: R, seed: 11, init: { kind: 'point', x: [1] }, momenta: 'zero' },
      at,
      (s, x, v) => seen.set(s, { x, v }),
    );
    for (const n of at) {
      const e = exactMoments(k, h, gamma, theta, 1, 0, n);
      const mx = moments(seen.get(n)!.x);
      const mv = moments(seen.get(n)!.v);
      // σ of a mean: sqrt(var/R); of a Gaussian sample variance: var·sqrt(2/(R − 1)).
      expect(Math.abs(mx.mean - e.mx)).toBeLessThan(K_SIGMA * Math.sqrt(e.sxx / R));
      expect(Math.abs(mv.mean - e.mv)).toBeLessThan(K_SIGMA * Math.sqrt(e.svv / R));
      expect(Math.abs(mx.variance - e.sxx)).toBeLessThan(K_SIGMA * e.sxx * Math.sqrt(2 / (R - 1)));
      expect(Math.abs(mv.variance - e.svv)).toBeLessThan(K_SIGMA * e.svv * Math.sqrt(2 / (R - 1)));
    }
    // The transient is visible: the mean has moved well away from 1 and the variance is far from stationary at n = 10.
    expect(moments(seen.get(10)!.x).variance).toBeLessThan(0.5 * (theta / k));
  });

  it('stationary position variance θ/k and momentum variance θ (4σ, O(h) bias from the exact discrete values)', () => {
    const steps = 400; // t = 20 ≫ 2/γ, the decay time of the moments
    let x: Float64Array = new Float64Array(0),
      v: Float64Array = new Float64Array(0);
    run(
      harmonic([k], [0]),
      { lr: h, temperature: theta, friction: gamma, steps, replicas: R, seed: 12, init: { kind: 'point', x: [1] }, momenta: 'zero' },
      [steps],
      (_s, xs, vs) => {
        x = xs;
        v = vs;
      },
    );
    const e = exactMoments(k, h, gamma, theta, 1, 0, steps);
    const mx = moments(x),
      mv = moments(v);
    expect(Math.abs(mx.variance - e.sxx)).toBeLessThan(K_SIGMA * e.sxx * Math.sqrt(2 / (R - 1)));
    expect(Math.abs(mv.variance - e.svv)).toBeLessThan(K_SIGMA * e.svv * Math.sqrt(2 / (R - 1)));
    // The discrete stationary values are the continuous ones up to O(h): here within 5 %.
    expect(Math.abs(e.sxx / (theta / k) - 1)).toBeLessThan(0.05);
    expect(Math.abs(e.svv / theta - 1)).toBeLessThan(0.05);
    // And the measured ones against θ/k and θ with the bias allowed for.
    expect(Math.abs(mx.variance - theta / k)).toBeLessThan(K_SIGMA * e.sxx * Math.sqrt(2 / (R - 1)) + Math.abs(e.sxx - theta / k));
    expect(Math.abs(mv.variance - theta)).toBeLessThan(K_SIGMA * e.svv * Math.sqrt(2 / (R - 1)) + Math.abs(e.svv - theta));
  });
});

describe('sghmc on the double well (Gibbs density, χ²)', () => {
  it('the stationary histogram matches exp(−f/θ) (χ², p > 0.001)', () => {
    const height = 1,
      theta = 0.4,
      h = 0.02,
      R = 5000,
      steps = 1000;
    const f = (x: number) => height * (x * x - 1) ** 2;
    let x: Float64Array = new Float64Array(0);
    run(
      doubleWell(height),
      {
        lr: h,
        temperature: theta,
        friction: 1,
        steps,
        replicas: R,
        seed: 13,
        init: { kind: 'uniform', low: [-1.8], high: [1.8] },
        momenta: 'thermal',
      },
      [steps],
      (_s, xs) => {
        x = xs;
      },
    );
    const lo = -2.2,
      hi = 2.2,
      bins = 24;
    const width = (hi - lo) / bins;
    // Bin masses of exp(−f/θ) by Simpson's rule (200 panels per bin), normalised over [lo, hi] (the mass outside is < e^{−36}).
    const mass = Array.from({ length: bins }, (_, b) => {
      const a = lo + b * width,
        m = 200,
        d = width / m;
      let s = 0;
      for (let i = 0; i <= m; i++) s += (i === 0 || i === m ? 1 : i % 2 === 1 ? 4 : 2) * Math.exp(-f(a + i * d) / theta);
      return (s * d) / 3;
    });
    const total = mass.reduce((p, q) => p + q, 0);
    const counts = new Array<number>(bins).fill(0);
    let outside = 0;
    for (const xi of x) {
      const b = Math.floor((xi - lo) / width);
      if (b < 0 || b >= bins) outside++;
      else counts[b]++;
    }
    expect(outside).toBe(0);
    let chi2 = 0,
      df = 0;
    for (let b = 0; b < bins; b++) {
      const expected = (R * mass[b]) / total;
      if (expected < 5) continue; // χ² needs ≥ 5 expected per bin; the tails are pooled out
      chi2 += (counts[b] - expected) ** 2 / expected;
      df++;
    }
    df -= 1;
    // Wilson–Hilferty: the 0.999 quantile of χ²(df).
    const z = 3.0902;
    const critical = df * (1 - 2 / (9 * df) + z * Math.sqrt(2 / (9 * df))) ** 3;
    expect(df).toBeGreaterThan(15);
    expect(chi2).toBeLessThan(critical);
    // Both wells are populated in Gibbs proportion (symmetric: half each, 4σ binomial).
    const left = x.filter((xi) => xi < 0).length;
    expect(Math.abs(left - R / 2)).toBeLessThan(K_SIGMA * Math.sqrt(R / 4));
  });
});
