/**
 * The one symmetric eigensolver against independent references: the
 * reconstruction A = Σ_k λ_k v_k v_kᵀ and VVᵀ = I on random symmetric
 * matrices, the closed-form spectrum of the tridiagonal Toeplitz matrix
 * tridiag(−1, 2, −1) (λ_k = 2 − 2cos(kπ/(n+1)), v_k(j) ∝ sin(jkπ/(n+1))), the
 * 2×2 closed form and the all-ones matrix (eigenvalue n once, 0 n−1 times).
 */
import { describe, expect, it } from 'vitest';
import { symmetricEigen, symmetricEigenvalues, symmetricMinEigenvalue } from '../../src/linalg/symmetric-eigen.js';
import { Stream } from '../../src/random/rng.js';

function randomSymmetric(n: number, stream: Stream): Float64Array {
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) A[i * n + j] = A[j * n + i] = stream.normal();
  return A;
}

function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]));
  return m;
}

describe('linalg: symmetricEigen', () => {
  it('reconstructs random symmetric matrices with orthonormal, ascending eigenvectors', () => {
    const stream = new Stream('symmetric-eigen', 0, 0);
    for (const n of [1, 2, 3, 5, 8, 13, 30]) {
      const A = randomSymmetric(n, stream);
      const { values, vectors } = symmetricEigen(A, n);
      const scale = maxAbs(A);
      for (let k = 1; k < n; k++) expect(values[k]).toBeGreaterThanOrEqual(values[k - 1]);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) {
          let a = 0;
          let dot = 0;
          for (let k = 0; k < n; k++) {
            a += values[k] * vectors[k * n + i] * vectors[k * n + j];
            dot += vectors[i * n + k] * vectors[j * n + k];
          }
          expect(Math.abs(a - A[i * n + j])).toBeLessThan(1e-12 * n * scale);
          expect(Math.abs(dot - (i === j ? 1 : 0))).toBeLessThan(1e-12 * n);
        }
      // The input is left alone.
      expect(maxAbs(A)).toBe(scale);
    }
  });

  it('gives the tridiagonal Toeplitz spectrum 2 − 2cos(kπ/(n+1)) and sine eigenvectors', () => {
    for (const n of [2, 7, 20, 40]) {
      const A = new Float64Array(n * n);
      for (let i = 0; i < n; i++) {
        A[i * n + i] = 2;
        if (i + 1 < n) A[i * n + i + 1] = A[(i + 1) * n + i] = -1;
      }
      const { values, vectors } = symmetricEigen(A, n);
      for (let k = 1; k <= n; k++) {
        expect(Math.abs(values[k - 1] - (2 - 2 * Math.cos((k * Math.PI) / (n + 1))))).toBeLessThan(1e-13 * n);
        // |⟨v_k, s_k⟩| = 1 with s_k(j) = √(2/(n+1)) sin(jkπ/(n+1)), j = 1…n (unit norm).
        let dot = 0;
        for (let j = 1; j <= n; j++) dot += vectors[(k - 1) * n + j - 1] * Math.sqrt(2 / (n + 1)) * Math.sin((j * k * Math.PI) / (n + 1));
        expect(Math.abs(Math.abs(dot) - 1)).toBeLessThan(1e-10);
      }
    }
  });

  it('matches the 2×2 closed form and the all-ones matrix (a degenerate spectrum)', () => {
    const stream = new Stream('symmetric-eigen-2x2', 0, 0);
    for (let trial = 0; trial < 50; trial++) {
      const a = stream.normal(),
        b = stream.normal(),
        c = stream.normal();
      const mean = (a + c) / 2,
        radius = Math.hypot((a - c) / 2, b);
      const { values } = symmetricEigen([a, b, b, c], 2);
      expect(values[0]).toBeCloseTo(mean - radius, 13);
      expect(values[1]).toBeCloseTo(mean + radius, 13);
    }
    const n = 9;
    const values = symmetricEigenvalues(new Float64Array(n * n).fill(1), n);
    for (let k = 0; k < n - 1; k++) expect(Math.abs(values[k])).toBeLessThan(1e-13);
    expect(values[n - 1]).toBeCloseTo(n, 12);
  });

  it('symmetricEigenvalues and symmetricMinEigenvalue agree with symmetricEigen', () => {
    const stream = new Stream('symmetric-eigen-forms', 0, 0);
    for (const n of [1, 4, 11]) {
      const A = randomSymmetric(n, stream);
      const { values } = symmetricEigen(A, n);
      expect(symmetricEigenvalues(A, n)).toEqual(Array.from(values));
      expect(symmetricMinEigenvalue(Float64Array.from(A), n)).toBe(values[0]);
    }
  });

  it('rejects a matrix of the wrong size', () => {
    expect(() => symmetricEigen([1, 2, 3], 2)).toThrow(/need n² = 4 entries for n = 2, got 3/);
    expect(() => symmetricEigenvalues([1, 2, 3, 4], 3)).toThrow(/symmetricEigenvalues: need n² = 9/);
  });
});
