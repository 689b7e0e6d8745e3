// The GP (NNGP) limit of teacher-student-erf (docs/models.md §2.2): the erf
// arcsine kernel against Monte Carlo over the prior weights, Cholesky and GP
// regression against independent solves, and the GP learning curve's physics.
import { describe, expect, test } from 'vitest';
import { choleskyInPlace, choleskySolve } from '../../src/linalg/cholesky.js';
import { symmetricEigen } from '../../src/linalg/symmetric-eigen.js';
import { Stream } from '../../src/random/rng.js';
import { Moments } from '../../src/stats/moments.js';
import { erf } from '../../src/stats/special.js';
import { erfNngp, erfNngpKernel, gpRegression, teacherStudentGpCurve } from '../../src/theory/index.js';

/** n rows of d standard normals, row-major. */
function gaussianRows(n: number, d: number, stream: Stream, scale = 1): Float64Array {
  const X = new Float64Array(n * d);
  for (let i = 0; i < X.length; i++) X[i] = scale * stream.normal();
  return X;
}

/** Mean and standard error of the paired differences b[k] − a[k]. */
function pairedDifference(a: readonly number[], b: readonly number[]): { mean: number; se: number } {
  const m = Moments.of(b.map((v, k) => v - a[k]));
  return { mean: m.mean, se: m.sem };
}

describe('erf NNGP kernel', () => {
  // Points of different norms and angles, including nearly parallel and antiparallel pairs.
  const d = 4;
  const points = new Float64Array([
    1, 0, 0, 0, /**/ 0.8, 0.6, 0, 0, /**/ 2, -1, 0.5, 1, /**/ -1.9, 1.1, -0.4, -1.2, /**/ 0.1, 0.2, -0.1, 0.05, /**/ 0, 3, -2, 1,
  ]);
  const m = points.length / d;

  test('against E_w[erf(w·x) erf(w·x′)]·c by Monte Carlo (2·10⁵ draws, k = 4 SE)', () => {
    for (const [sigmaW2, c] of [
      [1 / d, 1],
      [0.7, 2.5],
    ]) {
      const K = erfNngpKernel(points, points, { d, sigmaW2, c });
      const draws = 200_000;
      const stream = new Stream('nngp-kernel-mc', 0, 0, String(sigmaW2));
      const moments = Array.from({ length: m * m }, () => new Moments());
      const w = new Float64Array(d);
      const act = new Float64Array(m);
      const sd = Math.sqrt(sigmaW2);
      for (let s = 0; s < draws; s++) {
        for (let k = 0; k < d; k++) w[k] = sd * stream.normal();
        for (let i = 0; i < m; i++) {
          let u = 0;
          for (let k = 0; k < d; k++) u += w[k] * points[i * d + k];
          act[i] = erf(u);
        }
        for (let i = 0; i < m; i++) for (let j = i; j < m; j++) moments[i * m + j].add(c * act[i] * act[j]);
      }
      for (let i = 0; i < m; i++)
        for (let j = i; j < m; j++) {
          const mc = moments[i * m + j];
          // k = 4 standard errors of the Monte Carlo mean.
          expect(Math.abs(K[i * m + j] - mc.mean)).toBeLessThan(4 * mc.sem);
          expect(K[j * m + i]).toBe(K[i * m + j]);
        }
    }
  });

  test('the default prior is the potential’s (s_w² = 1/d, c = 1) and a rectangular Gram matrix matches the square one', () => {
    const K = erfNngpKernel(points, points, { d });
    const explicit = erfNngpKernel(points, points, { d, sigmaW2: 1 / d, c: 1 });
    expect(Array.from(K)).toEqual(Array.from(explicit));
    const rows = points.subarray(2 * d, 4 * d);
    const R = erfNngpKernel(rows, points, { d });
    for (let i = 0; i < 2; i++) for (let j = 0; j < m; j++) expect(R[i * m + j]).toBe(K[(i + 2) * m + j]);
  });
});

describe('Cholesky', () => {
  const n = 12;
  const stream = new Stream('nngp-cholesky', 0, 0);
  const B = gaussianRows(n, n, stream);
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = i === j ? 0.5 : 0;
      for (let k = 0; k < n; k++) s += B[i * n + k] * B[j * n + k];
      A[i * n + j] = s;
    }

  test('L Lᵀ reproduces A, and the solve satisfies A x = b', () => {
    const L = Float64Array.from(A);
    choleskyInPlace(L, n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j <= i; j++) {
        let s = 0;
        for (let k = 0; k <= j; k++) s += L[i * n + k] * L[j * n + k];
        expect(Math.abs(s - A[i * n + j])).toBeLessThan(1e-12 * A[i * n + i]);
      }
    const b = Array.from({ length: n }, (_, i) => Math.sin(i + 1));
    const x = Float64Array.from(b);
    choleskySolve(L, n, x);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += A[i * n + j] * x[j];
      expect(Math.abs(s - b[i])).toBeLessThan(1e-10);
    }
  });

  test('a leading block of the factor solves the leading block of A', () => {
    const L = Float64Array.from(A);
    choleskyInPlace(L, n);
    const p = 5;
    const Ap = new Float64Array(p * p);
    for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) Ap[i * p + j] = A[i * n + j];
    const Lp = Float64Array.from(Ap);
    choleskyInPlace(Lp, p);
    const b = [1, -2, 0.5, 3, -1];
    const x1 = Float64Array.from(b);
    const x2 = Float64Array.from(b);
    choleskySolve(L, p, x1, n);
    choleskySolve(Lp, p, x2);
    for (let i = 0; i < p; i++) expect(Math.abs(x1[i] - x2[i])).toBeLessThan(1e-12 * Math.max(1, Math.abs(x2[i])));
  });

  test('a matrix that is not positive definite is refused', () => {
    expect(() => choleskyInPlace(new Float64Array([1, 2, 2, 1]), 2)).toThrow(/not positive definite/);
  });
});

describe('GP regression', () => {
  const d = 3;
  const kernel = erfNngp({ d });

  test('two training points: the closed-form 2×2 inverse (mean and variance)', () => {
    const Xtrain = new Float64Array([1, 0.5, -0.3, -0.2, 1.4, 0.9]);
    const y = [0.7, -1.1];
    const Xtest = new Float64Array([0.3, 0.3, 0.3, 2, -1, 0]);
    const noise = 0.2;
    const { mean, variance } = gpRegression({ Xtrain, y, Xtest, kernel, noise, variance: true });
    const K = kernel(Xtrain, Xtrain);
    const a = K[0] + noise;
    const b = K[1];
    const c = K[3] + noise;
    const det = a * c - b * b;
    const inv = [c / det, -b / det, -b / det, a / det];
    const Ks = kernel(Xtest, Xtrain);
    for (let t = 0; t < 2; t++) {
      const k0 = Ks[t * 2];
      const k1 = Ks[t * 2 + 1];
      const alpha0 = inv[0] * y[0] + inv[1] * y[1];
      const alpha1 = inv[2] * y[0] + inv[3] * y[1];
      expect(mean[t]).toBeCloseTo(k0 * alpha0 + k1 * alpha1, 13);
      const row = Xtest.subarray(t * d, (t + 1) * d);
      const quad = k0 * (inv[0] * k0 + inv[1] * k1) + k1 * (inv[2] * k0 + inv[3] * k1);
      expect(variance![t]).toBeCloseTo(kernel(row, row)[0] - quad, 13);
    }
  });

  test('40 training points: the mean and variance equal those of an eigendecomposition solve', () => {
    const n = 40;
    const stream = new Stream('nngp-gp-eigen', 0, 0);
    const Xtrain = gaussianRows(n, d, stream);
    const Xtest = gaussianRows(7, d, stream);
    const y = Array.from({ length: n }, (_, mu) => Math.tanh(Xtrain[mu * d]) + 0.1 * stream.normal());
    const noise = 0.05;
    const { mean, variance } = gpRegression({ Xtrain, y, Xtest, kernel, noise, variance: true });
    // (K + σ² I)⁻¹ = V diag(1/(λ + σ²)) Vᵀ by the Jacobi eigensolver.
    const { values, vectors } = symmetricEigen(kernel(Xtrain, Xtrain), n);
    const apply = (v: ArrayLike<number>): Float64Array => {
      const out = new Float64Array(n);
      for (let k = 0; k < n; k++) {
        let proj = 0;
        for (let i = 0; i < n; i++) proj += vectors[k * n + i] * v[i];
        proj /= values[k] + noise;
        for (let i = 0; i < n; i++) out[i] += proj * vectors[k * n + i];
      }
      return out;
    };
    const alpha = apply(y);
    const Ks = kernel(Xtest, Xtrain);
    for (let t = 0; t < 7; t++) {
      const ks = Ks.subarray(t * n, (t + 1) * n);
      let f = 0;
      for (let i = 0; i < n; i++) f += ks[i] * alpha[i];
      expect(Math.abs(mean[t] - f)).toBeLessThan(1e-9);
      const w = apply(ks);
      let quad = 0;
      for (let i = 0; i < n; i++) quad += ks[i] * w[i];
      const row = Xtest.subarray(t * d, (t + 1) * d);
      expect(Math.abs(variance![t] - (kernel(row, row)[0] - quad))).toBeLessThan(1e-9);
      expect(variance![t]).toBeGreaterThan(0);
    }
  });
});

describe('teacher–student GP learning curve', () => {
  test('He₃(z) = Y₃(x) + 3z(|x|²/(d + 2) − 1) splits into orthogonal parts, ⟨Y₃²⟩ = 6(d − 1)/(d + 2) (2·10⁵ draws, k = 4 SE)', () => {
    const d = 6;
    const stream = new Stream('nngp-harmonic', 0, 0);
    const y3Sq = new Moments();
    const cross = new Moments();
    const linear = new Moments();
    for (let s = 0; s < 200_000; s++) {
      let r2 = 0;
      let z = 0;
      for (let j = 0; j < d; j++) {
        const v = stream.normal();
        r2 += v * v;
        if (j === 0) z = v;
      }
      const y3 = z * z * z - (3 * z * r2) / (d + 2);
      const rest = 3 * z * (r2 / (d + 2) - 1);
      y3Sq.add(y3 * y3);
      cross.add(y3 * rest);
      linear.add(y3 * z);
    }
    // k = 4 standard errors of the Monte Carlo means.
    expect(Math.abs(y3Sq.mean - (6 * (d - 1)) / (d + 2))).toBeLessThan(4 * y3Sq.sem);
    expect(Math.abs(cross.mean)).toBeLessThan(4 * cross.sem);
    expect(Math.abs(linear.mean)).toBeLessThan(4 * linear.sem);
  });

  test('nested training sets: a point of a longer curve equals the curve of that n alone', () => {
    const base = { d: 5, eps: 0.3, sigma2: 0.05, nTest: 200, seed: 3, datasets: 3 };
    const long = teacherStudentGpCurve({ ...base, ns: [30, 120] });
    const short = teacherStudentGpCurve({ ...base, ns: [30] });
    for (const key of ['linear', 'cubic', 'error'] as const)
      short[0].perDataset[key].forEach((v, k) => expect(Math.abs(long[0].perDataset[key][k] - v)).toBeLessThan(1e-10));
  });

  // d = 8, ε = 0.3, σ² = 0.05: n from 100 (≫ d) to 800 (≈ 1.6 d³). Kernel
  // regression with the arcsine kernel learns the linear (degree-1) part of the
  // target once n ≫ d, and a degree-3 component only when n is of the order of
  // the number of cubic harmonics, ~d³ (Rubin et al. §3.1.2; the EK eigenvalue
  // of the degree-3 sector is O(d⁻³)). Checked: the linear part is learned
  // first, the cubic overlap grows with n and the test error falls. The linear
  // overlap itself does not reach 1 within k·SE at these n (≈ 0.85–0.92 at
  // n = 800: the kernel's functions saturate at large |x|), and its growth
  // between these n is not resolved by 8 data sets, so neither is asserted.
  test('the linear part is learned first; the cubic overlap grows and the test error falls with n', () => {
    const eps = 0.3;
    const curve = teacherStudentGpCurve({ d: 8, eps, ns: [100, 200, 400, 800], sigma2: 0.05, nTest: 500, seed: 1, datasets: 8 });
    for (const p of curve) {
      // More than half of the linear part is learned at n ≫ d (k = 4 SE) …
      expect(p.linear - 0.5).toBeGreaterThan(4 * p.linearSe);
      // … and a larger fraction of it than of the cubic part (k = 4 SE).
      expect(p.linear - p.cubic / eps).toBeGreaterThan(4 * Math.hypot(p.linearSe, p.cubicSe / eps));
    }
    for (let i = 0; i + 1 < curve.length; i++) {
      // Each doubling of n: paired over the same data sets, k = 2 SE.
      const cubic = pairedDifference(curve[i].perDataset.cubic, curve[i + 1].perDataset.cubic);
      expect(cubic.mean).toBeGreaterThan(2 * cubic.se);
      const error = pairedDifference(curve[i].perDataset.error, curve[i + 1].perDataset.error);
      expect(-error.mean).toBeGreaterThan(2 * error.se);
    }
    // From n = 100 to n = 800, k = 4 SE.
    const first = curve[0].perDataset;
    const last = curve[curve.length - 1].perDataset;
    const cubic = pairedDifference(first.cubic, last.cubic);
    expect(cubic.mean).toBeGreaterThan(4 * cubic.se);
    const error = pairedDifference(first.error, last.error);
    expect(-error.mean).toBeGreaterThan(4 * error.se);
    // Still far from the cubic target ε at n ≈ 1.6 d³ (k = 4 SE).
    expect(eps - last.cubic.reduce((a, b) => a + b, 0) / last.cubic.length).toBeGreaterThan(4 * curve[curve.length - 1].cubicSe);
  });
});
