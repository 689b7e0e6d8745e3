/**
 * Small dense helpers shared by the repon potentials (no allocation per call:
 * the caller passes scratch). The eigensolver lives in symmetric-eigen.ts.
 */

export { symmetricMinEigenvalue } from './symmetric-eigen.js';

/**
 * Squared norm of the projection of v (length d, at v[vo …]) onto the row space
 * of A (m×d row-major at A[ao …]), by Gram–Schmidt on the rows into `Q` (m·d
 * scratch); rows whose remainder is below 1e-12 of their norm are dropped.
 */
export function rowSpaceProjection2(
  A: Float64Array,
  ao: number,
  m: number,
  d: number,
  v: Float64Array,
  vo: number,
  Q: Float64Array,
): number {
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
