/**
 * The Fourier regulariser of modular-addition-square (param `fourier_sextic`,
 * docs/models.md §2.1): γ R(w), R = Σ_c Σ_{k=0}^{(P−1)/2} ρ_{c,k}⁶ with
 * ρ²_{c,k} = f_k (|ũ_k|² + |ṽ_k|²), f_0 = 1/P, f_k = 2/P, added to the energy
 * after every kernel route (js, wasm, native).
 *
 * - The energy with γ minus the energy without equals γ R computed here from
 *   an explicit complex DFT, to 1e-12 relative, for every route, full batch
 *   and minibatch (the term is part of the prior: added in full either way).
 * - The gradient against 7-point central differences of the energy (js),
 *   exact up to rounding because the energy is a polynomial of degree ≤ 6
 *   along each coordinate: the sextic alone (flat priors, a negligible data
 *   term) and on top of the posterior. The routes agree with each other to
 *   1e-12 relative as in test/kernels/kernels.test.ts.
 * - `fourier_sextic: 0` gives the same bytes as omitting it (evaluations and
 *   a short run).
 * - Bad values are errors naming `fourier_sextic`.
 *
 * Needs dist/wasm/kernels.wasm and the native addon (`npm run build`).
 */
import { describe, expect, it } from 'vitest';
import type { Potential } from '../../src/engine/types.js';
import { wasmKernels } from '../../src/kernels/wasm.js';
import { nativeStatus } from '../../src/native/index.js';
import { runEnsemble } from '../../src/parallel/run.js';
import { modularAdditionSquare, resolveModularAddition } from '../../src/potentials/neural/modular-addition/index.js';
import { validateScenarioObject } from '../../src/scenario/index.js';
import { discrepancy, evalAt, minibatch, randomPoint } from '../helpers.js';

const TOL = 1e-12;
const GAMMA = 0.37;

const ma = (params: Record<string, unknown>): Potential => modularAdditionSquare(params, { seed: 3, run: 0 });

const native = nativeStatus();
/** The routes this machine has: js and wasm always (the build makes the module), native when the addon loaded. */
const routes = native.ok ? (['js', 'wasm', 'native'] as const) : (['js', 'wasm'] as const);

/**
 * R(w) of replica r by the textbook DFT: ũ_k = Σ_n u_n e^{−2πikn/P} as a
 * complex sum (real and imaginary parts from the angle 2πkn/P itself),
 * |ũ_k|² = ũ_k · conj(ũ_k), independently of the potential's tables.
 */
function sexticReference(x: Float64Array, dim: number, r: number, P: number, N: number): number {
  const K = (P - 1) / 2;
  let R = 0;
  for (let c = 0; c < N; c++) {
    for (let k = 0; k <= K; k++) {
      let power = 0;
      for (let half = 0; half < 2; half++) {
        const o = r * dim + c * 2 * P + half * P;
        let re = 0;
        let im = 0;
        for (let n = 0; n < P; n++) {
          const theta = (-2 * Math.PI * k * n) / P;
          re += x[o + n] * Math.cos(theta);
          im += x[o + n] * Math.sin(theta);
        }
        // (re + i im)(re − i im)
        power += re * re + im * im;
      }
      const rho2 = ((k === 0 ? 1 : 2) / P) * power;
      R += rho2 ** 3;
    }
  }
  return R;
}

/**
 * Largest |fd − g| / |E| over coordinates and replicas, fd the 7-point central difference
 * (−E₋₃ + 9E₋₂ − 45E₋₁ + 45E₁ − 9E₂ + E₃)/(60h) of the energy along one coordinate, step h.
 */
function centralDifferenceError(p: Potential, x: Float64Array, count: number, h: number): number {
  const { E, G } = evalAt(p, x, count);
  const weights = [-1, 9, -45, 0, 45, -9, 1];
  const xp = x.slice();
  const e = new Float64Array(count);
  const scratch = new Float64Array(count * p.dim);
  const acc = new Float64Array(count);
  let worst = 0;
  for (let j = 0; j < p.dim; j++) {
    acc.fill(0);
    for (let s = -3; s <= 3; s++) {
      if (s === 0) continue;
      for (let r = 0; r < count; r++) xp[r * p.dim + j] = x[r * p.dim + j] + s * h;
      p.energyAndGradient(xp, count, e, scratch);
      for (let r = 0; r < count; r++) acc[r] += weights[s + 3] * e[r];
    }
    for (let r = 0; r < count; r++) {
      xp[r * p.dim + j] = x[r * p.dim + j];
      worst = Math.max(worst, Math.abs(acc[r] / (60 * h) - G[r * p.dim + j]) / Math.abs(E[r]));
    }
  }
  return worst;
}

const shapes: [string, Record<string, unknown>][] = [
  ['defaults (P 11, N 32)', {}],
  ['P 5, N 7 (odd N), one-hot, prior_w 2', { P: 5, N: 7, targets: 'one-hot', prior_w: 2 }],
  ['P 13, N 3, flat priors', { P: 13, N: 3, prior_w: 'flat', prior_a: 'flat' }],
];

describe('modular-addition-square: the Fourier regulariser fourier_sextic', () => {
  it('the kernels this test compares are here (wasm always; native whenever CI builds it)', () => {
    const st = wasmKernels();
    expect(st.ok ? 'loaded' : st.reason).toBe('loaded');
    if (process.env.CI) expect(native.ok ? 'loaded' : native.reason).toBe('loaded');
    if (!native.ok) expect(() => ma({ kernels: 'native', fourier_sextic: GAMMA })).toThrow(/kernels 'native' unavailable/);
  });

  for (const [name, params] of shapes) {
    it(`${name}: E(γ) − E(0) = γ R from an explicit complex DFT to ${TOL} relative, every route, full batch and minibatch`, () => {
      const { P, N } = resolveModularAddition(params);
      const count = 3;
      for (const kernels of routes) {
        const off = ma({ ...params, kernels });
        const on = ma({ ...params, kernels, fourier_sextic: GAMMA });
        expect(on.info?.kernels).toBe(off.info?.kernels);
        for (const scale of [1, 2]) {
          const x = randomPoint(off, count, 40 + scale, scale);
          for (const batch of [undefined, minibatch(count, 9, off.dataSize!, 7)]) {
            const E0 = evalAt(off, x, count, batch).E;
            const E1 = evalAt(on, x, count, batch).E;
            for (let r = 0; r < count; r++) {
              const gR = GAMMA * sexticReference(x, off.dim, r, P, N);
              expect(gR).toBeGreaterThan(0);
              expect(Math.abs(E1[r] - E0[r] - gR) / gR, `${kernels}, scale ${scale}, replica ${r}`).toBeLessThanOrEqual(TOL);
            }
          }
        }
      }
    });
  }

  it('the gradient term does not depend on the minibatch: G(γ) − G(0) is the same with and without one, to rounding', () => {
    const count = 3;
    for (const kernels of routes) {
      const off = ma({ kernels });
      const on = ma({ kernels, fourier_sextic: GAMMA });
      const x = randomPoint(off, count, 5);
      const batch = minibatch(count, 9, off.dataSize!, 8);
      const full = [evalAt(on, x, count).G, evalAt(off, x, count).G];
      const mb = [evalAt(on, x, count, batch).G, evalAt(off, x, count, batch).G];
      let worst = 0;
      let sextic = 0;
      for (let j = 0; j < full[0].length; j++) {
        const dFull = full[0][j] - full[1][j];
        const dMb = mb[0][j] - mb[1][j];
        sextic = Math.max(sextic, Math.abs(dFull));
        // G(γ) = fl(G(0) + s): each difference recovers s up to an ulp of the operands,
        // so the two differ by at most 2ε times the sum of the four magnitudes.
        const bound = 2 * Number.EPSILON * (Math.abs(full[0][j]) + Math.abs(full[1][j]) + Math.abs(mb[0][j]) + Math.abs(mb[1][j]));
        worst = Math.max(worst, Math.abs(dFull - dMb) / (bound || Number.MIN_VALUE));
      }
      expect(sextic, kernels).toBeGreaterThan(0);
      expect(worst, kernels).toBeLessThanOrEqual(1);
    }
  });

  it('gradient against 7-point central differences of the energy (js): the sextic alone and on top of the posterior', () => {
    // Along one coordinate the energy is a polynomial of degree ≤ 6 (the sextic 6, the data term
    // 4 in a w and 2 in an a, the priors 2), so the 7-point central difference (6th order, error
    // ∝ h⁶ ∂⁷E = 0) has no truncation error at any step: only the rounding δ of each energy,
    // |fd − g| ≤ (110/60) δ/h. Step h = 0.05; δ ≤ 1e-13 |E| (≈ 450 ε, for sums of up to ~10⁴
    // rounded terms) gives the tolerance |fd − g| ≤ 3.7e-12 |E| per replica (measured ≈ 1e-14 |E|).
    // A gradient wrong by 1e-9 relative (|g| ~ |E| here) would exceed it.
    const h = 0.05;
    const tol = ((110 / 60) * 1e-13) / h;
    const alone = ma({ kernels: 'js', fourier_sextic: 1, prior_w: 'flat', prior_a: 'flat', loss_scale: 1e-12, P: 7, N: 4 });
    const x = randomPoint(alone, 3, 11);
    const offAlone = ma({ kernels: 'js', fourier_sextic: 0, prior_w: 'flat', prior_a: 'flat', loss_scale: 1e-12, P: 7, N: 4 });
    // With flat priors and loss_scale 1e-12 the energy and gradient are the sextic's (the rest < 1e-8 of them).
    expect(Math.max(...evalAt(offAlone, x, 3).E.map(Math.abs))).toBeLessThan(1e-8 * Math.min(...evalAt(alone, x, 3).E));
    expect(centralDifferenceError(alone, x, 3, h)).toBeLessThanOrEqual(tol);
    for (const params of [{ P: 5, N: 6 }, {}]) {
      const posterior = ma({ ...params, kernels: 'js', fourier_sextic: GAMMA });
      expect(centralDifferenceError(posterior, randomPoint(posterior, 2, 12), 2, h)).toBeLessThanOrEqual(tol);
    }
  });

  for (const [name, params] of shapes) {
    it(`${name}: wasm${native.ok ? ' and native' : ''} agree with js with the term on (${TOL} relative, full batch and minibatch)`, () => {
      const js = ma({ ...params, kernels: 'js', fourier_sextic: GAMMA });
      for (const kernels of routes.filter((k) => k !== 'js')) {
        const other = ma({ ...params, kernels, fourier_sextic: GAMMA });
        expect(other.info?.kernels).toMatch(kernels === 'wasm' ? /^wasm SIMD, float64$/ : /^native .*, float64$/);
        for (const scale of [1, 2]) {
          const x = randomPoint(js, 5, 17 + scale, scale);
          for (const batch of [undefined, minibatch(5, 13, js.dataSize!, scale)]) {
            const d = discrepancy(js, other, x, 5, batch);
            expect(d.finite).toBe(true);
            expect(d.energy, `${kernels}, scale ${scale}`).toBeLessThanOrEqual(TOL);
            expect(d.gradient, `${kernels}, scale ${scale}`).toBeLessThanOrEqual(TOL);
          }
        }
      }
    });
  }

  it('fourier_sextic: 0 gives the same bytes as omitting it (every route, full batch and minibatch; a short run)', async () => {
    expect(resolveModularAddition({}).fourier_sextic).toBe(0);
    const count = 4;
    for (const kernels of routes) {
      const omitted = ma({ P: 7, N: 5, kernels });
      const zero = ma({ P: 7, N: 5, kernels, fourier_sextic: 0 });
      const x = randomPoint(omitted, count, 21);
      for (const batch of [undefined, minibatch(count, 6, omitted.dataSize!, 2)]) {
        const a = evalAt(omitted, x, count, batch);
        const b = evalAt(zero, x, count, batch);
        expect(Buffer.from(b.E.buffer).equals(Buffer.from(a.E.buffer)), kernels).toBe(true);
        expect(Buffer.from(b.G.buffer).equals(Buffer.from(a.G.buffer)), kernels).toBe(true);
      }
    }
    const scenario = (extra: Record<string, unknown>) =>
      validateScenarioObject(
        {
          name: 'sextic-off',
          seed: 4,
          potential: { kind: 'modular-addition-square', params: { P: 5, N: 6, ...extra } },
          dynamics: { integrator: 'sgld', lr: 1e-3, temperature: 1, steps: 30 },
          ensemble: { replicas: 6, init: { kind: 'potential' } },
          observe: { grid: { kind: 'linear', points: 3 }, observables: ['energy'] },
        },
        '',
      );
    const a = await runEnsemble(scenario({}), { workers: 0 });
    const b = await runEnsemble(scenario({ fourier_sextic: 0 }), { workers: 0 });
    const c = await runEnsemble(scenario({ fourier_sextic: GAMMA }), { workers: 0 });
    expect(Array.from(b.finals.values)).toEqual(Array.from(a.finals.values));
    expect(Array.from(b.traces.moments)).toEqual(Array.from(a.traces.moments));
    expect(Array.from(c.finals.values)).not.toEqual(Array.from(a.finals.values)); // the param reaches the run
  });

  it('bad values are errors naming fourier_sextic, the value and what was expected', () => {
    for (const [value, shown] of [
      [-1, '-1'],
      ['x', '"x"'],
      [Number.NaN, 'NaN'],
      [Number.POSITIVE_INFINITY, 'Infinity'],
      [null, 'null'],
    ] as const) {
      const message = `modular-addition-square: fourier_sextic = ${shown}, expected a finite number ≥ 0 (0 = off)`;
      expect(() => resolveModularAddition({ fourier_sextic: value })).toThrow(message);
      expect(() => ma({ fourier_sextic: value })).toThrow(message);
    }
    for (const value of [-1, 'x']) {
      const load = () =>
        validateScenarioObject(
          {
            name: 'sextic-bad',
            seed: 1,
            potential: { kind: 'modular-addition-square', params: { fourier_sextic: value } },
            dynamics: { integrator: 'sgld', lr: 1e-3, steps: 10 },
            ensemble: { replicas: 2, init: { kind: 'potential' } },
          },
          '',
        );
      expect(load).toThrow(/fourier_sextic/);
    }
  });
});
