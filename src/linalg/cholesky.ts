/**
 * Dense Cholesky factorisation A = L Lᵀ of a symmetric positive-definite
 * matrix (row-major, lower triangle used) and the solves with its factor.
 *
 * The factor of a leading principal block of A is the leading block of A's
 * factor, so one factorisation of the largest matrix serves every leading
 * n×n block: {@link choleskySolve} takes the block size and the row stride.
 */

/**
 * Overwrites the lower triangle of the n×n row-major `a` with L (row by row,
 * Cholesky–Banachiewicz; the strict upper triangle is left untouched). Throws
 * when a pivot is not positive (a is not positive definite to working precision).
 */
export function choleskyInPlace(a: Float64Array, n: number): void {
  if (a.length < n * n) throw new Error(`choleskyInPlace: ${a.length} entries, expected ${n}×${n}`);
  for (let i = 0; i < n; i++) {
    const ri = i * n;
    for (let j = 0; j <= i; j++) {
      const rj = j * n;
      let s = a[ri + j];
      for (let k = 0; k < j; k++) s -= a[ri + k] * a[rj + k];
      if (j < i) a[ri + j] = s / a[rj + j];
      else {
        if (!(s > 0)) throw new Error(`choleskyInPlace: pivot ${i} is ${s}, the matrix is not positive definite`);
        a[ri + i] = Math.sqrt(s);
      }
    }
  }
}

/**
 * Solves (L Lᵀ) x = b in place (b becomes x) with the leading n×n block of the
 * lower-triangular factor `l`, whose rows are `stride` apart (default n).
 */
export function choleskySolve(l: Float64Array, n: number, b: Float64Array, stride = n): void {
  choleskyForward(l, n, b, stride);
  // Lᵀ x = y
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < n; k++) s -= l[k * stride + i] * b[k];
    b[i] = s / l[i * stride + i];
  }
}

/** Solves L y = b in place with the leading n×n block of `l` (rows `stride` apart). */
export function choleskyForward(l: Float64Array, n: number, b: Float64Array, stride = n): void {
  for (let i = 0; i < n; i++) {
    const ri = i * stride;
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[ri + k] * b[k];
    b[i] = s / l[ri + i];
  }
}
