/**
 * repon-pair and repon-cloud (docs/models.md §3.1, GenEFT Sec. 5): gradients against
 * float64 finite differences and tfjs tf.grad, the conserved quantities of the
 * reduced and the full flow under small-step gradient descent, the collision
 * frequency over Gaussian initialisations run through the engine (gd with
 * per-group learning rates) next to p_r, and the cloud's observables.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Stream } from '../../src/random/rng.js';
import type { Potential } from '../../src/engine/types.js';
import { getPotentialFamily } from '../../src/potentials/index.js';
import { loadTensorflow } from '../../src/potentials/tfjs/backend.js';
import { reponPair } from '../../src/potentials/repon/repon-pair.js';
import { symmetricMinEigenvalue } from '../../src/linalg/symmetric-eigen.js';
import { reponCloud, reponCloudTargets } from '../../src/potentials/repon/repon-cloud.js';
import { validateScenarioObject } from '../../src/scenario/index.js';
import { runEnsemble } from '../../src/parallel/run.js';
import { collisionProbability } from '../../src/theory/repon.js';

function evalAt(p: Potential, x: Float64Array, count: number) {
  const E = new Float64Array(count);
  const G = new Float64Array(count * p.dim);
  p.energyAndGradient(x, count, E, G);
  return { E, G };
}

function randomPoint(p: Potential, count: number, seed: number): Float64Array {
  const s = new Stream(seed, 0, 0);
  const x = new Float64Array(count * p.dim);
  for (let i = 0; i < x.length; i++) x[i] = s.normal();
  return x;
}

/** Max over replicas and coordinates of |central difference − gradient| / (1 + |gradient|). */
function finiteDifferenceError(p: Potential, x: Float64Array, count: number, h: number): number {
  const { G } = evalAt(p, x, count);
  let worst = 0;
  const e = new Float64Array(count);
  const g = new Float64Array(count * p.dim);
  for (let j = 0; j < p.dim; j++) {
    const xp = x.slice();
    const xm = x.slice();
    for (let r = 0; r < count; r++) {
      xp[r * p.dim + j] += h;
      xm[r * p.dim + j] -= h;
    }
    p.energyAndGradient(xp, count, e, g);
    const ep = e.slice();
    p.energyAndGradient(xm, count, e, g);
    for (let r = 0; r < count; r++) {
      const fd = (ep[r] - e[r]) / (2 * h);
      worst = Math.max(worst, Math.abs(fd - G[r * p.dim + j]) / (1 + Math.abs(G[r * p.dim + j])));
    }
  }
  return worst;
}

function observe(p: Potential, name: string, x: Float64Array, count: number): Float64Array {
  const o = p.observables!.find((q) => q.name === name)!;
  const out = new Float64Array(count * o.units);
  o.evaluate(x, count, out);
  return out;
}

/** Gradient descent with per-group rates (the engine's gd at θ = 0, written out). */
function gd(p: Potential, x: Float64Array, count: number, rates: Record<string, number>, steps: number): void {
  const E = new Float64Array(count);
  const G = new Float64Array(count * p.dim);
  const lr = new Float64Array(p.dim);
  for (const g of p.groups) lr.fill(rates[g.name], g.offset, g.offset + g.size);
  for (let t = 0; t < steps; t++) {
    p.energyAndGradient(x, count, E, G);
    for (let r = 0; r < count; r++) for (let j = 0; j < p.dim; j++) x[r * p.dim + j] -= lr[j] * G[r * p.dim + j];
  }
}

describe('repon-pair: energy and gradient', () => {
  it('is registered with groups decoder (A, b) and repons (x₁, x₂)', () => {
    const fam = getPotentialFamily('repon-pair');
    expect(fam).toBeDefined();
    const p = reponPair({ d: 3, m: 2 });
    expect(p.dim).toBe(2 * 3 + 2 + 2 * 3);
    expect(p.groups).toEqual([
      { name: 'decoder', offset: 0, size: 8 },
      { name: 'repons', offset: 8, size: 6 },
    ]);
    expect(p.coordinates.slice(6, 10)).toEqual(['b0', 'b1', 'x1_0', 'x1_1']);
  });

  it('energy is ½Σ|A x_i + b − y|² (hand-computed point, d = 2, m = 1)', () => {
    const p = reponPair({ d: 2, m: 1, y: 0.5 });
    // A = [1, −2], b = 0.25, x₁ = (0.5, 1), x₂ = (−1, 3): e₁ = 0.5 − 2 + 0.25 − 0.5 = −1.75, e₂ = −1 − 6 + 0.25 − 0.5 = −7.25.
    const x = Float64Array.from([1, -2, 0.25, 0.5, 1, -1, 3]);
    const { E, G } = evalAt(p, x, 1);
    expect(E[0]).toBeCloseTo(0.5 * (1.75 ** 2 + 7.25 ** 2), 12);
    // ∂b = e₁ + e₂; ∂x₁ = Aᵀe₁.
    expect(G[2]).toBeCloseTo(-9, 12);
    expect(G[3]).toBeCloseTo(-1.75, 12);
    expect(G[4]).toBeCloseTo(3.5, 12);
  });

  it('gradient matches float64 central differences (d = 1, m = 1 and d = 3, m = 2; 4 replicas)', () => {
    for (const [d, m] of [
      [1, 1],
      [3, 2],
    ]) {
      const p = reponPair({ d, m, y: 0.7 });
      // Quadratic-times-quadratic energy: central differences at h = 1e-5 err by O(h²) ≈ 1e-10 plus rounding ≈ 1e-11.
      expect(finiteDifferenceError(p, randomPoint(p, 4, 11 + d), 4, 1e-5)).toBeLessThan(1e-8);
    }
  });

  // tfjs is float32 (unit roundoff 6e-8); the sums here have ≤ 10 terms of size O(10), so 1e-5 normwise is a wide margin.
  it('energy and gradient match tfjs tf.grad (float32; normwise relative ≤ 1e-5)', async () => {
    const { tf } = await loadTensorflow();
    const d = 3,
      m = 2,
      y = 0.7;
    const p = reponPair({ d, m, y });
    const count = 3;
    const x = Float64Array.from(randomPoint(p, count, 5), Math.fround);
    const { E, G } = evalAt(p, x, count);
    type T = import('@tensorflow/tfjs').Tensor;
    const U = (theta: T) => {
      const A = theta.slice(0, m * d).reshape([m, d]);
      const b = theta.slice(m * d, m).reshape([m, 1]);
      const X = theta.slice(m * d + m, 2 * d).reshape([2, d]);
      const out = tf.add(tf.matMul(A, X, false, true), b);
      return tf.mul(0.5, tf.sum(tf.square(tf.sub(out, y)))) as import('@tensorflow/tfjs').Scalar;
    };
    const grad = tf.grad(U);
    for (let r = 0; r < count; r++) {
      const theta = tf.tensor1d(Float32Array.from(x.subarray(r * p.dim, (r + 1) * p.dim)));
      const e = U(theta).dataSync()[0];
      const g = grad(theta).dataSync();
      expect(Math.abs(e - E[r]) / Math.abs(E[r])).toBeLessThan(1e-5);
      let diff = 0,
        norm = 0;
      for (let j = 0; j < p.dim; j++) {
        diff += (g[j] - G[r * p.dim + j]) ** 2;
        norm += G[r * p.dim + j] ** 2;
      }
      expect(Math.sqrt(diff / norm)).toBeLessThan(1e-5);
    }
  });
});

describe('repon-pair: observables and conserved quantities', () => {
  it('observables at a hand-computed point (d = 2, m = 1)', () => {
    const p = reponPair({ d: 2, m: 1, eta_A: 0.5, eta_x: 0.25, sigma_c: 1, collision_tol: 0.1 });
    // A = (3, 4), x₁ = (1, 1), x₂ = (−1, 1): r = (1, 0), s = (0, 1).
    const x = Float64Array.from([3, 4, 0, 1, 1, -1, 1]);
    expect(observe(p, 'r_norm', x, 1)[0]).toBeCloseTo(1, 14);
    expect(observe(p, 'a2', x, 1)[0]).toBeCloseTo(3, 14); // |A r|/|r|
    expect(observe(p, 'c', x, 1)[0]).toBeCloseTo(3 / 5, 14); // |a·r|/|a|
    expect(observe(p, 'C', x, 1)[0]).toBeCloseTo(25 / 2 - 1 / 0.5, 12);
    expect(observe(p, 'C_full', x, 1)[0]).toBeCloseTo(25 / 2 - 2 / 0.5, 12);
    // M = aaᵀ/(2η_A) − rrᵀ/η_x = [[9 − 4, 12], [12, 16]]: eigenvalues (21 ± sqrt(121 + 576))/2.
    expect(observe(p, 'M_min', x, 1)[0]).toBeCloseTo((21 - Math.sqrt(697)) / 2, 10);
    expect(observe(p, 'centre_residual', x, 1)[0]).toBeCloseTo(3, 14); // A s + b − y = 4 + 0 − 1
    expect(observe(p, 'collided', x, 1)[0]).toBe(0);
    x[5] = 0.9; // r = (0.05, 0) ≤ 0.1
    expect(observe(p, 'collided', x, 1)[0]).toBe(1);
  });

  it('Jacobi min eigenvalue agrees with the closed form for random symmetric 2×2 and with trace/det checks for 4×4', () => {
    const s = new Stream(3, 0, 0);
    for (let k = 0; k < 20; k++) {
      const a = s.normal(),
        b = s.normal(),
        c = s.normal();
      const exact = (a + c) / 2 - Math.sqrt(((a - c) / 2) ** 2 + b * b);
      expect(symmetricMinEigenvalue(Float64Array.from([a, b, b, c]), 2)).toBeCloseTo(exact, 12);
    }
    // diag(3, −1, 2, 5) rotated by a Householder reflection H = I − 2vvᵀ: same spectrum.
    const v = [0.5, 0.5, 0.5, 0.5];
    const D = [3, -1, 2, 5];
    const S = new Float64Array(16);
    const H = (i: number, j: number) => (i === j ? 1 : 0) - 2 * v[i] * v[j];
    for (let i = 0; i < 4; i++) for (let j = 0; j < 4; j++) for (let k = 0; k < 4; k++) S[i * 4 + j] += H(i, k) * D[k] * H(j, k);
    expect(symmetricMinEigenvalue(S, 4)).toBeCloseTo(-1, 12);
  });

  // Explicit Euler = gd: the invariants drift by O(η) per unit time. η_A = 2.5e-4, η_x = 5e-4, 8000 steps
  // (|r| and the gain decay by several e-folds), d = 3, m = 2, 8 replicas (seeds 21, 22).
  it('gd with a small step conserves C in the reduced flow and C_full (not C) in the full flow', () => {
    const rates = { decoder: 2.5e-4, repons: 5e-4 };
    const base = { d: 3, m: 2, eta_A: rates.decoder, eta_x: rates.repons, y: 0.3 };
    const count = 8;
    const drift = (p: Potential, name: string, x0: Float64Array, x1: Float64Array) => {
      const a = observe(p, name, x0, count),
        b = observe(p, name, x1, count);
      // Relative to the scale ‖A‖²/(4η_A) + |r|²/(2η_x) + |s|²/(2η_x) of each replica.
      const scale = observe(p, 'C', x0, count).map((_, r) => {
        let A2 = 0;
        for (let j = 0; j < 6; j++) A2 += x0[r * p.dim + j] ** 2;
        let X2 = 0;
        for (let j = 8; j < 14; j++) X2 += x0[r * p.dim + j] ** 2;
        return A2 / (4 * rates.decoder) + X2 / (4 * rates.repons);
      });
      let worst = 0;
      for (let r = 0; r < count; r++) worst = Math.max(worst, Math.abs(b[r] - a[r]) / scale[r]);
      return worst;
    };
    // Reduced: s = 0, b = y (u = 0 stays 0).
    const red = reponPair({ ...base, sigma_s: 0, sigma_b: 0 });
    const full = reponPair({ ...base });
    for (const [p, seed] of [
      [red, 21],
      [full, 22],
    ] as const) {
      const s = new Stream(seed, 0, 0);
      const x0 = new Float64Array(count * p.dim);
      for (let r = 0; r < count; r++)
        p.initialise!(
          x0,
          r * p.dim,
          () => s.normal(),
          () => s.uniform(),
        );
      const x1 = x0.slice();
      gd(p, x1, count, rates, 8000);
      const dC = drift(p, 'C', x0, x1);
      const dFull = drift(p, 'C_full', x0, x1);
      // Measured: reduced dC = 2.5e-4; full dC_full = 3.3e-4 while dC = 8.7e-2.
      if (p === red) {
        expect(dC).toBeLessThan(1e-3);
        expect(observe(p, 'centre_residual', x1, count).every((v) => v < 1e-12)).toBe(true);
      } else {
        expect(dFull).toBeLessThan(1e-3);
        // The matrix C is not an invariant of the full system: it moves by −uᵀA s per unit time.
        expect(dC).toBeGreaterThan(10 * dFull);
      }
    }
  });
});

describe('repon-pair through the engine (gd, per-group learning rates)', () => {
  /**
   * 4,000 Gaussian initialisations (σ_a = σ_c = 1), gd with groups decoder: η_A = 0.05/sqrt(ratio),
   * repons: η_x = ratio·η_A (largest rate × the 4σ tail stays below the stability limit 2), 1500
   * steps. Run once with 0 steps (the same starts) and once with 1500.
   */
  const ensemble = async (ratio: number, reduced: boolean, d: number, replicas: number, steps: number) => {
    const etaA = 0.05 / Math.sqrt(ratio);
    const etaX = ratio * etaA;
    const params = { d, m: 1, eta_A: etaA, eta_x: etaX, ...(reduced ? { sigma_s: 0, sigma_b: 0 } : {}) };
    const names = ['collided', 'memorized', 'M_min', 'centre_residual'];
    const run = async (n: number) => {
      const s = validateScenarioObject(
        {
          name: 'repon',
          seed: 7,
          potential: { kind: 'repon-pair', params },
          dynamics: { integrator: 'gd', lr: 1, steps: n, groups: { decoder: { lr: etaA }, repons: { lr: etaX } } },
          ensemble: { replicas, init: { kind: 'potential' } },
          observe: { grid: { kind: 'linear', points: 2 }, observables: names },
        },
        '',
      );
      return (await runEnsemble(s, { workers: 0 })).finals.values;
    };
    const v0 = await run(0);
    const v1 = await run(steps);
    const k = names.length;
    let collided = 0,
      memorized = 0,
      startPositive = 0,
      endPositive = 0,
      mismatches = 0,
      residual = 0;
    for (let i = 0; i < replicas; i++) {
      const c = v1[i * k],
        mem = v1[i * k + 1];
      collided += c;
      memorized += mem;
      if (v0[i * k + 2] >= 0) startPositive++;
      if (v1[i * k + 2] >= 0) endPositive++;
      // Decided replicas whose outcome disagrees with the sign of the final M_min (the reduced flow's C).
      if ((c === 1 && v1[i * k + 2] < 0) || (mem === 1 && v1[i * k + 2] >= 0)) mismatches++;
      residual = Math.max(residual, v1[i * k + 3]);
    }
    const pr = collisionProbability({ sigmaA: 1, sigmaC: 1, etaA, etaX });
    const n = replicas;
    return {
      collided: collided / n,
      undecided: (n - collided - memorized) / n,
      startPositive: startPositive / n,
      endPositive: endPositive / n,
      mismatches,
      residual,
      pr,
      se: Math.sqrt((pr * (1 - pr)) / n),
    };
  };
  const ratios = [0.5, 2, 8];
  type Res = Awaited<ReturnType<typeof ensemble>>;
  const results = new Map<string, Res>();
  beforeAll(async () => {
    for (const ratio of ratios) {
      results.set(`red${ratio}`, await ensemble(ratio, true, 1, 4000, 1500));
      results.set(`full${ratio}`, await ensemble(ratio, false, 1, 4000, 1500));
      results.set(`d2${ratio}`, await ensemble(ratio, true, 2, 1000, 1500));
    }
  });

  // Measured (seed 7): collided / undecided after 1500 steps = 0.260 / 0.067, 0.469 / 0.072, 0.672 / 0.065;
  // final M_min ≥ 0: 0.292, 0.509, 0.710 vs p_r 0.295, 0.500, 0.705 (z = −0.4, +1.1, +0.7).
  it('reduced scalar system (centre and bias switched off): collided ≤ p_r ≤ collided + undecided (3 SE), sign of C within 3 SE of p_r, outcome = sign of C', () => {
    for (const ratio of ratios) {
      const r = results.get(`red${ratio}`)!;
      expect(r.collided - 3 * r.se).toBeLessThanOrEqual(r.pr);
      expect(r.collided + r.undecided + 3 * r.se).toBeGreaterThanOrEqual(r.pr);
      expect(Math.abs(r.endPositive - r.pr)).toBeLessThan(3 * r.se);
      expect(r.mismatches).toBe(0);
      expect(r.residual).toBe(0);
    }
  });

  // FINDING (measured, seed 7, 4,000 starts, σ_s = σ_b = 1, bias mean = y): after the centre/bias transient
  // (max |A s + b − y| ≤ 1.3e-3 at step 1500) the flow is the reduced one and the sign of its C = M_min
  // decides the outcome (0 decided replicas disagree). Collision probability by that sign:
  //   η_x/η_A = 0.5: 0.2965 vs p_r 0.2952 (+0.2 SE);  2: 0.535 vs 0.500 (+4.5 SE);  8: 0.783 vs 0.705 (+10.8 SE).
  // Directly collided by step 1500: 0.249, 0.488, 0.741 (undecided 0.106, 0.103, 0.082).
  // The full system collides MORE often than p_r above η_x/η_A ≈ 1 (the centre term −uᵀA s feeds C),
  // as the independent numpy study of docs/models.md §3.1 found (+0.05–0.09 at ratios 3–10).
  it('full (A, b, x₁, x₂) system: outcome = sign of the final C; matches p_r at η_x/η_A = 0.5, collides more often above (finding)', () => {
    for (const ratio of ratios) {
      const r = results.get(`full${ratio}`)!;
      expect(r.mismatches).toBe(0);
      expect(r.residual).toBeLessThan(1e-2);
      expect(r.collided).toBeLessThanOrEqual(r.endPositive);
      expect(r.endPositive).toBeLessThanOrEqual(r.collided + r.undecided);
    }
    const at = (ratio: number) => results.get(`full${ratio}`)!;
    expect(Math.abs(at(0.5).endPositive - at(0.5).pr)).toBeLessThan(3 * at(0.5).se);
    expect(at(2).endPositive - at(2).pr).toBeGreaterThan(3 * at(2).se);
    expect(at(8).endPositive - at(8).pr).toBeGreaterThan(3 * at(8).se);
  });

  // Measured: 2 of 1000 replicas per ratio reach |r| ≤ 1e-3 (starts with a₀ nearly ∥ r₀, where |r∞| ∝ |a₀ ∧ r₀|), M_min < 0 for all.
  it('d = 2 with a row-vector decoder: no full collision (M_min < 0 for every start and end; ≤ 0.5 % reach |r| ≤ 1e-3·σ_c)', () => {
    for (const ratio of ratios) {
      const r = results.get(`d2${ratio}`)!;
      expect(r.startPositive).toBe(0);
      expect(r.endPositive).toBe(0);
      expect(r.collided).toBeLessThanOrEqual(0.005);
    }
  });
});

describe('repon-cloud', () => {
  const ctx = { seed: 4, run: 0 };

  it('is registered; gradient matches float64 central differences (k = 3, n = 3, d = 2, m = 2, random targets)', () => {
    expect(getPotentialFamily('repon-cloud')).toBeDefined();
    const p = reponCloud({ k: 3, n: 3, d: 2, m: 2, targets: 'random' }, ctx);
    expect(p.dim).toBe(4 + 2 + 18);
    expect(p.groups.map((g) => [g.name, g.offset, g.size])).toEqual([
      ['decoder', 0, 6],
      ['repons', 6, 18],
    ]);
    expect(finiteDifferenceError(p, randomPoint(p, 3, 8), 3, 1e-5)).toBeLessThan(1e-8);
  });

  it('energy and gradient match tfjs tf.grad (float32; normwise relative ≤ 1e-5)', async () => {
    const { tf } = await loadTensorflow();
    const k = 3,
      n = 2,
      d = 2,
      m = 2;
    const p = reponCloud({ k, n, d, m, targets: 'random' }, ctx);
    const Y = reponCloudTargets({ k, n, d, m, targets: 'random' }, ctx);
    const T = tf.tensor2d(
      Float32Array.from(Array.from({ length: k * n * m }, (_, i) => Y[Math.floor(Math.floor(i / m) / n) * m + (i % m)])),
      [k * n, m],
    );
    const x = Float64Array.from(randomPoint(p, 2, 9), Math.fround);
    const { E, G } = evalAt(p, x, 2);
    type Tn = import('@tensorflow/tfjs').Tensor;
    const U = (theta: Tn) => {
      const A = theta.slice(0, m * d).reshape([m, d]);
      const b = theta.slice(m * d, m).reshape([1, m]);
      const X = theta.slice(m * d + m, k * n * d).reshape([k * n, d]);
      return tf.mul(0.5, tf.sum(tf.square(tf.sub(tf.add(tf.matMul(X, A, false, true), b), T)))) as import('@tensorflow/tfjs').Scalar;
    };
    const grad = tf.grad(U);
    for (let r = 0; r < 2; r++) {
      const theta = tf.tensor1d(Float32Array.from(x.subarray(r * p.dim, (r + 1) * p.dim)));
      expect(Math.abs(U(theta).dataSync()[0] - E[r]) / E[r]).toBeLessThan(1e-5);
      const g = grad(theta).dataSync();
      let diff = 0,
        norm = 0;
      for (let j = 0; j < p.dim; j++) {
        diff += (g[j] - G[r * p.dim + j]) ** 2;
        norm += G[r * p.dim + j] ** 2;
      }
      expect(Math.sqrt(diff / norm)).toBeLessThan(1e-5);
    }
  });

  it('observables at a hand-computed point (k = 2, n = 2, d = 2, m = 1) and spaced targets', () => {
    const p = reponCloud({ k: 2, n: 2, d: 2, m: 1, spacing: 2, collision_tol: 0.01, eta_A: 0.5, eta_x: 0.25 }, ctx);
    expect(Array.from(reponCloudTargets({ k: 2, m: 1, spacing: 2 }, ctx))).toEqual([-1, 1]);
    // A = (1, 0); cluster 0: (0, 1), (0, −1) → spread 1, along A 0; cluster 1: (2, 0), (2, 0) → collapsed.
    const x = Float64Array.from([1, 0, 0, 0, 1, 0, -1, 2, 0, 2, 0]);
    expect(observe(p, 'within', x, 1)[0]).toBeCloseTo(0.5, 14);
    expect(observe(p, 'within_along_A', x, 1)[0]).toBeCloseTo(0, 14);
    expect(observe(p, 'between', x, 1)[0]).toBeCloseTo(2, 14);
    expect(observe(p, 'collapsed_fraction', x, 1)[0]).toBe(0.5);
    expect(Array.from(observe(p, 'cluster_spread', x, 1))).toEqual([1, 0]);
    expect(observe(p, 'balance', x, 1)[0]).toBeCloseTo(1 / 0.5 - 10 / 0.25, 12);
    // Residuals: cluster 0: 0 + 0 − (−1) = 1 (twice); cluster 1: 2 − 1 = 1 (twice).
    expect(evalAt(p, x, 1).E[0]).toBeCloseTo(2, 14);
  });

  // η_A = 2.5e-4, η_x = 5e-4, 8000 steps, 4 replicas: measured relative drift ≤ 1.7e-4 (seed 31); loss falls ≥ 30×.
  it('gd with a small step conserves balance = ‖A‖²/η_A − Σ|x_i|²/η_x', () => {
    const rates = { decoder: 2.5e-4, repons: 5e-4 };
    const p = reponCloud({ k: 3, n: 3, d: 2, m: 2, targets: 'random', eta_A: rates.decoder, eta_x: rates.repons }, ctx);
    const s = new Stream(31, 0, 0);
    const x0 = new Float64Array(4 * p.dim);
    for (let r = 0; r < 4; r++)
      p.initialise!(
        x0,
        r * p.dim,
        () => s.normal(),
        () => s.uniform(),
      );
    const x1 = x0.slice();
    gd(p, x1, 4, rates, 8000);
    const b0 = observe(p, 'balance', x0, 4),
      b1 = observe(p, 'balance', x1, 4);
    const e0 = evalAt(p, x0, 4).E,
      e1 = evalAt(p, x1, 4).E;
    for (let r = 0; r < 4; r++) {
      let scale = 0;
      for (let j = 0; j < 4; j++) scale += x0[r * p.dim + j] ** 2 / rates.decoder;
      for (let j = 6; j < p.dim; j++) scale += x0[r * p.dim + j] ** 2 / rates.repons;
      expect(Math.abs(b1[r] - b0[r]) / scale).toBeLessThan(1e-3);
      expect(e1[r]).toBeLessThan(0.1 * e0[r]); // the run actually trains
    }
  });

  const cloudRun = async (d: number, replicas: number, steps: number) => {
    const s = validateScenarioObject(
      {
        name: 'cloud',
        seed: 12,
        potential: { kind: 'repon-cloud', params: { k: 3, n: 4, d, m: 1 } },
        dynamics: { integrator: 'gd', lr: 1, steps, groups: { decoder: { lr: 0.02 }, repons: { lr: 0.05 } } },
        ensemble: { replicas, init: { kind: 'potential' } },
        observe: {
          grid: { kind: 'linear', points: 2 },
          observables: ['collapsed_fraction', 'within', 'within_along_A', 'between', 'energy'],
        },
      },
      '',
    );
    return (await runEnsemble(s, { workers: 0 })).finals.values;
  };

  // Measured (seed 12, 200 replicas, 4000 steps, η_A = 0.02, η_x = 0.05, k = 3, n = 4, m = 1):
  // d = 1: every cluster of every replica collapsed (within ≤ 7e-15), between ≥ 0.75, loss ≤ 1e-27;
  // d = 2: no cluster collapsed, within ∈ [0.28, 1.34], within_along_A ≤ 4e-15, between ≥ 0.70.
  it('through the engine (gd, per-group rates): d = 1 every cluster collapses; d = 2 (row-vector decoder) none does, only the spread along A vanishes', async () => {
    const R = 200;
    for (const d of [1, 2]) {
      const v = await cloudRun(d, R, 4000);
      const col = (j: number) => Array.from({ length: R }, (_, i) => v[i * 5 + j]);
      expect(Math.max(...col(4))).toBeLessThan(1e-12); // zero loss reached
      expect(Math.max(...col(2))).toBeLessThan(1e-9); // within-cluster spread along A gone
      expect(Math.min(...col(3))).toBeGreaterThan(0.1); // clusters stay apart
      if (d === 1) {
        expect(Math.min(...col(0))).toBe(1);
      } else {
        expect(Math.max(...col(0))).toBe(0);
        expect(Math.min(...col(1))).toBeGreaterThan(0.1);
      }
    }
  });
});
