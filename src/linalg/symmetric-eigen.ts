/**
 * The symmetric eigensolver: cyclic Jacobi rotations (Golub & Van Loan,
 * Matrix Computations, 4th ed., §8.5.2–8.5.3). Each rotation zeroes a_pq with
 * t = sign(θ)/(|θ| + √(θ² + 1)), θ = (a_qq − a_pp)/(2 a_pq) (Alg. 8.5.1, the
 * smaller root, so |rotation angle| ≤ π/4 and the sweeps converge
 * quadratically). Sweeps stop when the off-diagonal mass is ≤ 1e-30 of the
 * diagonal's; O(n³) per sweep, ~6–10 sweeps, meant for n ≲ 50. Small, exact
 * to rounding and allocation-free in its in-place form, which the observables
 * call once per replica.
 */

/** Eigen-decomposition of a symmetric matrix. */
export interface SymmetricEigen {
  /** Eigenvalues, ascending. */
  values: Float64Array;
  /** Eigenvectors as rows: vectors[k·n …] belongs to values[k]; orthonormal. */
  vectors: Float64Array;
}

const MAX_SWEEPS = 100;

/**
 * Diagonalise the symmetric n×n row-major matrix `a` in place: on return its
 * diagonal holds the eigenvalues (unordered). When `columns` (n×n, row-major)
 * is given it must hold the identity (or any orthogonal start); it is
 * multiplied by every rotation, so its column j becomes the eigenvector of
 * the eigenvalue a[j·n + j].
 */
export function jacobiDiagonalize(a: Float64Array, n: number, columns?: Float64Array): void {
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let off = 0;
    let diag = 0;
    for (let i = 0; i < n; i++) {
      diag += a[i * n + i] * a[i * n + i];
      for (let j = i + 1; j < n; j++) off += a[i * n + j] * a[i * n + j];
    }
    if (off <= 1e-30 * Math.max(diag, 1e-300)) return;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q];
        if (apq === 0) continue;
        const theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p];
          const akq = a[k * n + q];
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k];
          const aqk = a[q * n + k];
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        if (columns)
          for (let k = 0; k < n; k++) {
            const vkp = columns[k * n + p];
            const vkq = columns[k * n + q];
            columns[k * n + p] = c * vkp - s * vkq;
            columns[k * n + q] = s * vkp + c * vkq;
          }
      }
  }
}

function checkSize(A: ArrayLike<number>, n: number, who: string): void {
  if (!Number.isInteger(n) || n < 1 || A.length !== n * n)
    throw new RangeError(`${who}: need n² = ${n * n} entries for n = ${n}, got ${A.length}`);
}

/** Eigenvalues (ascending) and orthonormal eigenvectors of a symmetric n×n matrix (row-major; not modified). */
export function symmetricEigen(A: ArrayLike<number>, n: number): SymmetricEigen {
  checkSize(A, n, 'symmetricEigen');
  const a = Float64Array.from(A);
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) V[i * n + i] = 1;
  jacobiDiagonalize(a, n, V);
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => a[x * n + x] - a[y * n + y]);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((col, k) => {
    values[k] = a[col * n + col];
    for (let i = 0; i < n; i++) vectors[k * n + i] = V[i * n + col];
  });
  return { values, vectors };
}

/** Eigenvalues of a symmetric n×n matrix (row-major; not modified), ascending. */
export function symmetricEigenvalues(A: ArrayLike<number>, n: number): number[] {
  checkSize(A, n, 'symmetricEigenvalues');
  const a = Float64Array.from(A);
  jacobiDiagonalize(a, n);
  return Array.from({ length: n }, (_, i) => a[i * n + i]).sort((x, y) => x - y);
}

/**
 * Smallest eigenvalue of the symmetric n×n matrix S (row-major, overwritten:
 * the caller passes scratch, so nothing is allocated per call).
 */
export function symmetricMinEigenvalue(S: Float64Array, n: number): number {
  if (n === 1) return S[0];
  jacobiDiagonalize(S, n);
  let min = Infinity;
  for (let p = 0; p < n; p++) if (S[p * n + p] < min) min = S[p * n + p];
  return min;
}
