// The mean-field theory of modular-addition-square with the log-determinant
// term kept (src/theory/modular-addition-logdet.ts), against independent
// computations: the Fourier form of the single-neuron action against the
// direct P² × P² linear algebra (Cholesky of Q + σ² built pair by pair), its
// gradient against central differences, the GP-limit eigenvalues against
// Monte Carlo over prior neurons, and the sampler with the log-det off against
// the exact quadrature of the paper's decoupled action
// (src/theory/modular-addition.ts).
import { describe, expect, test } from 'vitest';
import { choleskyInPlace, choleskySolve } from '../../src/linalg/cholesky.js';
import { Stream } from '../../src/random/rng.js';
import {
  SingleNeuronAction,
  angleMoments,
  fourierClass,
  gpLambdas,
  hartreeMode,
  hartreeZeroMode,
  modularAdditionHartreeTheory,
  modularAdditionLogDetTheory,
} from '../../src/theory/modular-addition-logdet.js';
import { modeDistribution, modularAdditionKappa, modularAdditionTheory } from '../../src/theory/modular-addition.js';

/** A(x, x′) = (1/P²) Σ_pq (λ_pq + σ²) cos(2π(p(n − n′) + q(m − m′))/P) on the P² pairs, x = n·P + m. */
function directMatrix(P: number, lambda: number[], sigma2: number): Float64Array {
  const M = P * P;
  const A = new Float64Array(M * M);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < M; j++) {
      const dn = Math.floor(i / P) - Math.floor(j / P);
      const dm = (i % P) - (j % P);
      let s = 0;
      for (let p = 0; p < P; p++)
        for (let q = 0; q < P; q++) s += (lambda[fourierClass(P, p, q)] + sigma2) * Math.cos((2 * Math.PI * (p * dn + q * dm)) / P);
      A[i * M + j] = s / M;
    }
  return A;
}

describe('single-neuron action with the log-determinant', () => {
  const P = 7;
  const sigma2 = 0.03;
  const priorW = 0.5;
  const priorA = 1 / 32 ** 2;
  const lambda = [2.1, 0.4, 0.07, 0.02, 0.05]; // origin, axes, r = 1, 2, 3 (any positive values)

  test('classes: sizes and the target modes (p, p) and (p, −p) in class r = 1', () => {
    const counts = new Map<number, number>();
    for (let p = 0; p < P; p++) for (let q = 0; q < P; q++) counts.set(fourierClass(P, p, q), (counts.get(fourierClass(P, p, q)) ?? 0) + 1);
    expect(counts.get(0)).toBe(1);
    for (let k = 1; k <= 1 + (P - 1) / 2; k++) expect(counts.get(k)).toBe(2 * (P - 1));
    for (let p = 1; p < P; p++) {
      expect(fourierClass(P, p, p)).toBe(2);
      expect(fourierClass(P, p, P - p)).toBe(2);
    }
  });

  test('the Fourier form equals the direct −(s_a²/2) Σ_k (y_kᵀA⁻¹φ)² + (P s_a²/2) φᵀA⁻¹φ (to 1e-9 relative)', () => {
    const M = P * P;
    const A = directMatrix(P, lambda, sigma2);
    choleskyInPlace(A, M);
    const act = new SingleNeuronAction(P, priorW, 0);
    const st = new Stream(3, 0, 0, 'logdet-test');
    for (const logDet of [true, false]) {
      act.setCoefficients(lambda, sigma2, priorA, logDet);
      for (let trial = 0; trial < 4; trial++) {
        const w = new Float64Array(2 * P);
        for (let i = 0; i < 2 * P; i++) w[i] = st.normal() * (0.3 + trial * 0.4) + (i < P ? 0.2 : -0.1);
        const phi = new Float64Array(M);
        for (let n = 0; n < P; n++) for (let m = 0; m < P; m++) phi[n * P + m] = (w[n] + w[P + m]) ** 2;
        const sol = phi.slice();
        choleskySolve(A, M, sol);
        let quad = 0;
        for (let i = 0; i < M; i++) quad += phi[i] * sol[i];
        let data = 0;
        for (let k = 0; k < P; k++) {
          let g = 0;
          for (let n = 0; n < P; n++) for (let m = 0; m < P; m++) g += (((n + m) % P === k ? 1 : 0) - 1 / P) * sol[n * P + m];
          data += g * g;
        }
        const direct = -(priorA / 2) * data + (logDet ? ((P * priorA) / 2) * quad : 0);
        let norm = 0;
        for (let i = 0; i < 2 * P; i++) norm += w[i] * w[i];
        const fourier = act.energy(w, 0) - norm / (2 * priorW);
        expect(Math.abs(fourier - direct)).toBeLessThan(1e-9 * Math.abs(direct));
      }
    }
  });

  test('the gradient equals central differences of the action (sextic on; to 1e-6 relative)', () => {
    const act = new SingleNeuronAction(P, priorW, 3e-4);
    act.setCoefficients(lambda, sigma2, priorA, true);
    const st = new Stream(4, 0, 0, 'logdet-grad');
    const w = new Float64Array(2 * P);
    for (let i = 0; i < 2 * P; i++) w[i] = 1.3 * st.normal();
    const g = new Float64Array(2 * P);
    act.energy(w, 0, g);
    const h = 1e-6;
    for (let i = 0; i < 2 * P; i++) {
      const wp = w.slice();
      const wm = w.slice();
      wp[i] += h;
      wm[i] -= h;
      const fd = (act.energy(wp, 0) - act.energy(wm, 0)) / (2 * h);
      expect(Math.abs(g[i] - fd)).toBeLessThan(1e-6 * Math.max(1, Math.abs(fd)));
    }
  });

  test('GP-limit eigenvalues against Monte Carlo over prior neurons (within 4 SE per class)', () => {
    const N = 32;
    const K = (P - 1) / 2;
    const act = new SingleNeuronAction(P, priorW, 0);
    act.setCoefficients(lambda, sigma2, priorA, true);
    const st = new Stream(5, 0, 0, 'logdet-gp');
    const draws = 20000;
    const sizes = [1, 2 * (P - 1), ...Array.from({ length: K }, () => 2 * (P - 1))];
    const s1 = new Float64Array(2 + K);
    const s2 = new Float64Array(2 + K);
    const one = new Float64Array(2 + K);
    const w = new Float64Array(2 * P);
    for (let d = 0; d < draws; d++) {
      for (let i = 0; i < 2 * P; i++) w[i] = Math.sqrt(priorW) * st.normal();
      one.fill(0);
      act.energy(w, 0);
      act.moments(w, 0, one);
      for (let k = 0; k < 2 + K; k++) {
        const v = (N * priorA * one[k]) / sizes[k];
        s1[k] += v;
        s2[k] += v * v;
      }
    }
    const exact = gpLambdas(P, N, priorW, priorA);
    for (let k = 0; k < 2 + K; k++) {
      const mean = s1[k] / draws;
      const se = Math.sqrt((s2[k] / draws - mean * mean) / (draws - 1));
      expect(Math.abs(mean - exact[k])).toBeLessThan(4 * se);
    }
  });
});

describe('the sampled theory', () => {
  // P = 7 keeps the run short. With the log-det off the sampler solves the paper's decoupled action, whose mode
  // law modular-addition.ts integrates exactly: at the sampler's own τ the sampled overlap must match it.
  const base = { P: 7, N: 32, priorW: 0.5, priorA: 1 / 32 ** 2, sextic: 3e-4 };

  test('log-det off: the sampled target overlap equals the exact mode law at the same τ (within 4 SE); τ near the quadrature root', () => {
    const sigma2 = 0.1;
    const exact = modularAdditionTheory({ ...base, sigma2 });
    const mc = modularAdditionLogDetTheory({ ...base, sigma2, logDet: false, chains: 8, samples: 250, rungs: 6, bisections: 10, seed: 2 });
    const atMc = modeDistribution(modularAdditionKappa({ ...base, sigma2 }) * mc.tau * mc.tau, base.priorW, base.sextic);
    const want = atMc.rs2 / (4 * base.priorW ** 2);
    expect(mc.rhat).toBeLessThan(1.1);
    expect(Math.abs(mc.overlapRatio - want), `sampled ${mc.overlapRatio} ± ${mc.overlapRatioSe}, exact ${want}`).toBeLessThan(
      4 * mc.overlapRatioSe,
    );
    // the bisection's last bracket is 2⁻¹⁰ wide; its sampling noise moves τ by a few per cent at most
    expect(Math.abs(mc.tau - exact.tau) / exact.tau).toBeLessThan(0.1);
  }, 120_000);

  test('keeping the log-det shrinks the input weights below the prior and raises the error above the decoupled theory', () => {
    const sigma2 = 0.1;
    const exact = modularAdditionTheory({ ...base, sigma2 });
    const on = modularAdditionLogDetTheory({ ...base, sigma2, chains: 6, samples: 200, rungs: 6, bisections: 10, seed: 3, logDet: true });
    expect(on.normRatio).toBeLessThan(1);
    expect(on.overlapRatio + 4 * on.overlapRatioSe).toBeLessThan(exact.overlapRatio);
    expect(on.error).toBeGreaterThan(exact.error);
  }, 120_000);
});

describe('the Hartree closure', () => {
  test('angle moments for a < 0 against a Simpson rule (1e-8 relative), across the series/asymptotic switch', () => {
    for (const a of [-0.5, -5, -100, -149.9, -150.1, -300]) {
      const n = 200001;
      let g0 = 0;
      let g2 = 0;
      for (let i = 0; i < n; i++) {
        const x = i / (n - 1);
        const w = (i === 0 || i === n - 1 ? 1 : i % 2 === 1 ? 4 : 2) / (3 * (n - 1));
        const e = Math.exp(-a * x * x + a); // scaled by e^{a} to stay finite
        g0 += w * e;
        g2 += w * x * x * e;
      }
      const m = angleMoments(a);
      expect(Math.abs(m.logG0 - (Math.log(g0) - a))).toBeLessThan(1e-8 * Math.max(1, Math.abs(m.logG0)));
      expect(Math.abs(m.x2 - g2 / g0)).toBeLessThan(1e-8);
    }
  });

  test('at zero coupling the mode and zero-mode laws have the prior moments (ρ² ~ s_w² χ²₄, t² ~ 2 s_w² χ²₁)', () => {
    const sw2 = 0.5;
    const m = hartreeMode(0, 0, 0, sw2, 1e-12);
    expect(m.rho2).toBeCloseTo(4 * sw2, 6);
    expect(m.rho4).toBeCloseTo(24 * sw2 * sw2, 5);
    expect(m.rs2).toBeCloseTo(4 * sw2 * sw2, 6);
    const z = hartreeZeroMode(0, 0, sw2, 1e-12);
    expect(z.t2).toBeCloseTo(2 * sw2, 6);
    expect(z.varT2).toBeCloseTo(8 * sw2 * sw2, 5);
  });

  test('with the log-det off it is the decoupled theory (to the two quadratures’ agreement, 1e-5 relative)', () => {
    for (const [P, N, sigma2] of [
      [11, 32, 0.1],
      [11, 128, 0.01],
      [7, 512, 0.03],
    ]) {
      const o = { P, N, sigma2, priorW: 0.5, priorA: 1 / N ** 2, sextic: 3e-4 };
      const d = modularAdditionTheory(o);
      const h = modularAdditionHartreeTheory({ ...o, logDet: false, neurons: 2000 });
      expect(Math.abs(h.tau - d.tau)).toBeLessThan(1e-5 * d.tau);
      expect(Math.abs(h.overlapRatio - d.overlapRatio)).toBeLessThan(1e-5 * d.overlapRatio);
      // the mass beyond the barrier has a step at the barrier, which each grid cuts at its own node: first order in the step
      expect(Math.abs(h.neuronCondensed - d.neuronCondensed)).toBeLessThan(1e-3 * Math.max(d.neuronCondensed, 1e-3));
      expect(h.closed).toBe(true);
    }
  });

  test('with the log-det kept at a weak-coupling point (P = 7, N = 512, σ² = 0.1): closes, and its eigenvalues reproduce the GP values as s_a² → 0', () => {
    const o = { P: 7, N: 512, sigma2: 0.1, priorW: 0.5, priorA: 1 / 512 ** 2, sextic: 3e-4 };
    const h = modularAdditionHartreeTheory({ ...o, logDet: true, neurons: 2000 });
    expect(h.closed).toBe(true);
    const gp = gpLambdas(7, 512, 0.5, 1 / 512 ** 2);
    // the corrections are O(s_a² g) ≈ 10⁻³ here; 5 % bounds them generously and fails for a wrong class formula
    expect(Math.abs(h.lambda.origin / gp[0] - 1)).toBeLessThan(0.05);
    expect(Math.abs(h.lambda.axes / gp[1] - 1)).toBeLessThan(0.05);
    expect(Math.abs(h.lambda.ratio / gp[3] - 1)).toBeLessThan(0.05);
  }, 60_000);
});
