/**
 * Ordinary least squares y = a + b·x with t-distribution confidence intervals
 * of slope and intercept, and the Student t distribution it needs (CDF through
 * the regularized incomplete beta function, quantile by bisection on it).
 */
import { chiSquareSf, lnGamma } from './special.js';

const EPS = 1e-16;
const FPMIN = 1e-300;

/** Continued fraction of the incomplete beta function (modified Lentz). */
function betaContinuedFraction(x: number, a: number, b: number): number {
  const qab = a + b,
    qap = a + 1,
    qam = a - 1;
  let c = 1;
  let d = 1 - (qab * x) / qap;
  if (Math.abs(d) < FPMIN) d = FPMIN;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 10000; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < FPMIN) d = FPMIN;
    c = 1 + aa / c;
    if (Math.abs(c) < FPMIN) c = FPMIN;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < FPMIN) d = FPMIN;
    c = 1 + aa / c;
    if (Math.abs(c) < FPMIN) c = FPMIN;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return h;
}

/** Regularized incomplete beta I_x(a, b), a, b > 0, 0 ≤ x ≤ 1. */
export function incompleteBeta(x: number, a: number, b: number): number {
  if (!(a > 0) || !(b > 0) || !(x >= 0 && x <= 1)) return Number.NaN;
  if (x === 0) return 0;
  if (x === 1) return 1;
  const lnFront = lnGamma(a + b) - lnGamma(a) - lnGamma(b) + a * Math.log(x) + b * Math.log1p(-x);
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(lnFront) * betaContinuedFraction(x, a, b)) / a;
  return 1 - (Math.exp(lnFront) * betaContinuedFraction(1 - x, b, a)) / b;
}

/** P(T ≤ t) for Student's t with `df` > 0 degrees of freedom. */
export function studentTCdf(t: number, df: number): number {
  if (!(df > 0) || Number.isNaN(t)) return Number.NaN;
  if (t === Infinity) return 1;
  if (t === -Infinity) return 0;
  const tail = 0.5 * incompleteBeta(df / (df + t * t), df / 2, 0.5);
  return t >= 0 ? 1 - tail : tail;
}

/** The p-quantile of Student's t with `df` > 0 degrees of freedom (bisection to ~1e-12 relative). */
export function studentTQuantile(p: number, df: number): number {
  if (!(df > 0) || !(p > 0 && p < 1)) return p === 0 ? -Infinity : p === 1 ? Infinity : Number.NaN;
  if (p === 0.5) return 0;
  if (p < 0.5) return -studentTQuantile(1 - p, df);
  let lo = 0,
    hi = 1;
  while (studentTCdf(hi, df) < p) {
    lo = hi;
    hi *= 2;
    if (hi > 1e300) return Infinity;
  }
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = 0.5 * (lo + hi);
    if (studentTCdf(mid, df) < p) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}

export interface OlsFit {
  /** Number of points. */
  n: number;
  slope: number;
  intercept: number;
  /** Standard errors (null with fewer than 3 points). */
  slopeSe: number | null;
  interceptSe: number | null;
  /** Confidence intervals at `level` from the t distribution with n − 2 degrees of freedom (null with fewer than 3 points). */
  slopeCi: [number, number] | null;
  interceptCi: [number, number] | null;
  level: number;
  /** Degrees of freedom n − 2. */
  dof: number;
  /** The t quantile used, t_{(1+level)/2, n−2} (null with fewer than 3 points). */
  tCritical: number | null;
  /** Residual standard deviation sqrt(RSS/(n − 2)) (null with fewer than 3 points). */
  residualStd: number | null;
  /** Coefficient of determination (null when y is constant). */
  r2: number | null;
}

/**
 * Fit y = intercept + slope·x by least squares. Needs at least 2 points with
 * distinct x (else throws); confidence intervals need at least 3.
 */
export function olsFit(x: readonly number[], y: readonly number[], level = 0.95): OlsFit {
  const n = x.length;
  if (y.length !== n) throw new Error(`olsFit: x and y differ in length (${n} and ${y.length})`);
  if (n < 2) throw new Error(`olsFit: needs at least 2 points, got ${n}`);
  let mx = 0,
    my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxx = 0,
    sxy = 0,
    syy = 0;
  for (let i = 0; i < n; i++) {
    sxx += (x[i] - mx) ** 2;
    sxy += (x[i] - mx) * (y[i] - my);
    syy += (y[i] - my) ** 2;
  }
  if (!(sxx > 0)) throw new Error('olsFit: all x are equal; the slope is undetermined');
  const slope = sxy / sxx;
  const intercept = my - slope * mx;
  let rss = 0;
  for (let i = 0; i < n; i++) rss += (y[i] - intercept - slope * x[i]) ** 2;
  const dof = n - 2;
  const r2 = syy > 0 ? Math.max(0, 1 - rss / syy) : null;
  if (dof < 1)
    return {
      n,
      slope,
      intercept,
      slopeSe: null,
      interceptSe: null,
      slopeCi: null,
      interceptCi: null,
      level,
      dof,
      tCritical: null,
      residualStd: null,
      r2,
    };
  const s2 = rss / dof;
  const slopeSe = Math.sqrt(s2 / sxx);
  const interceptSe = Math.sqrt(s2 * (1 / n + (mx * mx) / sxx));
  const t = studentTQuantile((1 + level) / 2, dof);
  return {
    n,
    slope,
    intercept,
    slopeSe,
    interceptSe,
    slopeCi: [slope - t * slopeSe, slope + t * slopeSe],
    interceptCi: [intercept - t * interceptSe, intercept + t * interceptSe],
    level,
    dof,
    tCritical: t,
    residualStd: Math.sqrt(s2),
    r2,
  };
}

/** The two-sided 95 % normal quantile. */
const Z95 = 1.959963984540054;

/** A line fit y = intercept + slope·x (weighted or OLS) with standard errors, CIs and the goodness of fit. */
export interface LineFit {
  n: number;
  slope: number;
  intercept: number;
  slopeSe: number | null;
  interceptSe: number | null;
  /** Covariance of (intercept, slope), after the Birge scaling. */
  covariance: number | null;
  slopeCi: [number, number] | null;
  interceptCi: [number, number] | null;
  weighted: boolean;
  /** Σ w r² (weighted) and its dof n − 2, with the χ² p-value; null unweighted. */
  chi2: number | null;
  dof: number;
  pValue: number | null;
  /** Birge ratio √(χ²/dof) applied to the standard errors (1 when not inflated). */
  scale: number | null;
  r2: number | null;
}

/**
 * Line fit y = intercept + slope·x. With `sigma` (all finite and > 0) a
 * weighted fit, w = 1/σ²; `sigmaX` adds errors in x by effective variance
 * σ² + slope²σ_x² (iterated). Without, OLS with t-based CIs.
 */
export function lineFit(x: number[], y: number[], sigma?: Array<number | null>, sigmaX?: Array<number | null>): LineFit {
  const n = x.length;
  const weighted = !!sigma && sigma.length === n && sigma.every((s) => s !== null && s > 0) && n >= 2;
  if (!weighted) {
    const f = olsFit(x, y, 0.95);
    const cov = f.slopeSe !== null && f.residualStd !== null ? -(x.reduce((a, b) => a + b, 0) / n) * f.slopeSe ** 2 : null;
    return {
      n,
      slope: f.slope,
      intercept: f.intercept,
      slopeSe: f.slopeSe,
      interceptSe: f.interceptSe,
      covariance: cov,
      slopeCi: f.slopeCi,
      interceptCi: f.interceptCi,
      weighted: false,
      chi2: null,
      dof: f.dof,
      pValue: null,
      scale: null,
      r2: f.r2,
    };
  }
  let slope = olsFit(x, y).slope;
  let w: number[] = [];
  let a = 0,
    b = 0,
    Sw = 0,
    Swx = 0,
    Swxx = 0,
    det = 0;
  const iterations = sigmaX && sigmaX.some((s) => s !== null && s > 0) ? 6 : 1;
  for (let it = 0; it < iterations; it++) {
    w = sigma!.map((s, i) => 1 / (s! * s! + (sigmaX?.[i] ? slope * slope * sigmaX[i]! * sigmaX[i]! : 0)));
    Sw = 0;
    Swx = 0;
    Swxx = 0;
    let Swy = 0,
      Swxy = 0;
    for (let i = 0; i < n; i++) {
      Sw += w[i];
      Swx += w[i] * x[i];
      Swy += w[i] * y[i];
      Swxx += w[i] * x[i] * x[i];
      Swxy += w[i] * x[i] * y[i];
    }
    det = Sw * Swxx - Swx * Swx;
    if (!(det > 0)) throw new Error('lineFit: all x are equal; the slope is undetermined');
    b = (Sw * Swxy - Swx * Swy) / det;
    a = (Swxx * Swy - Swx * Swxy) / det;
    slope = b;
  }
  let chi2 = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    chi2 += w[i] * (y[i] - a - b * x[i]) ** 2;
    my += w[i] * y[i];
  }
  my /= Sw;
  let syy = 0;
  for (let i = 0; i < n; i++) syy += w[i] * (y[i] - my) ** 2;
  const dof = n - 2;
  const red = dof > 0 ? chi2 / dof : null;
  const scale = red !== null && red > 1 ? Math.sqrt(red) : 1;
  const q = red !== null && red > 1 ? studentTQuantile(0.975, dof) : Z95;
  const slopeSe = scale * Math.sqrt(Sw / det);
  const interceptSe = scale * Math.sqrt(Swxx / det);
  return {
    n,
    slope: b,
    intercept: a,
    slopeSe,
    interceptSe,
    covariance: (scale * scale * -Swx) / det,
    slopeCi: [b - q * slopeSe, b + q * slopeSe],
    interceptCi: [a - q * interceptSe, a + q * interceptSe],
    weighted: true,
    chi2,
    dof,
    pValue: dof > 0 ? chiSquareSf(chi2, dof) : null,
    scale,
    r2: syy > 0 ? Math.max(0, 1 - chi2 / syy) : null,
  };
}
