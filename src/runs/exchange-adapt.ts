/**
 * Ladder adaptation for replica exchange (Syed, Bouchard-Côté, Deligiannidis
 * & Doucet 2021, J. R. Stat. Soc. B 84, 321, §5.4): from the rejection rates
 * r_p of the neighbour pairs (p, p + 1) of a ladder u_0 … u_{K−1} (u = ln θ in
 * log space, θ in linear space), the cumulative communication barrier
 *
 *   Λ_0 = 0,  Λ_{k+1} = Λ_k + r_k,
 *
 * is interpolated monotonically between the rungs, and the new rungs sit at
 * equal steps of Λ: u'_k = u(k Λ_{K−1} / (K − 1)). The end rungs stay where
 * they are. For a ladder whose rejection rates are all equal this is a fixed
 * point; where a pair rejects more than the others, the rungs move closer.
 *
 * The interpolation is the monotone piecewise cubic Hermite interpolant
 * (Fritsch & Carlson 1980) of u as a function of Λ through the points
 * (Λ_k, u_k): monotone in both directions, so it is the inverse of a monotone
 * interpolant of Λ(u) through the same points and needs no root finding.
 * Rejection rates are floored at REJECTION_FLOOR so that Λ is strictly
 * increasing (a pair that accepted every swap would otherwise make two rungs
 * collapse onto one).
 */

/** Lower bound on a pair's rejection rate in Λ (keeps Λ strictly increasing). */
export const REJECTION_FLOOR = 1e-3;

/** Monotone cubic Hermite interpolation (Fritsch–Carlson) through (xs, ys), xs strictly increasing, ys monotone. */
export function monotoneCubic(xs: readonly number[], ys: readonly number[]): (x: number) => number {
  const n = xs.length;
  if (n !== ys.length || n < 2) throw new RangeError('monotoneCubic: need at least two points of equal-length arrays');
  const h: number[] = [],
    delta: number[] = [];
  for (let i = 0; i + 1 < n; i++) {
    h.push(xs[i + 1] - xs[i]);
    if (!(h[i] > 0)) throw new RangeError('monotoneCubic: xs must be strictly increasing');
    delta.push((ys[i + 1] - ys[i]) / h[i]);
  }
  const m = new Array<number>(n);
  m[0] = delta[0];
  m[n - 1] = delta[n - 2];
  for (let i = 1; i + 1 < n; i++) m[i] = delta[i - 1] * delta[i] <= 0 ? 0 : (delta[i - 1] + delta[i]) / 2;
  for (let i = 0; i + 1 < n; i++) {
    if (delta[i] === 0) {
      m[i] = 0;
      m[i + 1] = 0;
      continue;
    }
    const a = m[i] / delta[i],
      b = m[i + 1] / delta[i];
    const s = a * a + b * b;
    if (s > 9) {
      const t = 3 / Math.sqrt(s);
      m[i] = t * a * delta[i];
      m[i + 1] = t * b * delta[i];
    }
  }
  return (x: number) => {
    if (x <= xs[0]) return ys[0];
    if (x >= xs[n - 1]) return ys[n - 1];
    let i = 0;
    while (i + 2 < n && x > xs[i + 1]) i++;
    const t = (x - xs[i]) / h[i];
    const t2 = t * t,
      t3 = t2 * t;
    return (2 * t3 - 3 * t2 + 1) * ys[i] + (t3 - 2 * t2 + t) * h[i] * m[i] + (-2 * t3 + 3 * t2) * ys[i + 1] + (t3 - t2) * h[i] * m[i + 1];
  };
}

/** The cumulative communication barrier Λ_k at the rungs from the pair rejection rates (floored at REJECTION_FLOOR). */
export function communicationBarrier(rejection: readonly number[]): number[] {
  const lambda = [0];
  for (const r of rejection) lambda.push(lambda[lambda.length - 1] + Math.max(REJECTION_FLOOR, Math.min(1, r)));
  return lambda;
}

/**
 * The re-placed ladder: `values` (rung 0 first, monotone, > 0 in log space)
 * and the rejection rate of each neighbour pair measured on it. The first and
 * last values are returned unchanged (bit for bit); the interior ones at equal
 * steps of the interpolated Λ.
 */
export function adaptLadder(values: readonly number[], rejection: readonly number[], space: 'log' | 'linear'): number[] {
  const K = values.length;
  if (rejection.length !== K - 1) throw new RangeError(`adaptLadder: ${K} rungs need ${K - 1} rejection rates, got ${rejection.length}`);
  if (space === 'log' && values.some((v) => !(v > 0))) throw new RangeError('adaptLadder: log space needs values > 0');
  const u = values.map((v) => (space === 'log' ? Math.log(v) : v));
  const lambda = communicationBarrier(rejection);
  const at = monotoneCubic(lambda, u);
  const total = lambda[K - 1];
  return values.map((v, k) => {
    if (k === 0 || k === K - 1) return v;
    const w = at((k * total) / (K - 1));
    return space === 'log' ? Math.exp(w) : w;
  });
}
