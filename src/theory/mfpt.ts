/**
 * Exact 1-D mean first-passage time and the Kramers rate (docs/models.md §1.2) for
 * overdamped Langevin `dx = −f'(x) dt + sqrt(2θ) dW`. Times are physical time
 * (t = steps·η); divide by η for steps.
 */
import { boltzmannBreakpoints, CumulativeIntegral, integrateAdaptive, minimizeOnInterval } from './quadrature.js';

/** Options of {@link meanFirstPassageTime}. */
export interface MfptOptions {
  /**
   * Reflecting lower boundary replacing −∞ in the inner integral. Default: the
   * first point c < a (walking left with growing steps) where
   * `f(c) − min_{[c,b]} f > cutoffBarrier·θ` and f still rises to the left.
   */
  lowerCutoff?: number;
  /** Height (in units of θ) defining the default cutoff. Default 40. */
  cutoffBarrier?: number;
  /** Relative tolerance of the outer quadrature. Default 1e-10. */
  relTol?: number;
  /** Extra breakpoints (narrow features of f). */
  breakpoints?: readonly number[];
}

/** Result of {@link meanFirstPassageTimeDetailed}. */
export interface MfptResult {
  /** Mean first-passage time a → b (physical time). May be Infinity if it overflows. */
  time: number;
  /** ln of the MFPT (finite even when `time` overflows). */
  logTime: number;
  /** Reflecting lower boundary used. */
  lowerCutoff: number;
  /** Relative error estimate of the outer quadrature. */
  relError: number;
}

/** Default reflecting cutoff left of a (see {@link MfptOptions.lowerCutoff}). */
export function defaultLowerCutoff(f: (x: number) => number, a: number, b: number, theta: number, barrier = 40): number {
  let fmin = minimizeOnInterval(f, a, b).f;
  let x = a;
  let fPrev = f(a);
  let h = Math.max(b - a, 1e-3) / 16;
  for (let it = 0; it < 400; it++) {
    const xn = x - h;
    const fx = f(xn);
    if (!Number.isFinite(fx)) {
      if (fx === Infinity) return xn; // hard wall
      throw new RangeError(`defaultLowerCutoff: f(${xn}) = ${fx}`);
    }
    fmin = Math.min(fmin, fx);
    if (fx - fmin > barrier * theta && fx > fPrev) return xn;
    x = xn;
    fPrev = fx;
    h *= 1.25;
  }
  throw new RangeError('defaultLowerCutoff: f does not rise by cutoffBarrier·θ to the left of a; pass lowerCutoff');
}

/**
 * Exact MFPT from a to b > a with a reflecting boundary at c (docs/models.md §1.2):
 * `T = (1/θ) ∫_a^b dy e^{f(y)/θ} ∫_c^y dz e^{−f(z)/θ}`.
 * Stable for any barrier: the inner integral is a cached cumulative integral of
 * `e^{−(f−s)/θ}` (s = min f on [c, b]); the outer integrand is evaluated as
 * `exp((f(y)−s)/θ + ln inner(y) − M)` with M its maximum on [a, b], and the result
 * is returned as a log and as a number.
 */
export function meanFirstPassageTimeDetailed(
  f: (x: number) => number,
  a: number,
  b: number,
  theta: number,
  options: MfptOptions = {},
): MfptResult {
  if (!(theta > 0)) throw new RangeError(`meanFirstPassageTime: θ must be > 0, got ${theta}`);
  if (!(b > a)) throw new RangeError(`meanFirstPassageTime: need a < b, got a=${a}, b=${b}`);
  const c = options.lowerCutoff ?? defaultLowerCutoff(f, a, b, theta, options.cutoffBarrier ?? 40);
  if (!(c <= a)) throw new RangeError(`meanFirstPassageTime: lowerCutoff ${c} must be ≤ a = ${a}`);
  if (a === b) return { time: 0, logTime: -Infinity, lowerCutoff: c, relError: 0 };
  const extra = options.breakpoints ?? [];
  // Inner: cumulative Boltzmann integral on [c, b].
  const fc = (x: number): number => (x < c ? Infinity : f(x));
  let s = Infinity;
  const bpIn = c < b ? boltzmannBreakpoints(f, c, b, 'min') : { breakpoints: [], minima: [] as number[] };
  for (const x of [c, a, b, ...bpIn.minima]) s = Math.min(s, f(x));
  const inner = new CumulativeIntegral((x) => Math.exp(-(fc(x) - s) / theta), c, b, [a, ...bpIn.breakpoints, ...extra], 1e-14);
  // ln of the outer integrand, before the shift M.
  const logOuter = (y: number): number => (f(y) - s) / theta + Math.log(inner.cumulative(y));
  // Shift M: max of logOuter over [a, b] (grid + refinement around the best point).
  const negLog = (y: number): number => -logOuter(y);
  const bpOut = boltzmannBreakpoints(f, a, b, 'both');
  let M = -Infinity;
  for (const y of [a, b, ...bpOut.maxima]) M = Math.max(M, logOuter(y));
  M = Math.max(M, -minimizeOnInterval(negLog, a, b, 129).f);
  const r = integrateAdaptive((y) => Math.exp(logOuter(y) - M), a, b, {
    absTol: 0,
    relTol: options.relTol ?? 1e-10,
    maxIntervals: 8000,
    breakpoints: [...bpOut.breakpoints, ...extra],
  });
  const logTime = M + Math.log(r.value) - Math.log(theta);
  return { time: Math.exp(logTime), logTime, lowerCutoff: c, relError: r.error / r.value };
}

/** MFPT a → b in physical time; see {@link meanFirstPassageTimeDetailed}. */
export function meanFirstPassageTime(f: (x: number) => number, a: number, b: number, theta: number, options: MfptOptions = {}): number {
  return meanFirstPassageTimeDetailed(f, a, b, theta, options).time;
}

/**
 * Kramers escape rate (docs/models.md §1.2), valid for θ ≪ ΔE:
 * `k = sqrt(f''(a) |f''(s)|) / (2π) · exp(−ΔE/θ)` (per unit physical time),
 * with f''(a) > 0 the curvature at the starting minimum, f''(s) < 0 at the
 * saddle, ΔE = f(s) − f(a). 1/k approximates the MFPT from a to a point well
 * beyond the saddle.
 */
export function kramersRate(fppMin: number, fppSaddle: number, barrier: number, theta: number): number {
  return (Math.sqrt(fppMin * Math.abs(fppSaddle)) / (2 * Math.PI)) * Math.exp(-barrier / theta);
}

/** ln of {@link kramersRate}, finite even when the rate underflows (ΔE/θ > ~700). */
export function logKramersRate(fppMin: number, fppSaddle: number, barrier: number, theta: number): number {
  return 0.5 * Math.log(fppMin * Math.abs(fppSaddle)) - Math.log(2 * Math.PI) - barrier / theta;
}
