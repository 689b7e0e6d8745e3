/**
 * Analysis of per-replica first-passage times with right censoring
 * (docs/models.md §1.2: first-passage times are exponential; the measured mean must
 * match the exact MFPT). Times in the caller's unit (physical time t = steps·η,
 * or steps).
 */
import { Moments } from './moments.js';
import { chiSquareQuantile, normalQuantile } from './special.js';

/** Kaplan–Meier survival curve at the distinct event times. */
export interface KaplanMeier {
  /** Distinct event times, ascending. */
  times: number[];
  /** Replicas at risk just before each time (censored at t count as at risk at t). */
  atRisk: number[];
  /** Events at each time. */
  events: number[];
  /** Ŝ(t) just after each time (right-continuous step function, Ŝ = 1 before times[0]). */
  survival: number[];
  /** Greenwood standard error of Ŝ. */
  se: number[];
  /** Pointwise confidence band (log(−log) transform of the Greenwood variance). */
  lower: number[];
  upper: number[];
}

/** Result of {@link analyzeFirstPassage}. */
export interface FirstPassageSummary {
  /** Number of replicas. */
  n: number;
  /** Replicas that entered the target (events). */
  entered: number;
  /** Replicas censored (not entered by their censoring time). */
  censored: number;
  /** Total exposure Σ min(T_i, C_i). */
  exposure: number;
  /** Censored exponential MLE λ̂ = events / exposure. */
  rate: number;
  /** Confidence interval of λ (Garwood exact chi-square interval, see {@link analyzeFirstPassage}). */
  rateCI: [number, number];
  /** 1/λ̂ (Infinity without events). */
  meanTime: number;
  /** [1/upper, 1/lower] of the rate interval. */
  meanTimeCI: [number, number];
  /** Plain sample mean of the times when nothing is censored (else NaN), with its standard error. */
  sampleMean: number;
  sampleMeanSE: number;
  /** Confidence level used. */
  confidence: number;
  km: KaplanMeier;
}

/** Options of {@link analyzeFirstPassage}. */
export interface FirstPassageOptions {
  /** Confidence level of the intervals. Default 0.95. */
  confidence?: number;
  /** Per-replica censoring times (default: tEnd for all). */
  censorTimes?: ArrayLike<number>;
}

/**
 * Summarise first-passage times `times` (one per replica; NaN, negative values
 * such as −1, or values > the censoring time mean "not entered", censored at
 * `tEnd` or `options.censorTimes[i]`).
 *
 * Rate: the exponential MLE under right censoring, λ̂ = d / E (d events,
 * E = total time at risk). Its CI is the Garwood interval
 * `[χ²_{2d}(α/2) / 2E, χ²_{2d+2}(1−α/2) / 2E]`, exact (conservative) for a
 * Poisson count of events in exposure E; for the fixed-time censoring used here
 * it is the standard approximation (coverage ≈ nominal, slightly conservative).
 * Mean first-passage time 1/λ̂ with the inverted interval.
 * Kaplan–Meier with Greenwood variance and a log(−log) pointwise band.
 */
export function analyzeFirstPassage(times: ArrayLike<number>, tEnd: number, options: FirstPassageOptions = {}): FirstPassageSummary {
  const confidence = options.confidence ?? 0.95;
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`analyzeFirstPassage: confidence must be in (0, 1), got ${confidence}`);
  const n = times.length;
  const obs = new Float64Array(n);
  const isEvent = new Uint8Array(n);
  let entered = 0;
  let exposure = 0;
  for (let i = 0; i < n; i++) {
    const c = options.censorTimes ? options.censorTimes[i]! : tEnd;
    const t = times[i]!;
    if (Number.isFinite(t) && t >= 0 && t <= c) {
      obs[i] = t;
      isEvent[i] = 1;
      entered++;
    } else {
      if (!(c >= 0) || !Number.isFinite(c)) throw new RangeError(`analyzeFirstPassage: invalid censoring time ${c} for replica ${i}`);
      obs[i] = c;
    }
    exposure += obs[i]!;
  }
  const censored = n - entered;
  const alpha = 1 - confidence;
  const rate = exposure > 0 ? entered / exposure : Number.NaN;
  const lo = entered > 0 ? chiSquareQuantile(alpha / 2, 2 * entered) / (2 * exposure) : 0;
  const hi = chiSquareQuantile(1 - alpha / 2, 2 * entered + 2) / (2 * exposure);
  let sampleMean = Number.NaN;
  let sampleMeanSE = Number.NaN;
  if (censored === 0 && n > 0) {
    const m = Moments.of(obs);
    sampleMean = m.mean;
    sampleMeanSE = m.sem;
  }
  return {
    n,
    entered,
    censored,
    exposure,
    rate,
    rateCI: [lo, hi],
    meanTime: 1 / rate,
    meanTimeCI: [1 / hi, lo > 0 ? 1 / lo : Infinity],
    sampleMean,
    sampleMeanSE,
    confidence,
    km: kaplanMeier(obs, isEvent, confidence),
  };
}

/**
 * Kaplan–Meier estimator from observed times and event flags (1 = event,
 * 0 = censored). Ŝ(t) = Π_{t_i ≤ t} (1 − d_i/n_i); Greenwood
 * Var Ŝ = Ŝ² Σ d_i/(n_i(n_i − d_i)); band exp(−exp(log(−log Ŝ) ± z·s)) with
 * s = sqrt(Σ d_i/(n_i(n_i−d_i))) / |log Ŝ| (collapses to Ŝ where Ŝ ∈ {0, 1}).
 */
export function kaplanMeier(observed: ArrayLike<number>, event: ArrayLike<number>, confidence = 0.95): KaplanMeier {
  const n = observed.length;
  const idx = Array.from({ length: n }, (_, i) => i).sort((a, b) => observed[a]! - observed[b]! || event[b]! - event[a]!);
  const z = normalQuantile(0.5 + confidence / 2);
  const out: KaplanMeier = { times: [], atRisk: [], events: [], survival: [], se: [], lower: [], upper: [] };
  let atRisk = n;
  let S = 1;
  let gw = 0; // Greenwood sum
  let i = 0;
  while (i < n) {
    const t = observed[idx[i]!]!;
    let d = 0;
    let c = 0;
    while (i < n && observed[idx[i]!]! === t) {
      if (event[idx[i]!]) d++;
      else c++;
      i++;
    }
    if (d > 0) {
      S *= 1 - d / atRisk;
      gw += atRisk > d ? d / (atRisk * (atRisk - d)) : Infinity;
      const se = S > 0 ? S * Math.sqrt(gw) : 0;
      let lower = S;
      let upper = S;
      if (S > 0 && S < 1 && Number.isFinite(gw)) {
        const lS = Math.log(S);
        const s = Math.sqrt(gw) / Math.abs(lS);
        const ll = Math.log(-lS);
        lower = Math.exp(-Math.exp(ll + z * s));
        upper = Math.exp(-Math.exp(ll - z * s));
      }
      out.times.push(t);
      out.atRisk.push(atRisk);
      out.events.push(d);
      out.survival.push(S);
      out.se.push(se);
      out.lower.push(lower);
      out.upper.push(upper);
    }
    atRisk -= d + c;
  }
  return out;
}

/** Evaluate a Kaplan–Meier step function at time t (1 before the first event). */
export function survivalAt(km: KaplanMeier, t: number): number {
  let lo = 0;
  let hi = km.times.length;
  while (lo < hi) {
    const m = (lo + hi) >> 1;
    if (km.times[m]! <= t) lo = m + 1;
    else hi = m;
  }
  return lo === 0 ? 1 : km.survival[lo - 1]!;
}
