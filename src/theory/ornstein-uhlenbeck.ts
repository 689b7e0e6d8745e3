/**
 * Closed-form moments of the harmonic potential f(x) = k x²/2 under the
 * dynamics of docs/models.md §0: continuous overdamped OU, the exact discrete
 * Euler–Maruyama (SGLD) recursion, and underdamped Langevin (unit mass).
 * Units: k in energy/length², θ in energy, t in physical time (t = steps·η).
 */

/** Mean and variance of a scalar Gaussian. */
export interface ScalarMoments {
  mean: number;
  variance: number;
}

/**
 * Overdamped OU `dx = −k x dt + sqrt(2θ) dW` (docs/models.md §0, continuous limit)
 * started at x(0) = x0 (plus optional initial variance `x0Var`, default 0):
 * mean `x0 e^{−kt}`, variance `(θ/k)(1 − e^{−2kt}) + x0Var e^{−2kt}`.
 * k = 0 gives free diffusion (variance 2θt); k < 0 is allowed (unstable OU).
 */
export function ouContinuousMoments(x0: number, k: number, theta: number, t: number, x0Var = 0): ScalarMoments {
  const decay = Math.exp(-k * t);
  // (1 − e^{−2kt})/k via expm1, exact limit 2t at k = 0.
  const g = k === 0 ? 2 * t : -Math.expm1(-2 * k * t) / k;
  return { mean: x0 * decay, variance: theta * g + x0Var * decay * decay };
}

/**
 * Exact moments of the Euler–Maruyama / SGLD recursion on f = k x²/2
 * (docs/models.md §0): `x ← (1 − ηk) x + sqrt(2ηθ) ξ`, after n steps of size η from
 * x0 (initial variance `x0Var`, default 0): with r = 1 − ηk,
 * mean `x0 rⁿ`, variance `2ηθ (1 − r^{2n}) / (1 − r²) + x0Var r^{2n}`.
 * Stationary variance `θ / (k (1 − ηk/2))` (the O(η) bias of SGLD); stable for 0 < ηk < 2.
 */
export function ouDiscreteMoments(x0: number, k: number, theta: number, eta: number, n: number, x0Var = 0): ScalarMoments {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`ouDiscreteMoments: n must be a non-negative integer, got ${n}`);
  const r = 1 - eta * k;
  const rn = Math.pow(r, n);
  const r2n = rn * rn;
  const oneMinusR2 = eta * k * (2 - eta * k); // 1 − r², without cancellation for small ηk
  let sum: number; // Σ_{j<n} r^{2j} = (1 − r^{2n}) / (1 − r²)
  if (oneMinusR2 === 0) sum = n;
  else if (r !== 0 && Math.abs(oneMinusR2) < 1e-3) {
    // 1 − r^{2n} = −expm1(2n ln|r|), ln|r| = ½ log1p(−(1 − r²)).
    sum = -Math.expm1(n * Math.log1p(-oneMinusR2)) / oneMinusR2;
  } else sum = (1 - r2n) / oneMinusR2;
  return { mean: x0 * rn, variance: 2 * eta * theta * sum + x0Var * r2n };
}

/** Stationary variance of the SGLD recursion on k x²/2: θ / (k (1 − ηk/2)). */
export function ouDiscreteStationaryVariance(k: number, theta: number, eta: number): number {
  return theta / (k * (1 - (eta * k) / 2));
}

/** Row-major 2×2 matrix [m11, m12, m21, m22]. */
export type Mat2 = [number, number, number, number];

/**
 * `exp(A t)` for the underdamped drift matrix A = [[0, 1], [−k, −γ]]
 * (Cayley–Hamilton): with μ = −γ/2, M = A − μI, M² = δI, δ = γ²/4 − k,
 * `e^{At} = e^{μt} (C(t) I + S(t) M)` where (C, S) = (cosh ωt, sinh ωt / ω)
 * for δ = ω² > 0 (overdamped), (cos ωt, sin ωt / ω) for δ = −ω² < 0
 * (underdamped) and (1, t) at δ = 0 (critical). Near-critical |δ|t² < 1e-3 uses
 * the Taylor series in δt²; the overdamped branch is written with the two real
 * eigenvalues so large γt neither overflows nor cancels.
 */
export function dampedOscillatorExp(k: number, gamma: number, t: number): Mat2 {
  const mu = -gamma / 2;
  const delta = (gamma * gamma) / 4 - k;
  let eC: number; // e^{μt} C
  let eS: number; // e^{μt} S
  const z = delta * t * t;
  if (Math.abs(z) < 1e-3) {
    // C = Σ z^j/(2j)!, S = t Σ z^j/(2j+1)!
    let c = 0;
    let s = 0;
    let term = 1;
    for (let j = 0; j < 8; j++) {
      c += term / fact(2 * j);
      s += term / fact(2 * j + 1);
      term *= z;
    }
    const e = Math.exp(mu * t);
    eC = e * c;
    eS = e * s * t;
  } else if (delta > 0) {
    const w = Math.sqrt(delta);
    // λ₊ = μ + ω = −k / (γ/2 + ω) (no cancellation), λ₋ = μ − ω.
    const lp = -k / (gamma / 2 + w);
    const lm = mu - w;
    const ep = Math.exp(lp * t);
    const em = Math.exp(lm * t);
    eC = 0.5 * (ep + em);
    eS = (ep - em) / (2 * w);
    if (Math.abs(w * t) < 0.5) eS = Math.exp(mu * t) * (Math.sinh(w * t) / w); // avoid ep−em cancellation
  } else {
    const w = Math.sqrt(-delta);
    const e = Math.exp(mu * t);
    eC = e * Math.cos(w * t);
    eS = (e * Math.sin(w * t)) / w;
  }
  // M = A − μI = [[γ/2, 1], [−k, −γ/2]]
  return [eC + eS * (gamma / 2), eS, -k * eS, eC - eS * (gamma / 2)];
}

const FACT = [
  1, 1, 2, 6, 24, 120, 720, 5040, 40320, 362880, 3628800, 39916800, 479001600, 6227020800, 87178291200, 1307674368000, 20922789888000,
];
function fact(n: number): number {
  return FACT[n]!;
}

/** Mean vector and covariance of (x, v). */
export interface PhaseSpaceMoments {
  /** [E x, E v]. */
  mean: [number, number];
  /** [[Var x, Cov(x,v)], [Cov(x,v), Var v]] as row-major [Σxx, Σxv, Σvx, Σvv]. */
  cov: Mat2;
}

/**
 * Underdamped Langevin with unit mass on f = k x²/2 (docs/models.md §0):
 * `dx = v dt, dv = −k x dt − γ v dt + sqrt(2γθ) dW`, from x(0) = x0 (fixed) and
 * v(0) ~ N(v0Mean, v0Var) independent (defaults 0 and 0; v0Var = θ is the
 * Maxwell distribution). Requires k > 0, γ ≥ 0.
 * Mean `e^{At} (x0, v0Mean)`; covariance
 * `Σ(t) = e^{At} Σ0 e^{Aᵀt} + Σ∞ − e^{At} Σ∞ e^{Aᵀt}`, Σ0 = diag(0, v0Var),
 * Σ∞ = diag(θ/k, θ) (which solves AΣ∞ + Σ∞Aᵀ + Q = 0, Q = diag(0, 2γθ)).
 * Caveat: for kt, γt ≪ 1 the covariance is a difference of O(θ/k) terms, so
 * its absolute error is ~1e-16·θ/k.
 */
export function underdampedOUMoments(
  x0: number,
  k: number,
  gamma: number,
  theta: number,
  t: number,
  v0Mean = 0,
  v0Var = 0,
): PhaseSpaceMoments {
  if (!(k > 0)) throw new RangeError(`underdampedOUMoments: k must be > 0, got ${k}`);
  if (!(gamma >= 0)) throw new RangeError(`underdampedOUMoments: γ must be ≥ 0, got ${gamma}`);
  const [a, b, c, d] = dampedOscillatorExp(k, gamma, t);
  const mean: [number, number] = [a * x0 + b * v0Mean, c * x0 + d * v0Mean];
  // E D Eᵀ with D = Σ0 − Σ∞ = diag(−θ/k, v0Var − θ).
  const p = -theta / k;
  const q = v0Var - theta;
  const sxx = a * a * p + b * b * q + theta / k;
  const sxv = a * c * p + b * d * q;
  const svv = c * c * p + d * d * q + theta;
  return { mean, cov: [sxx, sxv, sxv, svv] };
}
