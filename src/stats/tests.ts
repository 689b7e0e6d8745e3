/**
 * Statistical tests used by the physics tests (docs/models.md §1.1: ensemble histogram
 * vs exact Gibbs density): one-sample Kolmogorov–Smirnov against a continuous
 * CDF, and Pearson χ² goodness of fit for binned counts.
 */
import { chiSquareSf, normalCdf, normalQuantile } from './special.js';

export { normalCdf, normalQuantile, normalSf, chiSquareSf, chiSquareCdf, chiSquareQuantile, gammaP, gammaQ, lnGamma } from './special.js';

/**
 * Asymptotic Kolmogorov survival function
 * `Q_KS(λ) = P(√n D_n > λ) (n → ∞) = 2 Σ_{j≥1} (−1)^{j−1} e^{−2j²λ²}`
 * (theta-function form `1 − √(2π)/λ Σ e^{−(2j−1)²π²/(8λ²)}` for λ < 1).
 */
export function kolmogorovSf(lambda: number): number {
  if (!(lambda > 0)) return 1;
  if (lambda < 1) {
    let s = 0;
    for (let j = 1; j <= 20; j++) s += Math.exp((-((2 * j - 1) ** 2) * Math.PI * Math.PI) / (8 * lambda * lambda));
    return Math.min(1, Math.max(0, 1 - (Math.sqrt(2 * Math.PI) / lambda) * s));
  }
  let s = 0;
  for (let j = 1; j <= 100; j++) {
    const t = Math.exp(-2 * j * j * lambda * lambda);
    s += (j % 2 === 1 ? 1 : -1) * t;
    if (t < 1e-18) break;
  }
  return Math.min(1, Math.max(0, 2 * s));
}

function matMul(A: Float64Array, B: Float64Array, m: number): Float64Array {
  const C = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    for (let k = 0; k < m; k++) {
      const a = A[i * m + k]!;
      if (a === 0) continue;
      const ro = k * m;
      const co = i * m;
      for (let j = 0; j < m; j++) C[co + j]! += a * B[ro + j]!;
    }
  }
  return C;
}

function matPow(A: Float64Array, m: number, n: number): { V: Float64Array; e: number } {
  if (n === 1) return { V: A.slice(), e: 0 };
  const half = matPow(A, m, Math.floor(n / 2));
  let V = matMul(half.V, half.V, m);
  let e = 2 * half.e;
  if (n % 2 === 1) V = matMul(A, V, m);
  const mid = Math.floor(m / 2) * m + Math.floor(m / 2);
  if (V[mid]! > 1e140) {
    for (let i = 0; i < m * m; i++) V[i]! *= 1e-140;
    e += 140;
  }
  return { V, e };
}

/**
 * Exact Kolmogorov CDF `P(D_n < d)` of the two-sided one-sample statistic
 * (Marsaglia, Tsang & Wang 2003, J. Stat. Softw. 8(18)), full precision (no
 * right-tail shortcut). Cost O(m³ log n), m = 2⌈nd⌉ − 1.
 */
export function kolmogorovCdfExact(n: number, d: number): number {
  if (d <= 0) return 0;
  if (d >= 1) return 1;
  if (n * d <= 0.5) return 0; // D_n ≥ 1/(2n) always
  const k = Math.floor(n * d) + 1;
  const m = 2 * k - 1;
  const h = k - n * d;
  const H = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) H[i * m + j] = i - j + 1 < 0 ? 0 : 1;
  for (let i = 0; i < m; i++) {
    H[i * m]! -= Math.pow(h, i + 1);
    H[(m - 1) * m + i]! -= Math.pow(h, m - i);
  }
  H[(m - 1) * m]! += 2 * h - 1 > 0 ? Math.pow(2 * h - 1, m) : 0;
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      if (i - j + 1 > 0) for (let g = 1; g <= i - j + 1; g++) H[i * m + j]! /= g;
    }
  }
  const { V, e } = matPow(H, m, n);
  let s = V[(k - 1) * m + k - 1]!;
  let eQ = e;
  for (let i = 1; i <= n; i++) {
    s = (s * i) / n;
    if (s < 1e-140) {
      s *= 1e140;
      eQ -= 140;
    }
  }
  return s * Math.pow(10, eQ);
}

/** Which formula produced a KS p-value. */
export type KsMethod = 'exact' | 'asymptotic';

/**
 * p-value `P(D_n ≥ d)` of the two-sided one-sample KS statistic.
 * `exact` (Marsaglia–Tsang–Wang) when n ≤ `exactMaxN` (default 100 000) and the
 * matrix order 2⌈nd⌉−1 ≤ `exactMaxOrder` (default 301) and the result is not
 * in the far tail (below 1e-10, where 1 − CDF loses digits; there and otherwise
 * we use) `asymptotic`: Stephens' finite-n corrected Kolmogorov limit
 * `Q_KS((√n + 0.12 + 0.11/√n) d)`, accurate to ~1e-3 relative for n ≥ 5 at the
 * usual significance levels.
 */
export function ksPValue(
  d: number,
  n: number,
  options: { exactMaxN?: number; exactMaxOrder?: number } = {},
): { pValue: number; method: KsMethod } {
  if (!(n >= 1) || !Number.isInteger(n)) throw new RangeError(`ksPValue: n must be a positive integer, got ${n}`);
  if (d <= 0) return { pValue: 1, method: 'exact' };
  if (d >= 1) return { pValue: 0, method: 'exact' };
  const order = 2 * (Math.floor(n * d) + 1) - 1;
  const sq = Math.sqrt(n);
  const asym = kolmogorovSf((sq + 0.12 + 0.11 / sq) * d);
  if (n <= (options.exactMaxN ?? 100000) && order <= (options.exactMaxOrder ?? 301)) {
    const p = 1 - kolmogorovCdfExact(n, d);
    if (p > 1e-10) return { pValue: Math.min(1, Math.max(0, p)), method: 'exact' };
  }
  return { pValue: asym, method: 'asymptotic' };
}

/** Result of {@link ksTest}. */
export interface KsResult {
  /** D_n = sup |F_n − F|. */
  statistic: number;
  /** D⁺ = sup (F_n − F), D⁻ = sup (F − F_n). */
  dPlus: number;
  dMinus: number;
  n: number;
  pValue: number;
  method: KsMethod;
}

/**
 * One-sample two-sided Kolmogorov–Smirnov test of `sample` against the
 * continuous CDF `cdf` (docs/models.md §1.1 Gibbs check). Non-finite values throw.
 */
export function ksTest(sample: ArrayLike<number>, cdf: (x: number) => number): KsResult {
  const n = sample.length;
  if (n === 0) throw new RangeError('ksTest: empty sample');
  const xs = Float64Array.from(sample as ArrayLike<number>);
  for (let i = 0; i < n; i++) if (!Number.isFinite(xs[i]!)) throw new RangeError(`ksTest: non-finite value at ${i}`);
  xs.sort();
  let dPlus = 0;
  let dMinus = 0;
  for (let i = 0; i < n; i++) {
    const F = cdf(xs[i]!);
    dPlus = Math.max(dPlus, (i + 1) / n - F);
    dMinus = Math.max(dMinus, F - i / n);
  }
  const statistic = Math.max(dPlus, dMinus);
  const { pValue, method } = ksPValue(statistic, n);
  return { statistic, dPlus, dMinus, n, pValue, method };
}

/** Options of {@link chiSquareGoodnessOfFit}. */
export interface ChiSquareOptions {
  /** Adjacent bins are merged until every group's expected count is ≥ this. Default 5. */
  minExpected?: number;
  /** Parameters fitted from the data (subtracted from the degrees of freedom). Default 0. */
  fittedParameters?: number;
  /**
   * Rescale the probabilities to sum to 1 (test the shape conditional on landing
   * in the binned range; use when mass outside the bins is not counted). Default true.
   */
  normalize?: boolean;
}

/** Result of {@link chiSquareGoodnessOfFit}. */
export interface ChiSquareResult {
  statistic: number;
  df: number;
  pValue: number;
  /** Observed and expected counts of the merged groups. */
  observed: number[];
  expected: number[];
  /** For each group, [first bin, last bin] (inclusive) of the input. */
  groups: Array<[number, number]>;
}

/**
 * Pearson χ² goodness of fit of binned `counts` against bin `probabilities`
 * (docs/models.md §1.1: histogram vs Gibbs bin probabilities). Expected counts are
 * N·p_i (N = Σ counts, p rescaled to sum 1 unless `normalize: false`); adjacent
 * bins are merged left to right until each group expects ≥ `minExpected` (a
 * short last group joins the previous one); df = groups − 1 − fittedParameters;
 * p-value `Q(df/2, χ²/2)` (regularized upper incomplete gamma).
 */
export function chiSquareGoodnessOfFit(
  counts: ArrayLike<number>,
  probabilities: ArrayLike<number>,
  options: ChiSquareOptions = {},
): ChiSquareResult {
  if (counts.length !== probabilities.length)
    throw new RangeError(`chiSquareGoodnessOfFit: ${counts.length} counts vs ${probabilities.length} probabilities`);
  const minExpected = options.minExpected ?? 5;
  let N = 0;
  let P = 0;
  for (let i = 0; i < counts.length; i++) {
    if (!(counts[i]! >= 0) || !(probabilities[i]! >= 0)) throw new RangeError(`chiSquareGoodnessOfFit: negative or NaN at bin ${i}`);
    N += counts[i]!;
    P += probabilities[i]!;
  }
  if (!(P > 0)) throw new RangeError('chiSquareGoodnessOfFit: probabilities sum to 0');
  const scale = (options.normalize ?? true) ? N / P : N;
  const observed: number[] = [];
  const expected: number[] = [];
  const groups: Array<[number, number]> = [];
  let o = 0;
  let e = 0;
  let start = 0;
  for (let i = 0; i < counts.length; i++) {
    o += counts[i]!;
    e += probabilities[i]! * scale;
    if (e >= minExpected) {
      observed.push(o);
      expected.push(e);
      groups.push([start, i]);
      o = 0;
      e = 0;
      start = i + 1;
    }
  }
  if (start < counts.length) {
    if (groups.length > 0) {
      observed[observed.length - 1]! += o;
      expected[expected.length - 1]! += e;
      groups[groups.length - 1]![1] = counts.length - 1;
    } else {
      observed.push(o);
      expected.push(e);
      groups.push([start, counts.length - 1]);
    }
  }
  let statistic = 0;
  for (let i = 0; i < observed.length; i++) {
    const d = observed[i]! - expected[i]!;
    statistic += expected[i]! > 0 ? (d * d) / expected[i]! : d === 0 ? 0 : Infinity;
  }
  const df = observed.length - 1 - (options.fittedParameters ?? 0);
  const pValue = df > 0 ? chiSquareSf(statistic, df) : Number.NaN;
  return { statistic, df, pValue, observed, expected, groups };
}

/** Two-sided z-score critical value for confidence `level` (e.g. 0.95 → 1.95996). */
export function zCritical(level: number): number {
  return normalQuantile(0.5 + level / 2);
}

/** Two-sided p-value of a z-score. */
export function zPValue(z: number): number {
  return 2 * normalCdf(-Math.abs(z));
}
