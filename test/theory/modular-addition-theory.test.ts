// The mean-field theory of modular-addition-square on the whole table
// (src/theory/modular-addition.ts): every reduction step checked against an
// independent computation — the Fourier identity of the data term against the
// direct sum over the table, the NNGP target eigenvalue against Monte Carlo
// over prior neurons, the closed-form angle integrals and the one-dimensional
// radial quadrature against a plain two-dimensional quadrature in (r, s), the
// self-consistent τ against a fixed-point iteration, and the droplet fraction's
// Monte Carlo against the exact prior law of the concentration.
import { describe, expect, test } from 'vitest';
import { symmetricEigenvalues } from '../../src/linalg/symmetric-eigen.js';
import { Stream } from '../../src/random/rng.js';
import { Moments } from '../../src/stats/moments.js';
import {
  gaussAngle0,
  gaussAngle2,
  modeDistribution,
  modularAdditionDropletFraction,
  modularAdditionDroppedTerm,
  modularAdditionTheory,
  modularAdditionTheoryCurve,
  priorConcentrationSf,
  priorConcentrationQuantile,
} from '../../src/theory/index.js';

/** Σ_k (Σ_{n,m} y_k(n,m) (u_n + v_m)²)² by the direct sum over the P² pairs (centred targets). */
function dataOverlapDirect(u: Float64Array, v: Float64Array, P: number): number {
  let total = 0;
  for (let k = 0; k < P; k++) {
    let g = 0;
    for (let n = 0; n < P; n++)
      for (let m = 0; m < P; m++) {
        const y = ((n + m) % P === k ? 1 : 0) - 1 / P;
        const z = u[n] + v[m];
        g += y * z * z;
      }
    total += g * g;
  }
  return total;
}

/** Σ_{q=1}^{K} r_q² s_q² with r_q² = 2|U_q|², U_q the unitary DFT (computed with explicit sums). */
function modeOverlapFourier(u: Float64Array, v: Float64Array, P: number): number {
  const pow = (w: Float64Array, q: number) => {
    let re = 0;
    let im = 0;
    for (let n = 0; n < P; n++) {
      re += w[n] * Math.cos((2 * Math.PI * q * n) / P);
      im += w[n] * Math.sin((2 * Math.PI * q * n) / P);
    }
    return (2 * (re * re + im * im)) / P;
  };
  let s = 0;
  for (let q = 1; q <= (P - 1) / 2; q++) s += pow(u, q) * pow(v, q);
  return s;
}

describe('the reduction to Fourier modes', () => {
  test('Σ_k (Σ_x y_k φ)² = 2P Σ_q r_q² s_q² for random neurons (P = 5, 11, 13), to 1e-10 relative', () => {
    const st = new Stream(7, 0, 0);
    for (const P of [5, 11, 13])
      for (let trial = 0; trial < 5; trial++) {
        const u = Float64Array.from({ length: P }, () => st.normal() * (0.3 + trial));
        const v = Float64Array.from({ length: P }, () => st.normal());
        const direct = dataOverlapDirect(u, v, P);
        const fourier = 2 * P * modeOverlapFourier(u, v, P);
        expect(Math.abs(direct - fourier)).toBeLessThan(1e-10 * direct);
      }
  });

  test('the NNGP target eigenvalue 4 N s_a² s_w⁴ against Monte Carlo over prior neurons (k = 4 SE)', () => {
    // λ/(N s_a²) = ⟨(Σ_x y_k φ)²⟩ / |y_k|², |y_k|² = P − 1, averaged over k; 4000 neurons with s_w² = 0.5.
    const P = 11;
    const sw2 = 0.5;
    const st = new Stream(11, 0, 0);
    const samples: number[] = [];
    for (let i = 0; i < 4000; i++) {
      const u = Float64Array.from({ length: P }, () => st.normal() * Math.sqrt(sw2));
      const v = Float64Array.from({ length: P }, () => st.normal() * Math.sqrt(sw2));
      samples.push(dataOverlapDirect(u, v, P) / (P * (P - 1)));
    }
    const m = Moments.of(samples);
    // The theory's GP limit: the per-mode ⟨r² s²⟩ of the prior (4 s_w⁴) is the eigenvalue per N s_a².
    const gp = modeDistribution(0, sw2, 0).rs2;
    // k = 4 standard errors of the Monte Carlo mean.
    expect(Math.abs(m.mean - gp)).toBeLessThan(4 * m.sem);
    const theory = modularAdditionTheory({ P, N: 32, sigma2: 0.1, priorW: sw2, priorA: 1 / 32, sextic: 0.01 });
    expect(Math.abs(theory.tauGP - 0.1 / (0.1 + m.mean))).toBeLessThan(4 * m.sem * (theory.tauGP / (0.1 + m.mean)));
  });
});

describe('per-mode integrals', () => {
  test('the angle integrals against a midpoint rule on both sides of the series/closed-form switch', () => {
    for (const a of [0, 1e-6, 0.3, 0.999, 1.001, 4, 40, 400]) {
      let i0 = 0;
      let i2 = 0;
      const n = 200000;
      for (let j = 0; j < n; j++) {
        const x = (j + 0.5) / n;
        const e = Math.exp(-a * x * x);
        i0 += e / n;
        i2 += (x * x * e) / n;
      }
      // The midpoint rule's error is ~f''/(24 n²) ≲ a²/n² here: 1e-9 relative covers it.
      expect(Math.abs(gaussAngle0(a) - i0)).toBeLessThan(1e-9 * i0 + 1e-14);
      expect(Math.abs(gaussAngle2(a) - i2)).toBeLessThan(1e-9 * i2 + 1e-14);
    }
  });

  test('GP limit (no coupling, no sextic): ⟨r² s²⟩ = 4 s_w⁴ and ⟨ρ²⟩ = 4 s_w²', () => {
    for (const sw2 of [0.25, 0.5, 2]) {
      const m = modeDistribution(0, sw2, 0);
      expect(Math.abs(m.rs2 / (4 * sw2 * sw2) - 1)).toBeLessThan(1e-7);
      expect(Math.abs(m.rho2 / (4 * sw2) - 1)).toBeLessThan(1e-7);
      expect(m.condensed).toBe(0);
    }
  });

  test('with coupling and sextic: ⟨r² s²⟩, ⟨ρ²⟩ and the weight beyond the barrier against a 2-D quadrature in (r, s)', () => {
    // The density of the two mode norms is ∝ r s exp(−S), S = (r² + s²)/(2 s_w²) − c r² s² + γ (r² + s²)³:
    // summed on a 1500 × 1500 midpoint grid — no angle reduction, no error functions.
    const cases = [
      { c: 0.3, gamma: 0.01, sw2: 0.5 }, // one minimum
      { c: 0.2, gamma: 1e-3, sw2: 0.5 }, // near the appearance of the second minimum
      { c: 0.075, gamma: 1e-4, sw2: 0.5 }, // two minima, droplet saddle at ρ² ≈ 88
    ];
    for (const { c, gamma, sw2 } of cases) {
      const m = modeDistribution(c, sw2, gamma);
      const R = Math.sqrt(m.grid[m.grid.length - 1]);
      const n = 1500;
      const h = R / n;
      let z = 0;
      let rs2 = 0;
      let rho2 = 0;
      let beyond = 0;
      const logs = new Float64Array(n * n);
      let max = -Infinity;
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) {
          const r = (i + 0.5) * h;
          const s = (j + 0.5) * h;
          const q = r * r + s * s;
          const l = Math.log(r * s) - q / (2 * sw2) + c * r * r * s * s - gamma * q * q * q;
          logs[i * n + j] = l;
          if (l > max) max = l;
        }
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) {
          const r = (i + 0.5) * h;
          const s = (j + 0.5) * h;
          const q = r * r + s * s;
          const w = Math.exp(logs[i * n + j] - max);
          z += w;
          rs2 += w * r * r * s * s;
          rho2 += w * q;
          if (m.barrierRho2 !== null && q > m.barrierRho2) beyond += w;
        }
      // A 1500² midpoint rule of a smooth density: ~1e-5 relative (h² terms), checked at 1e-4.
      expect(Math.abs(m.rs2 - rs2 / z)).toBeLessThan(1e-4 * m.rs2);
      expect(Math.abs(m.rho2 - rho2 / z)).toBeLessThan(1e-4 * m.rho2);
      expect(Math.abs(m.condensed - beyond / z)).toBeLessThan(1e-4);
    }
  });

  test('coupling without the sextic is rejected: the mode action is unbounded below', () => {
    expect(() => modeDistribution(0.1, 0.5, 0)).toThrow(/needs sextic > 0/);
  });
});

describe('the self-consistent discrepancy', () => {
  const base = { P: 11, N: 32, priorW: 0.5, priorA: 1 / (32 * 32), sextic: 1e-3 };

  test('τ solves τ (σ² + N s_a² m(κτ²)) = σ², and regula falsi on τ − F(τ), F the fixed-point map, finds the same τ', () => {
    // F(τ) = σ²/(σ² + N s_a² m(κτ²)) falls steeply where modes start to condense (|F′| ≈ 20 at σ² = 0.005),
    // so a plain fixed-point iteration cycles; the Illinois variant of regula falsi on the increasing
    // G(τ) = τ − F(τ) is a different root finder on a different function with the same root.
    for (const sigma2 of [0.3, 0.05, 0.005]) {
      const t = modularAdditionTheory({ ...base, sigma2 });
      const kappa = (base.priorA * base.P) / (sigma2 * sigma2);
      const F = (tau: number) =>
        sigma2 / (sigma2 + base.N * base.priorA * modeDistribution(kappa * tau * tau, base.priorW, base.sextic).rs2);
      const m = modeDistribution(kappa * t.tau * t.tau, base.priorW, base.sextic).rs2;
      expect(Math.abs(t.tau * (sigma2 + base.N * base.priorA * m) - sigma2)).toBeLessThan(1e-9 * sigma2);
      let a = 1e-9;
      let b = 1;
      let ga = a - F(a);
      let gb = b - F(b);
      let side = 0;
      let x = b;
      for (let it = 0; it < 200 && Math.abs(b - a) > 1e-13; it++) {
        x = (a * gb - b * ga) / (gb - ga);
        const gx = x - F(x);
        if (gx * gb > 0) {
          b = x;
          gb = gx;
          if (side === -1) ga /= 2;
          side = -1;
        } else {
          a = x;
          ga = gx;
          if (side === 1) gb /= 2;
          side = 1;
        }
        if (gx === 0) break;
      }
      expect(Math.abs(x - t.tau)).toBeLessThan(1e-9);
    }
  });

  test('the discrepancy falls with σ² and the network learns the target direction faster than its GP', () => {
    const curve = modularAdditionTheoryCurve(base, [0.3, 0.1, 0.03, 0.01]);
    for (let i = 1; i < curve.length; i++) expect(curve[i].error).toBeLessThan(curve[i - 1].error);
    // Feature learning: the mean kernel's target eigenvalue grows above its GP value, so the error is below the GP's.
    for (const pt of curve) {
      expect(pt.overlapRatio).toBeGreaterThan(1);
      expect(pt.error).toBeLessThan(pt.errorGP);
    }
  });

  test('bad options name the field', () => {
    expect(() => modularAdditionTheory({ ...base, sigma2: 0 })).toThrow(/sigma2 = 0, expected > 0/);
    expect(() => modularAdditionTheory({ ...base, sigma2: 0.1, P: 4 })).toThrow(/P = 4/);
  });
});

describe('droplet fraction', () => {
  test('with no coupling and no sextic it is the prior tail beyond the threshold, 1 %, within k = 4 SE', () => {
    const P = 11;
    const o = { P, N: 32, sigma2: 1, priorW: 0.5, priorA: 1 / 32, sextic: 0 };
    const d = modularAdditionDropletFraction(o, 0, 40000, 3);
    expect(d.threshold).toBe(priorConcentrationQuantile(P));
    const expected = priorConcentrationSf(P, d.threshold);
    expect(expected).toBeCloseTo(0.01, 9);
    expect(Math.abs(d.fraction - expected)).toBeLessThan(4 * Math.sqrt((expected * (1 - expected)) / 40000));
  });
});

describe('the dropped log-determinant term', () => {
  test('its prior means against closed forms: the kept term by the Fourier identity, the dropped one by the eigenvalues of Q_GP (k = 4 SE)', () => {
    // E[D] = (s_a² τ²/(2σ⁴)) · 2P · K · 4 s_w⁴ (the identity Σ_k (y_kᵀφ)² = 2P Σ_q r_q² s_q² and ⟨r² s²⟩ = 4 s_w⁴);
    // E[L] = (P/2) s_a² tr((Q_GP + σ²)⁻¹ E[φφᵀ]) = (P/(2N)) Σ_i λ_i/(λ_i + σ²), λ_i the eigenvalues of Q_GP.
    const P = 5;
    const o = { P, N: 16, sigma2: 0.05, priorW: 0.5, priorA: 1 / 256, sextic: 1e-3 };
    const tau = 0.4;
    const d = modularAdditionDroppedTerm(o, tau, 20000, 2);
    const K = (P - 1) / 2;
    const kept = ((o.priorA * tau * tau) / (2 * o.sigma2 ** 2)) * 2 * P * K * 4 * o.priorW ** 2;
    expect(Math.abs(d.kept - kept)).toBeLessThan(4 * d.keptSe);
    const M = P * P;
    const Q = new Float64Array(M * M);
    for (let i = 0; i < M; i++)
      for (let j = 0; j < M; j++) {
        const same = (Math.floor(i / P) === Math.floor(j / P) ? 1 : 0) + (i % P === j % P ? 1 : 0);
        Q[i * M + j] = o.N * o.priorA * o.priorW ** 2 * (4 + 2 * same * same);
      }
    const dropped = (P / (2 * o.N)) * symmetricEigenvalues(Q, M).reduce((a, l) => a + l / (l + o.sigma2), 0);
    expect(Math.abs(d.dropped - dropped)).toBeLessThan(4 * d.droppedSe);
  });
});
