/**
 * Small dense helpers shared by the repon potentials (no allocation per call:
 * the caller passes scratch).
 */

/**
 * Smallest eigenvalue of the symmetric n×n matrix S (row-major, overwritten) by
 * cyclic Jacobi rotations (n is the embedding dimension, a handful). Converges
 * quadratically; 50 sweeps are far more than n ≤ 16 needs.
 */
export function symmetricMinEigenvalue(S: Float64Array, n: number): number {
  if (n === 1) return S[0];
  for (let sweep = 0; sweep < 50; sweep++) {
    let off = 0;
    let diag = 0;
    for (let p = 0; p < n; p++) {
      diag += S[p * n + p] * S[p * n + p];
      for (let q = p + 1; q < n; q++) off += S[p * n + q] * S[p * n + q];
    }
    if (off <= 1e-30 * (diag + 1e-300)) break;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        const apq = S[p * n + q];
        if (apq === 0) continue;
        const app = S[p * n + p];
        const aqq = S[q * n + q];
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = S[k * n + p];
          const akq = S[k * n + q];
          S[k * n + p] = c * akp - s * akq;
          S[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = S[p * n + k];
          const aqk = S[q * n + k];
          S[p * n + k] = c * apk - s * aqk;
          S[q * n + k] = s * apk + c * aqk;
        }
      }
  }
  let min = Infinity;
  for (let p = 0; p < n; p++) if (S[p * n + p] < min) min = S[p * n + p];
  return min;
}

/**
 * Squared norm of the projection of v (length d, at v[vo …]) onto the row space
 * of A (m×d row-major at A[ao …]), by Gram–Schmidt on the rows into `Q` (m·d
 * scratch); rows whose remainder is below 1e-12 of their norm are dropped.
 */
export function rowSpaceProjection2(A: Float64Array, ao: number, m: number, d: number, v: Float64Array, vo: number, Q: Float64Array): number {
  let kept = 0;
  let proj2 = 0;
  for (let i = 0; i < m; i++) {
    const qo = kept * d;
    let n0 = 0;
    for (let j = 0; j < d; j++) {
      Q[qo + j] = A[ao + i * d + j];
      n0 += Q[qo + j] * Q[qo + j];
    }
    for (let k = 0; k < kept; k++) {
      let dot = 0;
      for (let j = 0; j < d; j++) dot += Q[k * d + j] * Q[qo + j];
      for (let j = 0; j < d; j++) Q[qo + j] -= dot * Q[k * d + j];
    }
    let n2 = 0;
    for (let j = 0; j < d; j++) n2 += Q[qo + j] * Q[qo + j];
    if (!(n2 > 1e-24 * n0) || n2 === 0) continue;
    const inv = 1 / Math.sqrt(n2);
    let dot = 0;
    for (let j = 0; j < d; j++) {
      Q[qo + j] *= inv;
      dot += Q[qo + j] * v[vo + j];
    }
    proj2 += dot * dot;
    kept++;
  }
  return proj2;
}
