/**
 * Two-sample tests for comparing regimes (docs/models.md "What comparing regimes
 * means"): log-rank for right-censored first-passage times, Mann–Whitney U,
 * two-sample Kolmogorov–Smirnov, a seeded bootstrap of a difference of means,
 * and the two-proportion z-test with Wilson / Newcombe intervals.
 *
 * Pure functions; every p-value is two-sided. Randomness (the bootstrap) comes
 * from a seeded stream of random/rng.ts or from a caller-supplied `uniform()`.
 */
import { seededU32, seededUniform } from '../random/rng.js';
import { bootstrapMeanReplicates, bootstrapMeanReplicatesFrom } from './bootstrap.js';
import { chiSquareSf, normalCdf, normalQuantile } from './special.js';
import { kolmogorovSf } from './tests.js';

// ------------------------------------------------------------------ helpers

// The seeded sources are random/'s streams; re-exported for callers of this module.
export { seededU32, seededUniform };

function finiteSorted(x: ArrayLike<number>, what: string): Float64Array {
  const v = Float64Array.from(x as ArrayLike<number>);
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i]!)) throw new RangeError(`${what}: non-finite value at ${i}`);
  return v.sort();
}

const twoSidedNormalP = (z: number) => Math.min(1, 2 * normalCdf(-Math.abs(z)));

// ------------------------------------------------------------------ log-rank

/** A right-censored sample: observed times (event or censoring time) and event flags (truthy = event observed). */
export interface CensoredSample {
  times: ArrayLike<number>;
  events: ArrayLike<number | boolean>;
}

/** Result of {@link logRankTest}. */
export interface LogRankResult {
  /** (O_A − E_A)² / V, chi-square with 1 degree of freedom under H0. */
  statistic: number;
  pValue: number;
  /** Signed (O_A − E_A)/√V (positive: A has its events earlier than expected). */
  z: number;
  observedA: number;
  expectedA: number;
  observedB: number;
  expectedB: number;
  /** Hypergeometric variance V summed over the distinct event times. */
  variance: number;
  /** (O_A/E_A)/(O_B/E_B): the log-rank hazard-ratio estimate of A relative to B (NaN when undefined). */
  hazardRatio: number;
}

/**
 * Log-rank (Mantel–Cox) test of equal hazards for two right-censored samples.
 * At each distinct event time t with n = n_A + n_B at risk (a replica censored
 * at t is still at risk at t) and d events: E_A += d·n_A/n,
 * V += d·(n_A/n)(n_B/n)(n − d)/(n − 1). χ² = (O_A − E_A)²/V with 1 dof
 * (Peto & Peto 1972; R `survdiff`). No events at all: statistic 0, p = 1.
 */
export function logRankTest(a: CensoredSample, b: CensoredSample): LogRankResult {
  const nA = a.times.length;
  const nB = b.times.length;
  if (a.events.length !== nA || b.events.length !== nB) throw new RangeError('logRankTest: times and events differ in length');
  const n = nA + nB;
  const t = new Float64Array(n);
  const ev = new Uint8Array(n);
  const grp = new Uint8Array(n);
  for (let i = 0; i < nA; i++) {
    t[i] = a.times[i]!;
    ev[i] = a.events[i] ? 1 : 0;
  }
  for (let i = 0; i < nB; i++) {
    t[nA + i] = b.times[i]!;
    ev[nA + i] = b.events[i] ? 1 : 0;
    grp[nA + i] = 1;
  }
  for (let i = 0; i < n; i++)
    if (!(t[i]! >= 0) || !Number.isFinite(t[i]!)) throw new RangeError(`logRankTest: invalid time ${t[i]} (times must be finite and ≥ 0)`);
  const idx = Uint32Array.from({ length: n }, (_, i) => i).sort((i, j) => t[i]! - t[j]!);
  let atA = nA;
  let atB = nB;
  let oA = 0,
    eA = 0,
    oB = 0,
    eB = 0,
    V = 0;
  let k = 0;
  while (k < n) {
    const time = t[idx[k]!]!;
    let dA = 0,
      dB = 0,
      cA = 0,
      cB = 0;
    while (k < n && t[idx[k]!]! === time) {
      const i = idx[k]!;
      if (ev[i]) {
        if (grp[i]) dB++;
        else dA++;
      } else if (grp[i]) cB++;
      else cA++;
      k++;
    }
    const d = dA + dB;
    const r = atA + atB;
    if (d > 0) {
      oA += dA;
      oB += dB;
      eA += (d * atA) / r;
      eB += (d * atB) / r;
      if (r > 1) V += (d * (atA / r) * (atB / r) * (r - d)) / (r - 1);
    }
    atA -= dA + cA;
    atB -= dB + cB;
  }
  const diff = oA - eA;
  const statistic = V > 0 ? (diff * diff) / V : 0;
  return {
    statistic,
    pValue: V > 0 ? chiSquareSf(statistic, 1) : 1,
    z: V > 0 ? diff / Math.sqrt(V) : 0,
    observedA: oA,
    expectedA: eA,
    observedB: oB,
    expectedB: eB,
    variance: V,
    hazardRatio: eA > 0 && eB > 0 && oB > 0 ? oA / eA / (oB / eB) : Number.NaN,
  };
}

// ------------------------------------------------------------------ Mann–Whitney

/** Result of {@link mannWhitneyTest}. */
export interface MannWhitneyResult {
  /** U_A = R_A − n_A(n_A+1)/2: pairs (a, b) with a > b, ties counting ½. */
  uA: number;
  uB: number;
  /** Rank sum of sample A (mid-ranks for ties). */
  rankSumA: number;
  /** Normal score (|U_A − n_A n_B/2| − ½)·sign / σ, continuity- and tie-corrected (0 for the exact method). */
  z: number;
  pValue: number;
  method: 'exact' | 'normal';
  /** Common-language effect size U_A/(n_A n_B) = P(A > B) + ½P(A = B). */
  effect: number;
  /** Whether the pooled sample has ties. */
  ties: boolean;
  nA: number;
  nB: number;
}

/** Options of {@link mannWhitneyTest}. */
export interface MannWhitneyOptions {
  /**
   * 'exact' (no ties only), 'normal', or 'auto' (default): exact when there
   * are no ties and n_A + n_B ≤ 40, else normal.
   */
  method?: 'auto' | 'exact' | 'normal';
  /** Continuity correction of the normal approximation (default true). */
  continuity?: boolean;
}

/** Largest m·n for which {@link mannWhitneyExactPmf} computes (its cost grows as (m·n)²/4; the normal approximation serves beyond). */
export const MANN_WHITNEY_EXACT_MAX = 40_000;

/**
 * Null distribution of U for sizes m, n without ties: P(U = u), u = 0 … m·n,
 * by the recursion P_{i,j}(u) = i/(i+j)·P_{i−1,j}(u − j) + j/(i+j)·P_{i,j−1}(u)
 * (Mann & Whitney 1947). Every term is positive, so each probability is
 * accurate to a few ulps even far in the tails. (The Gaussian-binomial
 * product Π (1 − q^{n+i})/(1 − q^i) used before cancels catastrophically in
 * floating point: wrong from m = n ≈ 40 on, e.g. P(U = m·n) = 0.012 instead
 * of 1/C(200, 100) at m = n = 100.) Throws when m·n > MANN_WHITNEY_EXACT_MAX.
 */
export function mannWhitneyExactPmf(m: number, n: number): Float64Array {
  if (m * n > MANN_WHITNEY_EXACT_MAX)
    throw new RangeError(`mannWhitneyExactPmf: m·n = ${m * n} > ${MANN_WHITNEY_EXACT_MAX}; use the normal approximation`);
  // U's distribution is symmetric in (m, n): recurse over the smaller size.
  const lo = Math.min(m, n);
  const hi = Math.max(m, n);
  // prev[j] = P_{i−1,j} (length (i−1)j + 1); P_{0,j} = P_{i,0} = δ(u).
  let prev: Float64Array[] = Array.from({ length: hi + 1 }, () => Float64Array.of(1));
  for (let i = 1; i <= lo; i++) {
    const cur: Float64Array[] = [Float64Array.of(1)];
    for (let j = 1; j <= hi; j++) {
      const p = new Float64Array(i * j + 1);
      const up = prev[j]!;
      const left = cur[j - 1]!;
      const wi = i / (i + j);
      const wj = j / (i + j);
      for (let u = 0; u < up.length; u++) p[u + j] = wi * up[u]!;
      for (let u = 0; u < left.length; u++) p[u]! += wj * left[u]!;
      cur.push(p);
    }
    prev = cur;
  }
  return prev[hi]!;
}

/**
 * Mann–Whitney U (Wilcoxon rank-sum) test of H0: the two samples come from
 * the same distribution, sensitive to a shift in location. Normal
 * approximation: E U = n_A n_B/2, Var U = n_A n_B/12 · (N + 1 − Σ(t³ − t)/(N(N − 1)))
 * over tie groups of size t, z = (|U_A − E U| − ½)/σ; p = 2(1 − Φ(z)) (as
 * scipy's `mannwhitneyu(method='asymptotic')`). Exact: p = 2·min(P(U ≤ u), P(U ≥ u)).
 */
export function mannWhitneyTest(a: ArrayLike<number>, b: ArrayLike<number>, o: MannWhitneyOptions = {}): MannWhitneyResult {
  const nA = a.length;
  const nB = b.length;
  if (nA === 0 || nB === 0) throw new RangeError('mannWhitneyTest: empty sample');
  const N = nA + nB;
  const v = new Float64Array(N);
  const g = new Uint8Array(N);
  for (let i = 0; i < nA; i++) v[i] = a[i]!;
  for (let i = 0; i < nB; i++) {
    v[nA + i] = b[i]!;
    g[nA + i] = 1;
  }
  for (let i = 0; i < N; i++) if (!Number.isFinite(v[i]!)) throw new RangeError(`mannWhitneyTest: non-finite value at ${i}`);
  const idx = Uint32Array.from({ length: N }, (_, i) => i).sort((i, j) => v[i]! - v[j]!);
  let rankSumA = 0;
  let tieTerm = 0;
  let k = 0;
  while (k < N) {
    let e = k;
    while (e + 1 < N && v[idx[e + 1]!]! === v[idx[k]!]!) e++;
    const mid = (k + e) / 2 + 1;
    const tsz = e - k + 1;
    if (tsz > 1) tieTerm += tsz * tsz * tsz - tsz;
    for (let j = k; j <= e; j++) if (!g[idx[j]!]) rankSumA += mid;
    k = e + 1;
  }
  const uA = rankSumA - (nA * (nA + 1)) / 2;
  const uB = nA * nB - uA;
  const ties = tieTerm > 0;
  const mean = (nA * nB) / 2;
  const method = o.method === 'exact' || o.method === 'normal' ? o.method : !ties && N <= 40 ? 'exact' : 'normal';
  if (method === 'exact' && ties) throw new RangeError('mannWhitneyTest: the exact method needs samples without ties');
  let z = 0;
  let pValue: number;
  if (method === 'exact') {
    const pmf = mannWhitneyExactPmf(nA, nB);
    const u = Math.round(uA);
    let lo = 0;
    for (let x = 0; x <= u; x++) lo += pmf[x]!;
    let hi = 0;
    for (let x = u; x <= nA * nB; x++) hi += pmf[x]!;
    pValue = Math.min(1, 2 * Math.min(lo, hi));
  } else {
    const variance = ((nA * nB) / 12) * (N + 1 - tieTerm / (N * (N - 1)));
    const dev = Math.abs(uA - mean) - ((o.continuity ?? true) ? 0.5 : 0);
    z = variance > 0 ? (Math.sign(uA - mean) * Math.max(dev, 0)) / Math.sqrt(variance) : 0;
    pValue = variance > 0 ? twoSidedNormalP(z) : 1;
  }
  return { uA, uB, rankSumA, z, pValue, method, effect: uA / (nA * nB), ties, nA, nB };
}

// ------------------------------------------------------------------ KS two-sample

/** Result of {@link ksTwoSample}. */
export interface KsTwoSampleResult {
  /** D = sup_x |F_A(x) − F_B(x)|. */
  statistic: number;
  /** sup (F_A − F_B) and sup (F_B − F_A). */
  dPlus: number;
  dMinus: number;
  /** Where D is attained. */
  at: number;
  pValue: number;
  method: 'exact' | 'asymptotic';
  nA: number;
  nB: number;
  /** n_A n_B/(n_A + n_B). */
  effectiveN: number;
}

/** Options of {@link ksTwoSample}. */
export interface KsTwoSampleOptions {
  /** 'auto' (default): exact when n_A·n_B ≤ 10 000, else asymptotic. */
  method?: 'auto' | 'exact' | 'asymptotic';
}

/**
 * P(D ≥ d) for two samples of sizes m, n without ties, by counting lattice
 * paths from (0,0) to (m,n) that stay strictly inside |i/m − j/n| < d
 * (Hodges 1957). Exact; O(m·n).
 */
export function ksTwoSampleExactSf(d: number, m: number, n: number): number {
  if (d <= 0) return 1;
  // Work with integer lattice: |i·n − j·m| < d·m·n; guard rounding so that the observed D counts as "≥ d".
  const lim = d * m * n - 1e-7 * Math.max(1, m * n);
  // Probability that a uniformly random path stays inside; each path has prob 1/C(m+n, m).
  // Propagate the fraction of paths rather than counts: u[j] at row i holds (#inside paths to (i,j)) / C(i+j, i).
  let prev = new Float64Array(n + 1);
  prev[0] = 1;
  for (let j = 1; j <= n; j++) prev[j] = Math.abs(0 * n - j * m) < lim ? prev[j - 1]! : 0;
  for (let i = 1; i <= m; i++) {
    const cur = new Float64Array(n + 1);
    cur[0] = Math.abs(i * n) < lim ? prev[0]! : 0;
    for (let j = 1; j <= n; j++) {
      if (Math.abs(i * n - j * m) < lim) {
        // count(i,j) = count(i−1,j) + count(i,j−1); C(i+j,i) = C(i+j−1,i−1)·(i+j)/i = C(i+j−1,i)·(i+j)/j
        cur[j] = (prev[j]! * i) / (i + j) + (cur[j - 1]! * j) / (i + j);
      } else cur[j] = 0;
    }
    prev = cur;
  }
  return Math.min(1, Math.max(0, 1 - prev[n]!));
}

/**
 * Two-sample Kolmogorov–Smirnov test of H0: same distribution (sensitive to
 * any difference in shape). D is evaluated after each group of tied values.
 * Asymptotic p-value: Stephens' corrected Kolmogorov limit
 * Q_KS((√n_e + 0.12 + 0.11/√n_e)·D), n_e = n_A n_B/(n_A + n_B) (Numerical
 * Recipes `kstwo`); exact: lattice-path count (conservative with ties).
 */
export function ksTwoSample(a: ArrayLike<number>, b: ArrayLike<number>, o: KsTwoSampleOptions = {}): KsTwoSampleResult {
  const xa = finiteSorted(a, 'ksTwoSample');
  const xb = finiteSorted(b, 'ksTwoSample');
  const nA = xa.length;
  const nB = xb.length;
  if (nA === 0 || nB === 0) throw new RangeError('ksTwoSample: empty sample');
  let i = 0,
    j = 0;
  let dPlus = 0,
    dMinus = 0,
    at = xa[0]!;
  while (i < nA || j < nB) {
    const x = j >= nB || (i < nA && xa[i]! <= xb[j]!) ? xa[i]! : xb[j]!;
    while (i < nA && xa[i]! === x) i++;
    while (j < nB && xb[j]! === x) j++;
    const diff = i / nA - j / nB;
    if (diff > dPlus) {
      dPlus = diff;
      if (dPlus >= dMinus) at = x;
    }
    if (-diff > dMinus) {
      dMinus = -diff;
      if (dMinus >= dPlus) at = x;
    }
  }
  const statistic = Math.max(dPlus, dMinus);
  const effectiveN = (nA * nB) / (nA + nB);
  const method = o.method === 'exact' || o.method === 'asymptotic' ? o.method : nA * nB <= 10000 ? 'exact' : 'asymptotic';
  let pValue: number;
  if (method === 'exact') pValue = ksTwoSampleExactSf(statistic, nA, nB);
  else {
    const s = Math.sqrt(effectiveN);
    pValue = kolmogorovSf((s + 0.12 + 0.11 / s) * statistic);
  }
  return { statistic, dPlus, dMinus, at, pValue, method, nA, nB, effectiveN };
}

// ------------------------------------------------------------------ bootstrap

/** Options of {@link bootstrapMeanDifference}. */
export interface BootstrapOptions {
  /** Bootstrap resamples (default 1999). */
  resamples?: number;
  /** Confidence level of the interval (default 0.95). */
  confidence?: number;
  /** Seed of the stream (random/rng.ts `seededU32`, default 0); ignored when `uniform` is given. */
  seed?: number;
  /** Uniform (0, 1) source, e.g. an engine stream; default the seeded stream of `seed`. */
  uniform?: () => number;
  /**
   * Paired resampling (common random numbers): a[i] and b[i] belong to the
   * same replica; resample indices i and average b[i] − a[i]. Needs equal lengths.
   */
  paired?: boolean;
}

/** Result of {@link bootstrapMeanDifference}. */
export interface BootstrapResult {
  /** mean(b) − mean(a). */
  difference: number;
  /** Percentile bootstrap interval of the difference. */
  ci: [number, number];
  /** Bootstrap standard error of the difference. */
  se: number;
  /** difference / se. */
  z: number;
  /**
   * Two-sided p-value by inverting the percentile interval: 2·min(#{Δ* ≤ 0} + 1, #{Δ* ≥ 0} + 1)/(B + 1),
   * capped at 1 — p < 1 − confidence exactly when 0 lies outside the interval (up to the +1).
   */
  pValue: number;
  resamples: number;
  confidence: number;
  paired: boolean;
}

/**
 * Percentile bootstrap of mean(b) − mean(a): each resample draws n_A values
 * from a and n_B from b with replacement (or, paired, n indices for both).
 * Deterministic for a given seed.
 */
export function bootstrapMeanDifference(a: ArrayLike<number>, b: ArrayLike<number>, o: BootstrapOptions = {}): BootstrapResult {
  const nA = a.length;
  const nB = b.length;
  if (nA === 0 || nB === 0) throw new RangeError('bootstrapMeanDifference: empty sample');
  const B = o.resamples ?? 1999;
  const confidence = o.confidence ?? 0.95;
  const paired = !!o.paired;
  if (paired && nA !== nB) throw new RangeError(`bootstrapMeanDifference: paired samples must have equal lengths (${nA} vs ${nB})`);
  const mean = (x: ArrayLike<number>) => {
    let s = 0;
    for (let i = 0; i < x.length; i++) s += x[i]!;
    return s / x.length;
  };
  const difference = mean(b) - mean(a);
  // Indices: ⌊u·n⌋ from the caller's uniform, else ⌊w·n/2³²⌋ from the 32-bit words of seededU32(seed) (bootstrap.ts).
  const xa = Float64Array.from(a as ArrayLike<number>);
  const xb = Float64Array.from(b as ArrayLike<number>);
  const stats = o.uniform
    ? bootstrapMeanReplicatesFrom(xa, xb, B, paired, o.uniform)
    : bootstrapMeanReplicates(xa, xb, B, paired, o.seed ?? 0);
  let m = 0;
  for (let r = 0; r < B; r++) m += stats[r]!;
  m /= B;
  let v = 0;
  let le = 0;
  let ge = 0;
  for (let r = 0; r < B; r++) {
    v += (stats[r]! - m) ** 2;
    if (stats[r]! <= 0) le++;
    if (stats[r]! >= 0) ge++;
  }
  const se = B > 1 ? Math.sqrt(v / (B - 1)) : Number.NaN;
  stats.sort();
  const alpha = 1 - confidence;
  const q = (p: number) => {
    const h = (B - 1) * p;
    const lo = Math.floor(h);
    return lo + 1 < B ? stats[lo]! + (h - lo) * (stats[lo + 1]! - stats[lo]!) : stats[lo]!;
  };
  return {
    difference,
    ci: [q(alpha / 2), q(1 - alpha / 2)],
    se,
    z: se > 0 ? difference / se : difference === 0 ? 0 : Math.sign(difference) * Infinity,
    pValue: Math.min(1, (2 * (Math.min(le, ge) + 1)) / (B + 1)),
    resamples: B,
    confidence,
    paired,
  };
}

// ------------------------------------------------------------------ proportions

/** Wilson score interval of a binomial proportion x/n (Wilson 1927). */
export function wilsonInterval(x: number, n: number, confidence = 0.95): [number, number] {
  if (!(n > 0)) return [0, 1];
  const z = normalQuantile(0.5 + confidence / 2);
  const p = x / n;
  const z2 = z * z;
  const den = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / den;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / den;
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}

/** Result of {@link twoProportionTest}. */
export interface TwoProportionResult {
  pA: number;
  pB: number;
  ciA: [number, number];
  ciB: [number, number];
  /** p_B − p_A. */
  difference: number;
  /** Newcombe's hybrid score interval of p_B − p_A (method 10; built from the Wilson intervals). */
  ci: [number, number];
  /** (p_B − p_A)/sqrt(p̄(1 − p̄)(1/n_A + 1/n_B)) with the pooled p̄. */
  z: number;
  pValue: number;
}

/**
 * Two-proportion z-test (pooled variance; equals the 2×2 Pearson χ² without
 * Yates' correction). When p̄ ∈ {0, 1} the samples cannot differ: z = 0, p = 1.
 */
export function twoProportionTest(xA: number, nA: number, xB: number, nB: number, confidence = 0.95): TwoProportionResult {
  if (!(nA > 0 && nB > 0)) throw new RangeError('twoProportionTest: empty sample');
  if (!(xA >= 0 && xA <= nA && xB >= 0 && xB <= nB))
    throw new RangeError(`twoProportionTest: counts out of range (${xA}/${nA}, ${xB}/${nB})`);
  const pA = xA / nA;
  const pB = xB / nB;
  const pool = (xA + xB) / (nA + nB);
  const se = Math.sqrt(pool * (1 - pool) * (1 / nA + 1 / nB));
  const z = se > 0 ? (pB - pA) / se : 0;
  const ciA = wilsonInterval(xA, nA, confidence);
  const ciB = wilsonInterval(xB, nB, confidence);
  const d = pB - pA;
  const lo = d - Math.sqrt((pB - ciB[0]) ** 2 + (ciA[1] - pA) ** 2);
  const hi = d + Math.sqrt((ciB[1] - pB) ** 2 + (pA - ciA[0]) ** 2);
  return { pA, pB, ciA, ciB, difference: d, ci: [lo, hi], z, pValue: se > 0 ? twoSidedNormalP(z) : 1 };
}

// ------------------------------------------------------------------ quantiles

/**
 * Distribution-free confidence interval of the median from order statistics:
 * [x_(l), x_(u)] with l = ⌊n/2 − z√n/2⌋, u = ⌈n/2 + z√n/2⌉ + 1 (1-based, clamped);
 * the normal approximation to the Binomial(n, ½) count below the median.
 */
export function medianWithCI(x: ArrayLike<number>, confidence = 0.95): { median: number; ci: [number, number] } {
  const v = finiteSorted(x, 'medianWithCI');
  const n = v.length;
  if (n === 0) throw new RangeError('medianWithCI: empty sample');
  const median = n % 2 === 1 ? v[(n - 1) / 2]! : 0.5 * (v[n / 2 - 1]! + v[n / 2]!);
  const z = normalQuantile(0.5 + confidence / 2);
  const l = Math.max(1, Math.floor(n / 2 - (z * Math.sqrt(n)) / 2));
  const u = Math.min(n, Math.ceil(n / 2 + (z * Math.sqrt(n)) / 2) + 1);
  return { median, ci: [v[l - 1]!, v[u - 1]!] };
}

/** Holm step-down adjustment of p-values (family-wise error), in the input order. NaN entries are left NaN and not counted. */
export function holmAdjust(p: ArrayLike<number>): number[] {
  const idx = Array.from({ length: p.length }, (_, i) => i).filter((i) => Number.isFinite(p[i]!));
  idx.sort((i, j) => p[i]! - p[j]!);
  const m = idx.length;
  const out = Array.from({ length: p.length }, () => Number.NaN);
  let run = 0;
  idx.forEach((i, k) => {
    run = Math.max(run, Math.min(1, (m - k) * p[i]!));
    out[i] = run;
  });
  return out;
}
