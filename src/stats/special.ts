/**
 * Special functions for the statistical tests: log-gamma, regularized
 * incomplete gamma P/Q and their inverses, the normal and chi-square
 * distributions. Double precision, ~1e-14 relative unless stated.
 */

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0 (Lanczos g = 7, n = 9; reflection below 0.5). */
export function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - lnGamma(1 - x);
  x -= 1;
  let a = LANCZOS[0]!;
  const t = x + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i]! / (x + i);
  return 0.5 * Math.log(2 * Math.PI) + (x + 0.5) * Math.log(t) - t + Math.log(a);
}

const EPS = 1e-16;
const FPMIN = 1e-300;

function logPrefactor(a: number, x: number): number {
  return -x + a * Math.log(x) - lnGamma(a);
}

function gammaSeries(a: number, x: number): number {
  let ap = a;
  let del = 1 / a;
  let sum = del;
  for (let n = 0; n < 100000; n++) {
    ap += 1;
    del *= x / ap;
    sum += del;
    if (Math.abs(del) < Math.abs(sum) * EPS) break;
  }
  return sum * Math.exp(logPrefactor(a, x));
}

function gammaContinuedFraction(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / FPMIN;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 100000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < FPMIN) d = FPMIN;
    c = b + an / c;
    if (Math.abs(c) < FPMIN) c = FPMIN;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < EPS) break;
  }
  return Math.exp(logPrefactor(a, x)) * h;
}

/** Regularized lower incomplete gamma P(a, x) = γ(a, x)/Γ(a), a > 0, x ≥ 0. */
export function gammaP(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0)) return Number.NaN;
  if (x === 0) return 0;
  if (x === Infinity) return 1;
  return x < a + 1 ? gammaSeries(a, x) : 1 - gammaContinuedFraction(a, x);
}

/** Regularized upper incomplete gamma Q(a, x) = 1 − P(a, x), accurate in the upper tail. */
export function gammaQ(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0)) return Number.NaN;
  if (x === 0) return 1;
  if (x === Infinity) return 0;
  return x < a + 1 ? 1 - gammaSeries(a, x) : gammaContinuedFraction(a, x);
}

/**
 * x with P(a, x) = p (lower = true) or Q(a, x) = p (lower = false): Newton
 * steps on the tail that is small, safeguarded by bisection on a bracket.
 */
export function gammaInv(a: number, p: number, lower = true): number {
  if (!(a > 0) || !(p >= 0 && p <= 1)) return Number.NaN;
  const pl = lower ? p : 1 - p;
  if (p === 0) return lower ? 0 : Infinity;
  if (p === 1) return lower ? Infinity : 0;
  // Work on whichever tail is smaller for accuracy.
  const useLower = pl <= 0.5;
  const target = useLower ? pl : lower ? 1 - p : p;
  const F = (x: number): number => (useLower ? gammaP(a, x) : gammaQ(a, x)) - target;
  // Initial guess: Wilson–Hilferty.
  const z = normalQuantile(pl);
  const w = 1 / (9 * a);
  let x = a * Math.pow(Math.max(1 - w + z * Math.sqrt(w), 1e-3), 3);
  if (pl < 1e-3 && a < 1) x = Math.pow(pl * Math.exp(lnGamma(a + 1)), 1 / a);
  // Bracket.
  let lo = 0;
  let hi = Math.max(x, 1);
  while ((useLower ? F(hi) : -F(hi)) < 0) {
    lo = hi;
    hi *= 2;
    if (hi > 1e300) return Infinity;
  }
  if (!(x > lo && x < hi)) x = 0.5 * (lo + hi);
  for (let it = 0; it < 200; it++) {
    const fx = F(x);
    const sgn = useLower ? fx : -fx; // increasing in x
    if (sgn === 0) return x;
    if (sgn < 0) lo = x;
    else hi = x;
    const dens = Math.exp(-x + (a - 1) * Math.log(x) - lnGamma(a));
    let xn = x - (useLower ? fx : -fx) / dens;
    if (!(xn > lo && xn < hi) || !Number.isFinite(xn)) xn = 0.5 * (lo + hi);
    if (Math.abs(xn - x) <= 1e-15 * Math.max(x, 1e-300)) return xn;
    x = xn;
    if (hi - lo <= 1e-15 * hi) return x;
  }
  return x;
}

/** Standard normal CDF Φ(x) via erfc(|x|/√2) = Q(½, x²/2); relative accuracy in both tails. */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const q = 0.5 * gammaQ(0.5, 0.5 * x * x);
  return x < 0 ? q : 1 - q;
}

/** Standard normal survival function 1 − Φ(x), accurate for large x. */
export function normalSf(x: number): number {
  return normalCdf(-x);
}

// Acklam's rational approximation (relative error < 1.2e-9), refined by Halley steps.
const A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
const B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
const C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];

/** Standard normal quantile Φ⁻¹(p), p ∈ (0, 1); ±Infinity at 0 and 1. ~1e-15 relative. */
export function normalQuantile(p: number): number {
  if (!(p >= 0 && p <= 1)) return Number.NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p > 0.5) return -lowerQuantile(1 - p);
  return lowerQuantile(p);
}

function lowerQuantile(p: number): number {
  // p ≤ 0.5
  let x: number;
  if (p < 0.02425) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((C[0]! * q + C[1]!) * q + C[2]!) * q + C[3]!) * q + C[4]!) * q + C[5]!) / ((((D[0]! * q + D[1]!) * q + D[2]!) * q + D[3]!) * q + 1);
  } else {
    const q = p - 0.5;
    const r = q * q;
    x = ((((((A[0]! * r + A[1]!) * r + A[2]!) * r + A[3]!) * r + A[4]!) * r + A[5]!) * q) /
      (((((B[0]! * r + B[1]!) * r + B[2]!) * r + B[3]!) * r + B[4]!) * r + 1);
  }
  for (let it = 0; it < 3; it++) {
    const e = normalCdf(x) - p;
    const u = e * Math.sqrt(2 * Math.PI) * Math.exp(0.5 * x * x);
    const xn = x - u / (1 + 0.5 * x * u);
    if (xn === x) break;
    x = xn;
  }
  return x;
}

/** Chi-square CDF with `df` degrees of freedom. */
export function chiSquareCdf(x: number, df: number): number {
  return x <= 0 ? 0 : gammaP(df / 2, x / 2);
}

/** Chi-square survival function P(X > x) (the goodness-of-fit p-value). */
export function chiSquareSf(x: number, df: number): number {
  return x <= 0 ? 1 : gammaQ(df / 2, x / 2);
}

/** Chi-square quantile: x with P(X ≤ x) = p. */
export function chiSquareQuantile(p: number, df: number): number {
  return 2 * gammaInv(df / 2, p, true);
}
