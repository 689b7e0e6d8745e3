/**
 * The Brownian-motion picture's potential families (docs/models.md §1.3–1.5):
 * zero-loss-manifold, sample-size-box, two-wells. Gradients vs central finite
 * differences, batched = one-at-a-time (and = gradient1D), declared minima and
 * stiffnesses, the closed forms of theory/grokking.ts and theory/two-wells.ts
 * against independent quadratures, and short ensemble runs through the engine.
 * Statistical tolerances are k standard errors, k stated at each assertion.
 */
import { describe, expect, it } from 'vitest';
import type { Potential } from '../../src/engine/types.js';
import { buildPotential, resolveTwoWells, sampleSizeBox, twoWells, zeroLossManifold } from '../../src/potentials/index.js';
import { validateScenarioObject } from '../../src/scenario/index.js';
import { runEnsemble } from '../../src/parallel/run.js';
import { ksTest } from '../../src/stats/index.js';
import { integrate, logIntegrateExp } from '../../src/theory/quadrature.js';
import { harmonicWellFreeEnergy } from '../../src/theory/wells.js';
import {
  ballCapacity,
  ballExitSurvival,
  boxVolume,
  discreteMonitoringShift,
  effectiveIntervalLength,
  grokkingSteps,
  grokkingTime,
  grokkingTimeVariance,
  memorizationSteps,
  memorizationTime,
  memorizationTimeVariance,
  narrowEscapeTime,
  sampleSizeSlope,
} from '../../src/theory/grokking.js';
import {
  twoWellsCrossoverTemperature,
  twoWellsEnergy,
  twoWellsHarmonicFreeEnergies,
  twoWellsHarmonicOccupancies,
  twoWellsOccupancies1D,
  twoWellsOccupanciesRadial,
} from '../../src/theory/two-wells.js';
import { uniformSource } from '../helpers.js';

const ctx = { seed: 3, run: 0 };

function evaluate(p: Potential, x: Float64Array, count: number) {
  const energy = new Float64Array(count).fill(NaN);
  const grad = new Float64Array(count * p.dim).fill(NaN);
  p.energyAndGradient(x, count, energy, grad);
  return { energy, grad };
}
const energyAt = (p: Potential, pt: ArrayLike<number>) => evaluate(p, Float64Array.from(pt), 1).energy[0]!;
const gradAt = (p: Potential, pt: ArrayLike<number>) => evaluate(p, Float64Array.from(pt), 1).grad;

/**
 * Central differences of the energy vs the analytic gradient at each point, and
 * one batched call = one call per replica, bit for bit. Returns the worst
 * relative gradient error (scaled by 1 + |∇f|).
 */
function checkGradients(p: Potential, points: number[][], h = 1e-6): number {
  let worst = 0;
  for (const pt of points) {
    const g = gradAt(p, pt);
    for (let j = 0; j < p.dim; j++) {
      const up = pt.slice();
      const dn = pt.slice();
      up[j]! += h;
      dn[j]! -= h;
      const fd = (energyAt(p, up) - energyAt(p, dn)) / (2 * h);
      worst = Math.max(worst, Math.abs(fd - g[j]!) / (1 + Math.abs(g[j]!)));
    }
  }
  const flat = Float64Array.from(points.flat());
  const all = evaluate(p, flat, points.length);
  points.forEach((pt, r) => {
    const one = evaluate(p, Float64Array.from(pt), 1);
    expect(all.energy[r]).toBe(one.energy[0]);
    expect(Array.from(all.grad.subarray(r * p.dim, (r + 1) * p.dim))).toEqual(Array.from(one.grad));
    expect(Number.isFinite(one.energy[0]!)).toBe(true);
    if (p.gradient1D) expect(p.gradient1D(pt[0]!)).toBe(one.grad[0]);
  });
  return worst;
}

const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
const variance = (v: number[]) => {
  const m = mean(v);
  return v.reduce((s, x) => s + (x - m) ** 2, 0) / (v.length - 1);
};

// ---------------------------------------------------------------- gradients

describe('gradients vs central differences; batched = one at a time', () => {
  it('zero-loss-manifold: Huber inside and outside |u| < ε, with and without the wall', () => {
    const rnd = uniformSource(1);
    for (const wall of [null, { radius: 1.5, stiffness: 50 }]) {
      const p = zeroLossManifold({ L: 1, R: 1, g: 2, m: 3, eps: 0.1, wall });
      expect(p.dim).toBe(4);
      expect(p.coordinates).toEqual(['u', 'y0', 'y1', 'y2']);
      const pts: number[][] = [];
      for (let i = 0; i < 40; i++) {
        // u: half the points inside the quadratic zone, half outside; kinks of φ'' at ±ε avoided by > 1e-3.
        const u = i % 2 === 0 ? (rnd() * 2 - 1) * 0.098 : (0.102 + rnd()) * (rnd() < 0.5 ? -1 : 1);
        pts.push([u, ...Array.from({ length: 3 }, () => (rnd() * 2 - 1) * 2)]);
      }
      expect(checkGradients(p, pts)).toBeLessThan(1e-7);
      // Values: f = g(|u| − ε/2) outside, g u²/(2ε) inside, 0 on the manifold.
      expect(energyAt(p, [0.5, 0, 0, 0])).toBeCloseTo(2 * (0.5 - 0.05), 14);
      expect(energyAt(p, [-0.05, 0.3, 0, 0])).toBeCloseTo((2 * 0.0025) / 0.2, 14);
      expect(energyAt(p, [0, 1.5, -0.7, 0.4])).toBeCloseTo(wall === null ? 0 : 0.5 * 50 * (Math.hypot(1.5, 0.7, 0.4) - 1.5) ** 2, 12);
      if (wall !== null) expect(energyAt(p, [0, 1.2, -0.7, 0.4])).toBe(0); // |y| < W
    }
  });

  it('sample-size-box: inside (f = 0) and beyond the walls, D = 4 and the 1-D fused gradient', () => {
    const rnd = uniformSource(2);
    const p = sampleSizeBox({ n: 2, D: 4, a: 1, A: 2.5, rho: 0.4, wall: 200 });
    const pts = Array.from({ length: 60 }, () => Array.from({ length: 4 }, () => (rnd() * 2 - 1) * 3.2));
    expect(checkGradients(p, pts, 1e-7)).toBeLessThan(1e-6);
    expect(energyAt(p, [0.9, -0.9, 2.4, -2.4])).toBe(0);
    expect(energyAt(p, [1.1, 0, -2.6, 0])).toBeCloseTo(100 * (0.01 + 0.01), 12);
    const p1 = sampleSizeBox({ n: 1, D: 1, a: 1, A: 2, rho: 0.2, wall: 10 });
    expect(p1.gradient1D).toBeDefined();
    expect(checkGradients(p1, [[-1.7], [-0.3], [0.99], [1.4]])).toBeLessThan(1e-7);
  });

  it('two-wells: wells, ridge and far field in 1-D (fused gradient) and 3-D with per-axis stiffness', () => {
    const rnd = uniformSource(3);
    const p1 = twoWells(resolveTwoWells({ depth1: 1, depth2: 0.5, k1: 4, k2: 1, centre1: -1, centre2: 1, theta_s: 0.05 }));
    expect(p1.gradient1D).toBeDefined();
    // The ridge q₁ = q₂ is at x = (−5 + √19)/3 for these wells: sample around it too.
    const ridge = (-5 + Math.sqrt(19)) / 3;
    const pts1 = [...Array.from({ length: 30 }, () => [(rnd() * 2 - 1) * 4]), ...[-0.02, 0, 0.02].map((d) => [ridge + d])];
    expect(checkGradients(p1, pts1)).toBeLessThan(1e-7);
    const p3 = twoWells(resolveTwoWells({ k1: [4, 9, 2], k2: [1, 0.5, 1.5], centre1: [-1, 0.5, 0], centre2: [1, 0, -0.5], theta_s: 0.1 }));
    expect(p3.dim).toBe(3);
    const pts3 = Array.from({ length: 40 }, () => Array.from({ length: 3 }, () => (rnd() * 2 - 1) * 2.5));
    expect(checkGradients(p3, pts3)).toBeLessThan(1e-7);
    // The theory layer's scalar reference energy is the same function.
    const spec = resolveTwoWells({ k1: [4, 9, 2], k2: [1, 0.5, 1.5], centre1: [-1, 0.5, 0], centre2: [1, 0, -0.5], theta_s: 0.1 });
    for (const pt of pts3)
      expect(Math.abs(twoWellsEnergy(spec, pt) - energyAt(p3, pt))).toBeLessThan(1e-14 * (1 + Math.abs(energyAt(p3, pt))));
  });
});

// ----------------------------------------------------- minima and registry

describe('declared minima, stiffness, defaults', () => {
  it('two-wells minima are stationary, at energy −depth, with Hessian = diag(k) within 1e-4 (θ_s small)', () => {
    const k1 = [4, 9];
    const k2 = [1, 0.5];
    const p = twoWells(resolveTwoWells({ depth1: 1.3, depth2: 0.7, k1, k2, centre1: [-2, 0.5], centre2: [2, -0.5], theta_s: 0.005 }));
    expect(p.minima).toHaveLength(2);
    [k1, k2].forEach((k, i) => {
      const m = p.minima![i]!.slice();
      const g = gradAt(p, m);
      expect(Math.hypot(...g)).toBeLessThan(1e-12);
      expect(Math.abs(energyAt(p, m) - -[1.3, 0.7][i]!)).toBeLessThan(1e-12);
      const h = 1e-5;
      for (let j = 0; j < 2; j++) {
        const up = m.slice();
        const dn = m.slice();
        up[j]! += h;
        dn[j]! -= h;
        const gu = gradAt(p, up);
        const gd = gradAt(p, dn);
        for (let l = 0; l < 2; l++) {
          const hjl = (gu[l]! - gd[l]!) / (2 * h);
          if (j === l) expect(Math.abs(hjl / k[j]! - 1)).toBeLessThan(1e-4);
          else expect(Math.abs(hjl)).toBeLessThan(1e-4 * Math.max(...k));
        }
      }
    });
  });

  it('two-wells: a swallowed well is an error naming it', () => {
    // Well 1 (shallow, wide) lies entirely above well 2 at its own centre.
    expect(() => twoWells(resolveTwoWells({ depth1: 0.1, k1: 0.1, depth2: 5, k2: 1, centre1: -0.2, centre2: 0.2 }))).toThrow(
      /well 1 has no local minimum/,
    );
  });

  it('registered with schema defaults: R = L, eps = 0.01 L, D = 4, θ_s = 0.01·min depth; initialisers', async () => {
    const s = validateScenarioObject(
      {
        name: 'defaults',
        potential: { kind: 'zero-loss-manifold', params: { L: 2 } },
        dynamics: { integrator: 'gd', lr: 1e-3, steps: 1 },
        ensemble: { replicas: 1 },
      },
      '',
    );
    const params = (s.potential as { params: Record<string, unknown> }).params;
    expect(params).toMatchObject({ L: 2, g: 1, m: 2, R: null, eps: null, wall: null });
    const z = await buildPotential(s.potential, ctx);
    expect(energyAt(z, [0.01, 5, 5])).toBeCloseTo(0.01 ** 2 / (2 * 0.02), 15); // ε = 0.02: inside the quadratic zone
    const out = new Float64Array(3).fill(NaN);
    z.initialise!(
      out,
      0,
      () => 0,
      () => 0,
    );
    expect(Array.from(out)).toEqual([2, 0, 0]);
    expect(z.groups).toEqual([
      { name: 'u', offset: 0, size: 1 },
      { name: 'y', offset: 1, size: 2 },
    ]);

    const box = await buildPotential({ kind: 'sample-size-box', params: { n: 1 } }, ctx);
    expect(box.dim).toBe(4);
    const rnd = uniformSource(9);
    const x = new Float64Array(4);
    for (let i = 0; i < 500; i++) {
      box.initialise!(x, 0, () => 0, rnd);
      expect(Math.abs(x[0]!)).toBeLessThanOrEqual(1);
      for (let j = 1; j < 4; j++) expect(Math.abs(x[j]!)).toBeLessThanOrEqual(2.5);
      expect(Math.hypot(...x)).toBeGreaterThan(0.4);
    }
    expect(() => sampleSizeBox({ n: 5, D: 4, a: 1, A: 2, rho: 0.1, wall: 1 })).toThrow(/n must be/);

    const tw = await buildPotential({ kind: 'two-wells', params: {} }, ctx);
    expect(tw.minima!.map((m) => m[0]!)).toEqual([expect.closeTo(-2, 12), expect.closeTo(2, 12)]);
    expect(energyAt(tw, [-2])).toBeCloseTo(-1, 12);
    expect(resolveTwoWells({}).thetaS).toBe(0.005);
  });
});

// ------------------------------------------------------------------ theory

describe('theory/grokking.ts against independent numerics', () => {
  it('E τ = R²/(2mθ) and E τ² by nested quadrature of the radial MFPT equations, m = 1, 2, 3', () => {
    const R = 1.7;
    const theta = 0.6;
    for (const m of [1, 2, 3]) {
      // θ(T'' + (m−1)/r T') = −1, T'(0) = 0, T(R) = 0 ⇒ T(0) = (1/θ)∫_0^R r^{1−m} ∫_0^r s^{m−1} ds dr.
      const inner = (r: number, w: (s: number) => number) => integrate((s) => s ** (m - 1) * w(s), 0, r);
      const T1 = (r0: number) => integrate((r) => (r > 0 ? r ** (1 - m) * inner(r, () => 1) : 0), r0, R) / theta;
      expect(Math.abs(T1(0) / grokkingTime(R, m, theta) - 1)).toBeLessThan(1e-9);
      // Second moment: θΔT₂ = −2T₁ ⇒ T₂(0) = (2/θ)∫_0^R r^{1−m} ∫_0^r s^{m−1} T₁(s) ds dr (T₁ closed form here).
      const T1c = (s: number) => (R * R - s * s) / (2 * m * theta);
      const T2 = (2 / theta) * integrate((r) => (r > 0 ? r ** (1 - m) * inner(r, T1c) : 0), 0, R);
      const variance = T2 - grokkingTime(R, m, theta) ** 2;
      expect(Math.abs(variance / grokkingTimeVariance(R, m, theta) - 1)).toBeLessThan(1e-9);
    }
  });

  it('the exit-time survival series integrates to the mean and second moment (m = 1 … 4); m = 1 coefficients are (4/π)(−1)^k/(2k+1)', () => {
    for (const m of [1, 2, 3, 4]) {
      const S = ballExitSurvival(1.3, m, 0.7);
      expect(S(0)).toBe(1);
      const Et = integrate((t) => S(t), 0, 30, { relTol: 1e-11 });
      const Et2 = integrate((t) => 2 * t * S(t), 0, 60, { relTol: 1e-11 });
      expect(Math.abs(Et / grokkingTime(1.3, m, 0.7) - 1)).toBeLessThan(1e-8);
      expect(Math.abs((Et2 - Et * Et) / grokkingTimeVariance(1.3, m, 0.7) - 1)).toBeLessThan(1e-7);
      // Monotone non-increasing.
      let prev = 1;
      for (let t = 0; t < 3; t += 0.01) {
        expect(S(t)).toBeLessThanOrEqual(prev + 1e-15);
        prev = S(t);
      }
    }
    const S1 = ballExitSurvival(1, 1, 1);
    for (let k = 0; k < 5; k++) {
      expect(S1.zeros[k]).toBeCloseTo((k + 0.5) * Math.PI, 12);
      expect(S1.coefficients[k]).toBeCloseTo(((4 / Math.PI) * (-1) ** k) / (2 * k + 1), 12);
    }
  });

  it('memorization: inverse-Gaussian mean and variance; step conversions', () => {
    expect(memorizationTime(1, 0.1, 2)).toBeCloseTo(0.45, 15);
    expect(memorizationTimeVariance(1, 0.1, 2, 0.3)).toBeCloseTo((2 * 0.3 * 0.9) / 8, 15);
    // Independent: the inverse-Gaussian density of the first passage over d = 0.9 (v = 2, σ² = 2θ) integrates to the mean.
    const d = 0.9,
      v = 2,
      s2 = 0.6;
    const ig = (t: number) => (t > 0 ? (d / Math.sqrt(2 * Math.PI * s2 * t ** 3)) * Math.exp(-((d - v * t) ** 2) / (2 * s2 * t)) : 0);
    expect(integrate(ig, 0, 20, { breakpoints: [0.45] })).toBeCloseTo(1, 9);
    expect(integrate((t) => t * ig(t), 0, 20, { breakpoints: [0.45] })).toBeCloseTo(0.45, 9);
    expect(integrate((t) => (t - 0.45) ** 2 * ig(t), 0, 20, { breakpoints: [0.45] })).toBeCloseTo(
      memorizationTimeVariance(1, 0.1, 2, 0.3),
      9,
    );
    expect(memorizationSteps(1, 0.1, 2, 1e-3)).toBeCloseTo(450, 9);
    expect(memorizationSteps(1, 0.1, 2, 1e-3, 0.5)).toBeCloseTo(450 + discreteMonitoringShift(1e-3, 0.5) / 2e-3, 9);
    expect(grokkingSteps(1, 2, 0.5, 1e-3, false)).toBeCloseTo(500, 9); // R²/(2mθη)
  });

  it('sample-size box: effective side length vs quadrature, volume, slope ln(a/A), capacity vs the exact shell MFPT', () => {
    const theta = 0.8;
    const box1 = sampleSizeBox({ n: 1, D: 1, a: 0.7, A: 3, rho: 0.1, wall: 40 });
    const f = (x: number) => energyAt(box1, [x]);
    const L = Math.exp(logIntegrateExp(f, -4, 4, theta, { breakpoints: [-0.7, 0.7] }));
    expect(Math.abs(L / effectiveIntervalLength(0.7, theta, 40) - 1)).toBeLessThan(1e-9);
    const box = { n: 2, D: 5, a: 1, A: 3 };
    expect(boxVolume(box)).toBeCloseTo(2 ** 2 * 6 ** 3, 10);
    expect(boxVolume({ ...box, n: 3 }) / boxVolume(box)).toBeCloseTo(1 / 3, 14);
    expect(sampleSizeSlope(1, 3)).toBeCloseTo(Math.log(1 / 3), 15);
    expect(Math.log(boxVolume({ ...box, n: 3 }, theta, 40) / boxVolume(box, theta, 40))).toBeCloseTo(sampleSizeSlope(1, 3, theta, 40), 14);
    expect(ballCapacity(3, 0.5)).toBeCloseTo(4 * Math.PI * 0.5, 14);
    expect(ballCapacity(4, 0.5)).toBeCloseTo(4 * Math.PI ** 2 * 0.25, 14);
    // Exact narrow escape in a reflecting sphere of radius Rout around the target ball (D = 3, 4):
    // T'(r) = (Rout^D − r^D)/(θ D r^{D−1}), T(ρ) = 0; mean over a uniform start in the shell.
    for (const D of [3, 4]) {
      const rho = 0.1;
      const Rout = 10;
      const Tp = (r: number) => (Rout ** D - r ** D) / (theta * D * r ** (D - 1));
      const T = (r: number) => integrate(Tp, rho, r);
      const num = integrate((r) => r ** (D - 1) * T(r), rho, Rout, { relTol: 1e-9 });
      const den = (Rout ** D - rho ** D) / D;
      const exact = num / den;
      const shellVolume = ((2 * Math.PI ** (D / 2)) / (D === 3 ? Math.sqrt(Math.PI) / 2 : 1) / D) * (Rout ** D - rho ** D);
      const approx = narrowEscapeTime(shellVolume, D, rho, theta);
      // Leading order: relative correction O(ρ/Rout) (≈ 1.5 ρ/Rout in D = 3).
      expect(Math.abs(exact / approx - 1)).toBeLessThan(2 * (rho / Rout));
      expect(Math.abs(exact / approx - 1)).toBeGreaterThan(0); // not trivially identical
    }
  });
});

describe('theory/two-wells.ts', () => {
  it('crossover temperature equalises the harmonic free energies; docs/models.md §1.3 literally with depths', () => {
    const t1 = twoWellsCrossoverTemperature(1, 4, 0.5, 1);
    expect(t1).toBeCloseTo((2 * (1 - 0.5)) / Math.log(4 / 1), 14);
    const [F1, F2] = twoWellsHarmonicFreeEnergies(1, 4, 0.5, 1, t1);
    expect(Math.abs(F1 - F2)).toBeLessThan(1e-14);
    expect(F1).toBeCloseTo(harmonicWellFreeEnergy(-1, 4, t1), 15);
    // d dimensions: θ* = 2(D₁ − D₂)/Σ ln(k₁ⱼ/k₂ⱼ).
    const k1 = [4, 9, 2];
    const k2 = [1, 3, 1];
    const t3 = twoWellsCrossoverTemperature(1, k1, 0.5, k2);
    expect(t3).toBeCloseTo(1 / (Math.log(4) + Math.log(3) + Math.log(2)), 14);
    const [G1, G2] = twoWellsHarmonicFreeEnergies(1, k1, 0.5, k2, t3);
    expect(Math.abs(G1 - G2)).toBeLessThan(1e-14);
    // Below θ* the deep narrow well wins, above it the wide one.
    expect(twoWellsHarmonicOccupancies(1, 4, 0.5, 1, 0.8 * t1)[0]).toBeGreaterThan(0.5);
    expect(twoWellsHarmonicOccupancies(1, 4, 0.5, 1, 1.25 * t1)[0]).toBeLessThan(0.5);
    expect(twoWellsHarmonicOccupancies(1, 4, 0.5, 1, t1)[0]).toBeCloseTo(0.5, 14);
  });

  it('harmonic occupancies = exact 1-D quadrature for well-separated wells (d = 1); the exact ones include the ridge', () => {
    for (const theta of [0.3, 0.72, 1.5]) {
      const spec = resolveTwoWells({ depth1: 1, depth2: 0.5, k1: 4, k2: 1, centre1: -10, centre2: 10, theta_s: 0.005 });
      const exact = twoWellsOccupancies1D(spec, theta);
      const harm = twoWellsHarmonicOccupancies(1, 4, 0.5, 1, theta);
      expect(Math.abs(exact.occupancies[0] - harm[0])).toBeLessThan(1e-9);
      const [F1] = twoWellsHarmonicFreeEnergies(1, 4, 0.5, 1, theta);
      expect(Math.abs(exact.freeEnergies[0] - F1)).toBeLessThan(1e-9);
    }
    // Close wells: the Gaussian tails overlap and the harmonic picture is off by more than 1 %.
    const near = resolveTwoWells({ depth1: 1, depth2: 0.5, k1: 4, k2: 1, centre1: -1, centre2: 1 });
    const ex = twoWellsOccupancies1D(near, 0.72).occupancies[0];
    expect(Math.abs(ex - twoWellsHarmonicOccupancies(1, 4, 0.5, 1, 0.72)[0])).toBeGreaterThan(0.01);
    // Cross-check the exact value with a plain quadrature of exp(−f/θ) on a wide interval.
    const f = (x: number) => twoWellsEnergy(near, [x]);
    const ridge = (-5 + Math.sqrt(19)) / 3; // q₁ = q₂, left of the split at 0
    const zl = integrate((x) => Math.exp(-f(x) / 0.72), -12, 0, { breakpoints: [-1, ridge - 0.01, ridge, ridge + 0.01] });
    const zr = integrate((x) => Math.exp(-f(x) / 0.72), 0, 12, { breakpoints: [1] });
    expect(Math.abs(ex - zl / (zl + zr))).toBeLessThan(1e-8);
  });
});

describe('theory/two-wells.ts in d dimensions (isotropic wells on the x0 axis)', () => {
  it('radial quadrature = harmonic occupancies and free energies for well-separated wells, d = 2, 3', () => {
    for (const d of [2, 3]) {
      const spec = resolveTwoWells({ dim: d, depth1: 1, depth2: 0.5, k1: 4, k2: 1, centre1: -10, centre2: 10 });
      const k1 = new Array<number>(d).fill(4);
      const k2 = new Array<number>(d).fill(1);
      for (const theta of [0.3, 1]) {
        const ex = twoWellsOccupanciesRadial(spec, theta);
        expect(Math.abs(ex.occupancies[0] - twoWellsHarmonicOccupancies(1, k1, 0.5, k2, theta)[0])).toBeLessThan(1e-9);
        const F = twoWellsHarmonicFreeEnergies(1, k1, 0.5, k2, theta);
        expect(Math.abs(ex.freeEnergies[0] - F[0]) + Math.abs(ex.freeEnergies[1] - F[1])).toBeLessThan(1e-9);
      }
    }
  });

  it('close wells in d = 2: radial quadrature = brute-force Cartesian quadrature of exp(−f/θ) over the half-planes', () => {
    const spec = resolveTwoWells({ dim: 2, depth1: 1, depth2: 0.5, k1: 4, k2: 1, centre1: -1, centre2: 1 });
    const theta = 0.36;
    const p = twoWells(spec);
    const f = (x: number, y: number) => energyAt(p, [x, y]);
    const Z = (a: number, b: number) =>
      integrate(
        (x) => integrate((y) => Math.exp(-(f(x, y) + 1) / theta), -12, 12, { relTol: 1e-10, breakpoints: [-1, -0.3, 0, 0.3, 1] }),
        a,
        b,
        { relTol: 1e-9, breakpoints: [-1, -0.5, -0.2, 0.5, 1] },
      );
    const zl = Z(-12, 0);
    const zr = Z(0, 12);
    const radial = twoWellsOccupanciesRadial(spec, theta).occupancies[0];
    expect(Math.abs(radial - zl / (zl + zr))).toBeLessThan(1e-8);
    // …and the harmonic formula is visibly off here (overlapping tails), so the comparison has teeth.
    expect(Math.abs(radial - twoWellsHarmonicOccupancies(1, [4, 4], 0.5, [1, 1], theta)[0])).toBeGreaterThan(0.005);
  });
});

// -------------------------------------------------------------- ensembles

describe('ensembles through the engine (workers: 0, fixed seeds)', () => {
  it('zero-loss-manifold: mean memorization step = (L − δ)/(ηg) (+ overshoot) within 4 SE, variance = inverse Gaussian within 4 SE', async () => {
    const L = 1,
      delta = 0.1,
      g = 1,
      theta = 0.05,
      eta = 2e-4,
      R = 1000;
    const s = validateScenarioObject(
      {
        name: 'memorize',
        seed: 17,
        potential: { kind: 'zero-loss-manifold', params: { L, g, m: 2, eps: 0.01 } },
        dynamics: { integrator: 'sgld', lr: eta, temperature: theta, steps: 12000 },
        ensemble: { replicas: R, init: { kind: 'potential' } },
        observe: { grid: { kind: 'linear', points: 2 }, observables: ['u'], events: [{ name: 'memorized', enter: { u: { le: delta } } }] },
      },
      '',
    );
    const r = await runEnsemble(s, { workers: 0 });
    const steps = Array.from(r.events[0]!.firstStep);
    expect(steps.every(Number.isFinite)).toBe(true); // none censored (12000 steps ≈ mean + 5 sd)
    const mu = memorizationSteps(L, delta, g, eta, theta); // (L − δ)/(ηg) + overshoot β sqrt(2ηθ)/(ηg)
    const v = memorizationTimeVariance(L, delta, g, theta) / eta ** 2;
    const k = 4;
    expect(Math.abs(mean(steps) - mu)).toBeLessThan(k * Math.sqrt(v / R));
    // Var(s²) = σ⁴(2/(R−1) + κ/R), inverse-Gaussian excess kurtosis κ = 15 μ/λ = 15 · 2θ/(g(L − δ)).
    const kurt = (15 * 2 * theta) / (g * (L - delta));
    expect(Math.abs(variance(steps) - v)).toBeLessThan(k * v * Math.sqrt(2 / (R - 1) + kurt / R));
  });

  it('zero-loss-manifold: grokking exit times = R²/(2mηθ) (+ discrete shift) within 4 SE, KS vs the exact survival (p > 1e-3)', async () => {
    const m = 2,
      Rs = 1,
      theta = 1,
      eta = 1e-4,
      N = 2000;
    const s = validateScenarioObject(
      {
        name: 'grok',
        seed: 23,
        // Start on the manifold (L = 2ε ≤ δ); u runs at θ = 0 and decays to 0, so radius = |y| up to u² ≲ 1e-4.
        potential: { kind: 'zero-loss-manifold', params: { L: 0.02, R: Rs, g: 1, m, eps: 0.01 } },
        dynamics: { integrator: 'sgld', lr: eta, temperature: theta, steps: 20000, groups: { u: { temperature: 0 } } },
        ensemble: { replicas: N, init: { kind: 'potential' } },
        observe: {
          grid: { kind: 'linear', points: 2 },
          observables: ['u', 'radius'],
          events: [{ name: 'grokked', enter: { radius: { ge: Rs }, u: { ge: -0.05, le: 0.05 } } }],
        },
      },
      '',
    );
    const r = await runEnsemble(s, { workers: 0 });
    const steps = Array.from(r.events[0]!.firstStep);
    expect(steps.every(Number.isFinite)).toBe(true); // P(τ > 2) ≈ 1.6 e^{−11.6}: none censored
    const mu = grokkingSteps(Rs, m, theta, eta); // R_eff²/(2mηθ), R_eff = R + β sqrt(2ηθ)
    expect(mu / grokkingSteps(Rs, m, theta, eta, false) - 1).toBeGreaterThan(0.01); // the correction matters at this N
    const sd = Math.sqrt(grokkingTimeVariance(Rs, m, theta)) / eta;
    expect(Math.abs(mean(steps) - mu)).toBeLessThan(4 * (sd / Math.sqrt(N)));
    const S = ballExitSurvival(Rs + discreteMonitoringShift(eta, theta), m, theta);
    const ks = ksTest(
      steps.map((n) => n * eta),
      (t) => 1 - S(t),
    );
    expect(ks.pValue).toBeGreaterThan(1e-3);
  });

  it('two-wells 1-D at θ = θ*: occupancy of well 1 (well observable) = exact quadrature within 3 SE', async () => {
    const params = { depth1: 1, depth2: 0.5, k1: 4, k2: 1, centre1: -1, centre2: 1 };
    const theta = twoWellsCrossoverTemperature(1, 4, 0.5, 1);
    const R = 10000;
    const s = validateScenarioObject(
      {
        name: 'two-wells-gibbs',
        seed: 31,
        potential: { kind: 'two-wells', params },
        // ηk₁ = 0.008: the Euler–Maruyama bias of the occupancy is ≈ 4e-4, a tenth of an SE.
        dynamics: { integrator: 'sgld', lr: 2e-3, temperature: theta, steps: 15000 },
        ensemble: { replicas: R, init: { kind: 'potential' } },
        observe: { grid: { kind: 'linear', points: 2 }, observables: ['x', 'well'] },
      },
      '',
    );
    const r = await runEnsemble(s, { workers: 0 });
    let n1 = 0;
    for (let i = 0; i < R; i++) if (r.finals.values[i * 2 + 1] === 0) n1++;
    const p = twoWellsOccupancies1D(resolveTwoWells(params), theta).occupancies[0];
    const se = Math.sqrt((p * (1 - p)) / R);
    expect(Math.abs(n1 / R - p)).toBeLessThan(3 * se);
  });
});
