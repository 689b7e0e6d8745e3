// The sextic Fourier regulariser of modular-addition-square (param fourier_sextic; docs/potentials.md):
// its value against an independent complex DFT, its gradient against central differences, the same
// term on every kernel route, and fourier_sextic 0 identical to leaving it out.
import { describe, expect, it } from 'vitest';
import { modularAdditionSquare } from '../../src/potentials/neural/modular-addition/index.js';
import { nativeStatus } from '../../src/native/index.js';
import { evalAt, finiteDifferenceError, randomPoint } from '../helpers.js';

const ctx = { seed: 7, run: 0 };

/** γ Σ_c Σ_{k=0}^{(P−1)/2} (f_k (|ũ_k|² + |ṽ_k|²))³ by a plain complex DFT (e^{−2πikn/P}), f_0 = 1/P, f_k = 2/P. */
function sexticDirect(x: Float64Array, base: number, P: number, N: number, gamma: number): number {
  let R = 0;
  for (let c = 0; c < N; c++) {
    for (let k = 0; k <= (P - 1) / 2; k++) {
      let power = 0;
      for (let half = 0; half < 2; half++) {
        let re = 0;
        let im = 0;
        for (let n = 0; n < P; n++) {
          const w = x[base + c * 2 * P + half * P + n];
          re += w * Math.cos((-2 * Math.PI * k * n) / P);
          im += w * Math.sin((-2 * Math.PI * k * n) / P);
        }
        power += re * re + im * im;
      }
      const rho2 = ((k === 0 ? 1 : 2) / P) * power;
      R += rho2 ** 3;
    }
  }
  return gamma * R;
}

describe('modular-addition-square fourier_sextic', () => {
  const P = 7;
  const N = 3;
  const gamma = 0.05;
  const base = { P, N, sigma2: 0.1, train_fraction: 1, kernels: 'js' };

  it('adds γ R(w) to the energy of every replica (against a direct DFT, 1e-12 relative) and nothing with γ = 0', () => {
    const off = modularAdditionSquare(base, ctx);
    const on = modularAdditionSquare({ ...base, fourier_sextic: gamma }, ctx);
    const zero = modularAdditionSquare({ ...base, fourier_sextic: 0 }, ctx);
    const x = randomPoint(off, 3, 11, 2);
    const a = evalAt(off, x, 3);
    const b = evalAt(on, x, 3);
    const z = evalAt(zero, x, 3);
    for (let r = 0; r < 3; r++) {
      const want = sexticDirect(x, r * off.dim, P, N, gamma);
      expect(want).toBeGreaterThan(0);
      expect(Math.abs(b.E[r] - a.E[r] - want)).toBeLessThan(1e-12 * b.E[r]);
    }
    // fourier_sextic: 0 gives the same bytes as leaving it out.
    expect(Array.from(z.E)).toEqual(Array.from(a.E));
    expect(Array.from(z.G)).toEqual(Array.from(a.G));
  });

  it('gradient against central differences (h = 1e-5: truncation ~h² ≈ 1e-10 of O(1) third derivatives, rounding ~1e-16·E/h)', () => {
    const on = modularAdditionSquare({ ...base, fourier_sextic: gamma }, ctx);
    const x = randomPoint(on, 2, 5, 1.5);
    expect(finiteDifferenceError(on, x, 2, 1e-5)).toBeLessThan(1e-6);
  });

  it('the same term on the wasm and native routes (agreement with the TypeScript route to 1e-12 relative)', () => {
    const js = modularAdditionSquare({ ...base, fourier_sextic: gamma }, ctx);
    const routes = ['wasm', ...(nativeStatus().ok ? ['native'] : [])];
    const x = randomPoint(js, 4, 9, 2);
    const ref = evalAt(js, x, 4);
    for (const kernels of routes) {
      const other = modularAdditionSquare({ ...base, kernels, fourier_sextic: gamma }, ctx);
      const got = evalAt(other, x, 4);
      for (let r = 0; r < 4; r++) expect(Math.abs(got.E[r] - ref.E[r]), kernels).toBeLessThan(1e-12 * Math.abs(ref.E[r]));
      let scale = 0;
      for (const g of ref.G) scale = Math.max(scale, Math.abs(g));
      for (let j = 0; j < ref.G.length; j++) expect(Math.abs(got.G[j] - ref.G[j]), `${kernels} ${j}`).toBeLessThan(1e-12 * scale);
    }
  });

  it('a negative or non-numeric value is an error naming the param', () => {
    expect(() => modularAdditionSquare({ ...base, fourier_sextic: -1 }, ctx)).toThrow(/fourier_sextic = -1, expected a number ≥ 0/);
    expect(() => modularAdditionSquare({ ...base, fourier_sextic: 'x' }, ctx)).toThrow(/fourier_sextic = "x"/);
  });
});
