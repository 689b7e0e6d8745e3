/**
 * Exact 1-D Gibbs density `p(x) = exp(−f(x)/θ) / Z` on [lo, hi] (docs/models.md §1.1),
 * the stationary density of overdamped Langevin `dx = −f'(x) dt + sqrt(2θ) dW`.
 *
 * The density is normalised on [lo, hi]: mass outside is neglected. Choose the
 * limits where `f − min f ≫ θ` and check with {@link gibbsOutsideMass}.
 */
import { boltzmannBreakpoints, CumulativeIntegral, logAddExp, logIntegrateExp, minimizeOnInterval } from './quadrature.js';

/** Exact Gibbs density of a 1-D potential, normalised on [lo, hi]. */
export interface GibbsDensity1D {
  readonly theta: number;
  readonly lo: number;
  readonly hi: number;
  /** ln Z, Z = ∫_lo^hi exp(−f/θ) dx (units of x). */
  readonly logZ: number;
  /** The shift s = min f on [lo, hi]; internally p ∝ exp(−(f−s)/θ). */
  readonly shift: number;
  /** Density p(x) (0 outside [lo, hi]). */
  pdf(x: number): number;
  /** ln p(x) (−∞ outside [lo, hi]). */
  logPdf(x: number): number;
  /** P(X ≤ x), absolute accuracy ~1e-12 (panel cache + adaptive partial panel). */
  cdf(x: number): number;
  /** P(X > x), computed from the right so small upper tails keep relative accuracy. */
  sf(x: number): number;
  /**
   * Probability of each bin [edges[i], edges[i+1]] (clipped to [lo, hi]), by
   * quadrature of the bin itself (no cdf differences). Length `edges.length − 1`.
   * The bins sum to 1 exactly when they cover [lo, hi].
   */
  binProbabilities(edges: ArrayLike<number>): Float64Array;
  /** Mean and variance of X (by quadrature). */
  moments(): { mean: number; variance: number };
}

/** Options of {@link gibbsDensity1D}. */
export interface GibbsOptions {
  /** Extra breakpoints (narrow features of f). */
  breakpoints?: readonly number[];
  /** Relative accuracy of the panel integrals w.r.t. Z. Default 1e-13. */
  relTol?: number;
}

/**
 * Build the Gibbs density of `f` at temperature θ (> 0, units of f) on [lo, hi]
 * (docs/models.md §1.1). Cost: a few thousand evaluations of f at build time, O(15–60)
 * per `cdf` call.
 */
export function gibbsDensity1D(
  f: (x: number) => number,
  theta: number,
  lo: number,
  hi: number,
  options: GibbsOptions = {},
): GibbsDensity1D {
  if (!(theta > 0)) throw new RangeError(`gibbsDensity1D: θ must be > 0, got ${theta}`);
  if (!(hi > lo) || !Number.isFinite(lo) || !Number.isFinite(hi))
    throw new RangeError(`gibbsDensity1D: need finite lo < hi, got [${lo}, ${hi}]`);
  const bp = boltzmannBreakpoints(f, lo, hi, 'min');
  let shift = Math.min(f(lo), f(hi));
  for (const x of bp.minima) shift = Math.min(shift, f(x));
  if (!Number.isFinite(shift)) throw new RangeError('gibbsDensity1D: f is not finite at its minimum');
  const g = (x: number): number => Math.exp(-(f(x) - shift) / theta);
  const cum = new CumulativeIntegral(g, lo, hi, [...bp.breakpoints, ...(options.breakpoints ?? [])], options.relTol ?? 1e-13);
  const Zs = cum.total; // Z · exp(s/θ)
  if (!(Zs > 0) || !Number.isFinite(Zs))
    throw new RangeError(`gibbsDensity1D: normalisation is ${Zs} (f NaN or not finite on [${lo}, ${hi}]?)`);
  const logZ = Math.log(Zs) - shift / theta;
  const logZs = Math.log(Zs);
  const inside = (x: number): boolean => x >= lo && x <= hi;
  return {
    theta,
    lo,
    hi,
    logZ,
    shift,
    pdf: (x) => (inside(x) ? g(x) / Zs : 0),
    logPdf: (x) => (inside(x) ? -(f(x) - shift) / theta - logZs : -Infinity),
    cdf: (x) => Math.min(1, Math.max(0, cum.cumulative(x) / Zs)),
    sf: (x) => Math.min(1, Math.max(0, cum.integral(x, hi) / Zs)),
    binProbabilities(edges) {
      const out = new Float64Array(Math.max(0, edges.length - 1));
      for (let i = 0; i + 1 < edges.length; i++) {
        const u = edges[i]!;
        const v = edges[i + 1]!;
        if (!(v >= u)) throw new RangeError(`binProbabilities: edges must be non-decreasing (edge ${i})`);
        out[i] = cum.integral(u, v) / Zs;
      }
      return out;
    },
    moments() {
      // Centre on the mode to limit cancellation in the variance.
      const c = minimizeOnInterval(f, lo, hi).x;
      const m1 = new CumulativeIntegral((x) => (x - c) * g(x), lo, hi, bp.breakpoints).total / Zs;
      const m2 = new CumulativeIntegral((x) => (x - c) * (x - c) * g(x), lo, hi, bp.breakpoints).total / Zs;
      return { mean: c + m1, variance: m2 - m1 * m1 };
    },
  };
}

/** Result of {@link gibbsOutsideMass}: masses as fractions of the total mass on the extended line. */
export interface OutsideMass {
  /** Fraction of the Gibbs mass below lo. */
  left: number;
  /** Fraction of the Gibbs mass above hi. */
  right: number;
  /** left + right: the relative error made by normalising on [lo, hi]. */
  total: number;
}

/**
 * Estimate the Gibbs mass outside [lo, hi] that {@link gibbsDensity1D} neglects:
 * integrates `exp(−f/θ)` over panels of geometrically growing width
 * (hi − lo)·2^j beyond each limit, stopping when a panel adds < 1e-18 of the
 * running total or after `maxPanels` (default 40) panels or beyond `limit`
 * (default ±(|lo|+|hi|+1)·1e6). Only meaningful if f is confining.
 */
export function gibbsOutsideMass(
  f: (x: number) => number,
  theta: number,
  lo: number,
  hi: number,
  options: { maxPanels?: number; limit?: number } = {},
): OutsideMass {
  const maxPanels = options.maxPanels ?? 40;
  const limit = options.limit ?? (Math.abs(lo) + Math.abs(hi) + 1) * 1e6;
  const logIn = logIntegrateExp(f, lo, hi, theta);
  const side = (dir: -1 | 1): number => {
    let logOut = -Infinity;
    let start = dir < 0 ? lo : hi;
    let w = hi - lo;
    for (let j = 0; j < maxPanels; j++) {
      const end = start + dir * w;
      if (Math.abs(end) > limit) break;
      const a = Math.min(start, end);
      const b = Math.max(start, end);
      const lp = logIntegrateExp(f, a, b, theta);
      logOut = logAddExp(logOut, lp);
      if (lp - logAddExp(logIn, logOut) < Math.log(1e-18)) break;
      start = end;
      w *= 2;
    }
    return logOut;
  };
  const lL = side(-1);
  const lR = side(1);
  const logTot = logAddExp(logIn, logAddExp(lL, lR));
  const left = Math.exp(lL - logTot);
  const right = Math.exp(lR - logTot);
  return { left, right, total: left + right };
}
