/**
 * Grokking as Brownian motion (docs/models.md §1.4, 1.5; Kozyrev, "Learning theory as
 * physics"): closed forms for the `zero-loss-manifold` and `sample-size-box`
 * potentials.
 *
 * Units: physical time t = steps · η (divide a time by η for steps); θ is the
 * temperature of `dx = −∇f dt + sqrt(2θ) dW`, so a free coordinate diffuses with
 * E[Δy²] = 2θt; lengths in the units of x, energies in the units of f.
 */

/** −ζ(1/2)/sqrt(2π): the mean overshoot of a Gaussian random walk over a level, per step standard deviation (Siegmund). */
export const DISCRETE_MONITORING_BETA = 0.5825971579390107;

/**
 * Continuity correction for first passages observed once per step of an
 * Euler–Maruyama walk (Siegmund; Broadie–Glasserman–Kou): the discrete first
 * passage over a smooth boundary behaves like the continuous one over the
 * boundary pushed outward by `β sqrt(2ηθ)` (β = {@link DISCRETE_MONITORING_BETA}),
 * with error O(ηθ). Returns that shift (length units).
 */
export function discreteMonitoringShift(eta: number, theta: number): number {
  if (!(eta > 0) || !(theta >= 0)) throw new RangeError(`discreteMonitoringShift: need η > 0, θ ≥ 0, got η = ${eta}, θ = ${theta}`);
  return DISCRETE_MONITORING_BETA * Math.sqrt(2 * eta * theta);
}

// ------------------------------------------------------------ memorization

/**
 * Memorization time (docs/models.md §1.4): first passage of the off-manifold
 * coordinate u from L down to δ under the constant drift −g (loss g|u|) —
 * `t_mem = (L − δ)/g` in physical time, exactly the mean for every θ (the
 * passage time is inverse-Gaussian) as long as the slope is exactly g on
 * [δ, L], i.e. δ ≥ eps for the `zero-loss-manifold` potential. Steps: t/η.
 */
export function memorizationTime(L: number, delta: number, g: number): number {
  if (!(g > 0)) throw new RangeError(`memorizationTime: slope g must be > 0, got ${g}`);
  if (!(L > delta)) throw new RangeError(`memorizationTime: need L > δ, got L = ${L}, δ = ${delta}`);
  return (L - delta) / g;
}

/**
 * Variance of the memorization time: the first passage of `vt + sqrt(2θ) W`
 * over the distance d = L − δ is inverse-Gaussian with mean d/g and variance
 * `2θ d / g³` (physical time²).
 */
export function memorizationTimeVariance(L: number, delta: number, g: number, theta: number): number {
  if (!(theta >= 0)) throw new RangeError(`memorizationTimeVariance: θ must be ≥ 0, got ${theta}`);
  return (2 * theta * memorizationTime(L, delta, g)) / (g * g);
}

/**
 * Mean memorization time in steps for SGLD with step η: `(L − δ)/(ηg)`, plus
 * (with `discrete`, default true, and θ > 0) the discrete-monitoring overshoot
 * `β sqrt(2ηθ)/(ηg)` from Wald's identity `ηg E[N] = L − E[u_N]` (valid while
 * the drift per step ηg is small against the noise sqrt(2ηθ)).
 */
export function memorizationSteps(L: number, delta: number, g: number, eta: number, theta = 0, discrete = true): number {
  const t = memorizationTime(L, delta, g);
  const shift = discrete && theta > 0 ? discreteMonitoringShift(eta, theta) / g : 0;
  return (t + shift) / eta;
}

// ---------------------------------------------------------------- grokking

function checkBall(R: number, m: number, theta: number, who: string): void {
  if (!(R > 0)) throw new RangeError(`${who}: radius R must be > 0, got ${R}`);
  if (!(Number.isInteger(m) && m >= 1)) throw new RangeError(`${who}: dimension m must be an integer ≥ 1, got ${m}`);
  if (!(theta > 0)) throw new RangeError(`${who}: θ must be > 0, got ${theta}`);
}

/**
 * Grokking time (docs/models.md §1.4): mean first exit time of free m-dimensional
 * Brownian motion with diffusion θ (generator θΔ), started at the centre, from
 * the ball of radius R: `E τ = R²/(2mθ)` (exact: solves θΔT = −1, T(R) = 0).
 * Physical time; steps = E τ/η (see {@link grokkingSteps} for the discrete correction).
 */
export function grokkingTime(R: number, m: number, theta: number): number {
  checkBall(R, m, theta, 'grokkingTime');
  return (R * R) / (2 * m * theta);
}

/**
 * Variance of that exit time: `E τ² = R⁴(m+4)/(4m²(m+2)θ²)`, so
 * `Var τ = R⁴/(2m²(m+2)θ²)` and the coefficient of variation is sqrt(2/(m+2))
 * (from θΔT₂ = −2T₁, T₂(R) = 0 with T₁ = (R² − r²)/(2mθ)).
 */
export function grokkingTimeVariance(R: number, m: number, theta: number): number {
  checkBall(R, m, theta, 'grokkingTimeVariance');
  return (R * R * R * R) / (2 * m * m * (m + 2) * theta * theta);
}

/**
 * Mean grokking time in steps for SGLD with step η: `R_eff²/(2mηθ)` with
 * `R_eff = R + β sqrt(2ηθ)` when `discrete` (default) — the walk is checked
 * once per step and overshoots the sphere (see {@link discreteMonitoringShift}).
 */
export function grokkingSteps(R: number, m: number, theta: number, eta: number, discrete = true): number {
  const Reff = discrete ? R + discreteMonitoringShift(eta, theta) : R;
  return grokkingTime(Reff, m, theta) / eta;
}

/** Γ(m/2) for a positive integer m (integer or half-integer argument). */
function gammaHalf(m: number): number {
  // Γ(1/2) = √π, Γ(1) = 1, Γ(x + 1) = x Γ(x).
  let x = m % 2 === 0 ? 1 : 0.5;
  let g = m % 2 === 0 ? 1 : Math.sqrt(Math.PI);
  while (x < m / 2 - 1e-9) {
    g *= x;
    x += 1;
  }
  return g;
}

/**
 * Bessel J_ν(x), x > 0, for ν = m/2 − 1 + s (s = 0 or 1): integer order by the
 * periodic trapezoid rule on Bessel's integral (exponentially convergent), half-
 * integer order by the spherical-Bessel recurrence (upward, used for x > ν).
 */
function besselJ(twoNu: number, x: number): number {
  if (twoNu % 2 === 0) {
    const n = twoNu / 2;
    const N = Math.max(64, 2 * Math.ceil(x + 2 * Math.abs(n) + 40));
    // J_n(x) = (1/2π) ∫_0^{2π} cos(nτ − x sin τ) dτ.
    let s = 0;
    for (let i = 0; i < N; i++) {
      const t = (2 * Math.PI * i) / N;
      s += Math.cos(n * t - x * Math.sin(t));
    }
    return s / N;
  }
  // ν = l + 1/2: J_ν(x) = sqrt(2x/π) j_l(x), j_{−1} = cos x/x, j_0 = sin x/x.
  const l = (twoNu - 1) / 2;
  let jPrev = Math.cos(x) / x; // j_{−1}
  let j = Math.sin(x) / x; // j_0
  if (l === -1) j = jPrev;
  else for (let k = 0; k < l; k++) [jPrev, j] = [j, ((2 * k + 1) / x) * j - jPrev];
  return Math.sqrt((2 * x) / Math.PI) * j;
}

/** The first `count` positive zeros of J_ν (2ν = twoNu ≥ −1), by a grid scan and bisection. */
function besselZeros(twoNu: number, count: number): Float64Array {
  const out = new Float64Array(count);
  const h = 0.1;
  let k = 0;
  let a = 1e-3;
  let fa = besselJ(twoNu, a);
  while (k < count) {
    const b = a + h;
    const fb = besselJ(twoNu, b);
    if (fa === 0 || fa * fb < 0) {
      let lo = a;
      let hi = b;
      let flo = fa;
      for (let it = 0; it < 60 && hi - lo > 1e-15 * hi; it++) {
        const mid = 0.5 * (lo + hi);
        const fm = besselJ(twoNu, mid);
        if (flo * fm <= 0) hi = mid;
        else {
          lo = mid;
          flo = fm;
        }
      }
      out[k++] = 0.5 * (lo + hi);
    }
    a = b;
    fa = fb;
  }
  return out;
}

/** Survival function of the exit time, see {@link ballExitSurvival}. */
export interface ExitSurvival {
  /** P(τ > t), physical time t ≥ 0. */
  (t: number): number;
  /** The Bessel zeros j_{ν,k} and coefficients c_k of the series. */
  readonly zeros: Float64Array;
  readonly coefficients: Float64Array;
}

/**
 * Exact distribution of the exit time of m-dimensional Brownian motion (generator
 * θΔ) started at the centre of the ball of radius R (docs/models.md §1.4, grokking):
 *
 *   P(τ > t) = Σ_k c_k exp(−j_k² θ t / R²),  c_k = j_k^{ν−1} / (2^{ν−1} Γ(ν+1) J_{ν+1}(j_k)),
 *
 * ν = m/2 − 1, j_k the positive zeros of J_ν (m = 1: c_k = 2/(j_k sin j_k),
 * j_k = (k − ½)π; m = 2: 2/(j_k J₁(j_k))). `terms` zeros are kept (default 200);
 * for θt/R² below where they suffice (exp(−j_K² θt/R²) > 1e−22) the survival is
 * 1 to double precision and 1 is returned. Valid for 1 ≤ m ≤ 12.
 */
export function ballExitSurvival(R: number, m: number, theta: number, terms = 200): ExitSurvival {
  checkBall(R, m, theta, 'ballExitSurvival');
  if (m > 12) throw new RangeError(`ballExitSurvival: m ≤ 12 supported, got ${m}`);
  const twoNu = m - 2;
  const nu = twoNu / 2;
  const zeros = besselZeros(twoNu, terms);
  const coefficients = new Float64Array(terms);
  const g = gammaHalf(m); // Γ(ν + 1) = Γ(m/2)
  for (let k = 0; k < terms; k++) {
    const j = zeros[k]!;
    coefficients[k] = Math.pow(j, nu - 1) / (Math.pow(2, nu - 1) * g * besselJ(twoNu + 2, j));
  }
  const rate = theta / (R * R);
  const jMax = zeros[terms - 1]!;
  const tMin = 50 / (jMax * jMax * rate);
  const S = ((t: number): number => {
    if (!(t >= 0)) throw new RangeError(`ballExitSurvival: t must be ≥ 0, got ${t}`);
    if (t < tMin) return 1;
    let s = 0;
    for (let k = 0; k < terms; k++) {
      const e = Math.exp(-zeros[k]! * zeros[k]! * rate * t);
      if (e < 1e-22) break;
      s += coefficients[k]! * e;
    }
    return Math.min(1, Math.max(0, s));
  }) as ExitSurvival;
  Object.defineProperty(S, 'zeros', { value: zeros });
  Object.defineProperty(S, 'coefficients', { value: coefficients });
  return S;
}

// ------------------------------------------------------ grokking vs sample size

/** Sizes of the `sample-size-box` potential (docs/models.md §1.5). */
export interface SampleSizeBox {
  /** Number of samples = coordinates confined to [−a, a]. */
  n: number;
  /** Dimension of the manifold. */
  D: number;
  /** Half-width of a confined coordinate. */
  a: number;
  /** Half-width of a free coordinate. */
  A: number;
}

/**
 * Effective accessible length of an interval [−b, b] with quadratic walls
 * `(κ/2)(|x| − b)²` outside it at temperature θ: `∫ e^{−f/θ} dx = 2b + sqrt(2πθ/κ)`
 * (the walls add two Gaussian half-tails). κ = ∞ (or θ = 0) gives 2b.
 */
export function effectiveIntervalLength(b: number, theta = 0, wall = Infinity): number {
  if (!(b > 0)) throw new RangeError(`effectiveIntervalLength: half-width must be > 0, got ${b}`);
  if (!(theta >= 0) || !(wall > 0)) throw new RangeError(`effectiveIntervalLength: need θ ≥ 0 and wall > 0`);
  return 2 * b + (wall === Infinity || theta === 0 ? 0 : Math.sqrt((2 * Math.PI * theta) / wall));
}

/**
 * Accessible volume of the zero-risk region after n samples (docs/models.md §1.5):
 * `V(n) = (2a)^n (2A)^{D−n}`; with θ and the wall stiffness κ, the effective
 * (Gibbs) volume `(2a + w)^n (2A + w)^{D−n}`, w = sqrt(2πθ/κ).
 */
export function boxVolume(box: SampleSizeBox, theta = 0, wall = Infinity): number {
  const { n, D, a, A } = box;
  if (!(Number.isInteger(D) && D >= 1 && Number.isInteger(n) && n >= 0 && n <= D))
    throw new RangeError(`boxVolume: need integers 0 ≤ n ≤ D, got n = ${n}, D = ${D}`);
  return Math.pow(effectiveIntervalLength(a, theta, wall), n) * Math.pow(effectiveIntervalLength(A, theta, wall), D - n);
}

/**
 * Slope of ln t_grok against the sample count n (docs/models.md §1.5): each sample
 * multiplies the volume by a/A, so `d ln t_grok / dn = ln(a/A)` (< 0 for a < A);
 * with walls, `ln((2a + w)/(2A + w))`, w = sqrt(2πθ/κ).
 */
export function sampleSizeSlope(a: number, A: number, theta = 0, wall = Infinity): number {
  return Math.log(effectiveIntervalLength(a, theta, wall) / effectiveIntervalLength(A, theta, wall));
}

/**
 * Newtonian capacity of a ball of radius ρ in R^D (D ≥ 3):
 * `(D − 2) |S^{D−1}| ρ^{D−2}`, |S^{D−1}| = 2π^{D/2}/Γ(D/2) (D = 3: 4πρ; D = 4: 4π²ρ²).
 */
export function ballCapacity(D: number, rho: number): number {
  if (!(Number.isInteger(D) && D >= 3)) throw new RangeError(`ballCapacity: D must be an integer ≥ 3, got ${D}`);
  if (!(rho > 0)) throw new RangeError(`ballCapacity: ρ must be > 0, got ${rho}`);
  return ((D - 2) * 2 * Math.pow(Math.PI, D / 2) * Math.pow(rho, D - 2)) / gammaHalf(D);
}

/**
 * Narrow-escape time (docs/models.md §1.5), leading order for a small absorbing ball of
 * radius ρ in the interior of a reflecting region of volume V, D ≥ 3, from a
 * start far from the ball (or uniform): `t ≈ V / (θ · Cap_D(ρ))` (physical
 * time). Corrections are O(ρ/ℓ) with ℓ the smallest box side; the time is
 * proportional to V, so ln t is linear in n with slope {@link sampleSizeSlope}.
 */
export function narrowEscapeTime(volume: number, D: number, rho: number, theta: number): number {
  if (!(volume > 0)) throw new RangeError(`narrowEscapeTime: volume must be > 0, got ${volume}`);
  if (!(theta > 0)) throw new RangeError(`narrowEscapeTime: θ must be > 0, got ${theta}`);
  return volume / (theta * ballCapacity(D, rho));
}

/**
 * Grokking time of the `sample-size-box` after n samples: {@link narrowEscapeTime}
 * of the effective box volume {@link boxVolume} (physical time; steps = t/η).
 * With `eta`, the target is checked once per SGLD step and the walk can jump
 * over its rim: the ball acts as one of radius `ρ − β sqrt(2ηθ)`
 * ({@link discreteMonitoringShift}). Leading order in ρ/a: measured at the
 * defaults (D = 4, a = 1, A = 2.5, ρ = 0.4, κ = 200, θ = 1, η = 2e-3) the
 * mean times agree within ≈ 10 % and the slope in n within ≈ 2 %.
 */
export function sampleSizeGrokkingTime(box: SampleSizeBox, rho: number, theta: number, wall = Infinity, eta?: number): number {
  const r = eta === undefined ? rho : rho - discreteMonitoringShift(eta, theta);
  if (!(r > 0)) throw new RangeError(`sampleSizeGrokkingTime: the step sqrt(2ηθ) is too large for the target radius ${rho}`);
  return narrowEscapeTime(boxVolume(box, theta, wall), box.D, r, theta);
}
