/**
 * One-dimensional Gaussian mixtures fitted by expectation–maximisation (EM) on
 * weighted points, with the number of components chosen by BIC — the
 * "droplet" picture in numbers (a per-neuron order parameter whose pooled
 * distribution splits into modes).
 *
 * Points carry weights, so a histogram is fitted by its bin centres weighted
 * by the counts ({@link fitHistogramMixtureBIC}); the likelihood is then the
 * density at the bin centres, and a variance floor of (bin width)²/12 (the
 * variance of a uniform spread over one bin) keeps a component from collapsing
 * onto one bin.
 *
 * Everything is deterministic: EM runs from fixed starts (weighted quantiles,
 * and evenly spaced over the data range) and the start with the larger final
 * log-likelihood is kept. References: Dempster, Laird & Rubin (1977);
 * McLachlan & Peel, "Finite Mixture Models" (2000), ch. 2–3 and 6 (BIC);
 * Schwarz (1978).
 */

/** A fitted mixture (components sorted by increasing mean). */
export interface MixtureFit {
  /** Number of components k. */
  components: number;
  /** Mixing weights π_k (sum 1). */
  weights: number[];
  means: number[];
  sds: number[];
  /** ln L = (n / Σw) Σ_i w_i ln Σ_k π_k N(x_i; μ_k, σ_k²) at the fit (n = Σw unless `sampleSize` is given). */
  logLikelihood: number;
  /**
   * BIC = −2 ln L + (3k − 1) ln n per number of components tried (index k − 1);
   * for {@link fitMixture} the single entry of its k.
   */
  bic: number[];
  /** The sample size in BIC: `sampleSize` if given, else the total weight of the points. */
  n: number;
}

export interface MixtureOptions {
  /**
   * Lower bound on every component variance. Default: 1e-6 × the variance of
   * all points (keeps a component from collapsing onto one point, where the
   * likelihood is unbounded). Use (bin width)²/12 for histogram input.
   */
  varianceFloor?: number;
  /** EM iterations per start (default 1000). */
  maxIterations?: number;
  /**
   * Stop when ln L changes by less than tolerance × n in one iteration
   * (default 1e-8; BIC differences that decide k are O(1), i.e. ≫ 1e-8 n for
   * any n below 1e8).
   */
  tolerance?: number;
  /**
   * The sample size n used by BIC (the log-likelihood is rescaled to n points:
   * weights are scaled to sum to n; the fitted parameters do not change).
   * Default: the total weight. Pooled MCMC draws are correlated: pass an
   * effective sample size, or BIC will find spurious components.
   */
  sampleSize?: number;
}

export interface MixtureBICOptions extends MixtureOptions {
  /** Largest number of components tried (k = 1 … maxComponents). */
  maxComponents: number;
}

const LN_2PI = Math.log(2 * Math.PI);

interface Points {
  x: Float64Array;
  w: Float64Array;
  total: number;
  mean: number;
  variance: number;
  min: number;
  max: number;
}

/** Keep points with positive finite weight and finite value; sort by value. */
function preparePoints(values: ArrayLike<number>, weights: ArrayLike<number> | null): Points {
  if (weights && weights.length !== values.length) throw new Error(`mixture: ${values.length} values but ${weights.length} weights`);
  const idx: number[] = [];
  for (let i = 0; i < values.length; i++) {
    const wi = weights ? weights[i] : 1;
    if (Number.isFinite(values[i]) && Number.isFinite(wi) && wi > 0) idx.push(i);
    else if (weights && !(wi >= 0)) throw new Error(`mixture: weight ${i} is ${wi}, expected ≥ 0`);
  }
  idx.sort((a, b) => values[a] - values[b]);
  const x = new Float64Array(idx.length);
  const w = new Float64Array(idx.length);
  let total = 0;
  let s = 0;
  for (let i = 0; i < idx.length; i++) {
    x[i] = values[idx[i]];
    w[i] = weights ? weights[idx[i]] : 1;
    total += w[i];
    s += w[i] * x[i];
  }
  const mean = total > 0 ? s / total : Number.NaN;
  let v = 0;
  for (let i = 0; i < x.length; i++) v += w[i] * (x[i] - mean) ** 2;
  return { x, w, total, mean, variance: total > 0 ? v / total : Number.NaN, min: x[0] ?? Number.NaN, max: x[x.length - 1] ?? Number.NaN };
}

/** Weighted quantile: the first sorted point whose cumulative weight reaches q·total. */
function quantile(p: Points, q: number): number {
  const target = q * p.total;
  let cum = 0;
  for (let i = 0; i < p.x.length; i++) {
    cum += p.w[i];
    if (cum >= target) return p.x[i];
  }
  return p.max;
}

interface Params {
  pi: Float64Array;
  mu: Float64Array;
  var: Float64Array;
}

/**
 * One EM iteration: E-step (log-sum-exp responsibilities, kept in `resp`),
 * then, with `update`, the M-step in place. Returns ln L of the parameters
 * before the update (EM never decreases it).
 */
function emStep(p: Points, th: Params, floor: number, update: boolean, resp: Float64Array): number {
  const k = th.pi.length;
  const logc = new Float64Array(k);
  for (let j = 0; j < k; j++) logc[j] = th.pi[j] > 0 ? Math.log(th.pi[j]) - 0.5 * (LN_2PI + Math.log(th.var[j])) : -Infinity;
  let ll = 0;
  for (let i = 0; i < p.x.length; i++) {
    const xi = p.x[i];
    const o = i * k;
    let mx = -Infinity;
    for (let j = 0; j < k; j++) {
      const d = xi - th.mu[j];
      const l = logc[j] - (0.5 * d * d) / th.var[j];
      resp[o + j] = l;
      if (l > mx) mx = l;
    }
    let s = 0;
    for (let j = 0; j < k; j++) {
      const e = Math.exp(resp[o + j] - mx);
      resp[o + j] = e;
      s += e;
    }
    ll += p.w[i] * (mx + Math.log(s));
    // Weighted responsibilities w_i r_ij.
    const f = p.w[i] / s;
    for (let j = 0; j < k; j++) resp[o + j] *= f;
  }
  if (!update) return ll;
  for (let j = 0; j < k; j++) {
    let sw = 0;
    let sx = 0;
    for (let i = 0; i < p.x.length; i++) {
      const r = resp[i * k + j];
      sw += r;
      sx += r * p.x[i];
    }
    // An empty component keeps its mean and variance, with weight 0.
    th.pi[j] = sw / p.total;
    if (!(sw > 0)) continue;
    const mu = sx / sw;
    let sxx = 0;
    for (let i = 0; i < p.x.length; i++) sxx += resp[i * k + j] * (p.x[i] - mu) ** 2;
    th.mu[j] = mu;
    th.var[j] = Math.max(sxx / sw, floor);
  }
  return ll;
}

function runEM(p: Points, start: Params, floor: number, maxIt: number, tol: number): { th: Params; ll: number } {
  const th = { pi: start.pi.slice(), mu: start.mu.slice(), var: start.var.slice() };
  const resp = new Float64Array(p.x.length * th.pi.length);
  let prev = -Infinity;
  for (let it = 0; it < maxIt; it++) {
    const ll = emStep(p, th, floor, true, resp);
    if (Math.abs(ll - prev) <= tol * p.total) break;
    prev = ll;
  }
  return { th, ll: emStep(p, th, floor, false, resp) };
}

function toFit(th: Params, ll: number, p: Points, bic: number[]): MixtureFit {
  const order = Array.from(th.pi, (_, j) => j).sort((a, b) => th.mu[a] - th.mu[b]);
  return {
    components: th.pi.length,
    weights: order.map((j) => th.pi[j]),
    means: order.map((j) => th.mu[j]),
    sds: order.map((j) => Math.sqrt(th.var[j])),
    logLikelihood: ll,
    bic,
    n: p.total,
  };
}

function bicOf(ll: number, k: number, n: number): number {
  return -2 * ll + (3 * k - 1) * Math.log(n);
}

function fitPoints(p: Points, k: number, o: MixtureOptions): MixtureFit {
  if (!Number.isInteger(k) || k < 1) throw new Error(`mixture: k = ${k}, expected an integer ≥ 1`);
  if (p.total === 0) return { components: k, weights: [], means: [], sds: [], logLikelihood: Number.NaN, bic: [Number.NaN], n: 0 };
  const floor = o.varianceFloor ?? 1e-6 * p.variance;
  if (!(floor >= 0)) throw new Error(`mixture: varianceFloor = ${o.varianceFloor}, expected ≥ 0`);
  const v0 = Math.max(p.variance, floor);
  if (!(v0 > 0)) {
    // All points equal and no floor: one point mass (the likelihood is unbounded).
    return { components: 1, weights: [1], means: [p.mean], sds: [0], logLikelihood: Number.NaN, bic: [Number.NaN], n: p.total };
  }
  const maxIt = o.maxIterations ?? 1000;
  const tol = o.tolerance ?? 1e-8;
  // Start 1: means at the weighted quantiles (j + ½)/k, common sd = overall sd / k.
  // Start 2: means evenly spaced over [min, max] (finds small far-out modes).
  const starts: Params[] = [];
  const mk = (mu: number[]): Params => ({
    pi: new Float64Array(k).fill(1 / k),
    mu: Float64Array.from(mu),
    var: new Float64Array(k).fill(Math.max(v0 / (k * k), floor)),
  });
  starts.push(mk(Array.from({ length: k }, (_, j) => quantile(p, (j + 0.5) / k))));
  if (k > 1) starts.push(mk(Array.from({ length: k }, (_, j) => p.min + ((j + 0.5) / k) * (p.max - p.min))));
  let best: { th: Params; ll: number } | null = null;
  for (const s of starts) {
    const r = runEM(p, s, floor, maxIt, tol);
    if (!best || r.ll > best.ll) best = r;
  }
  const n = o.sampleSize ?? p.total;
  if (!(n > 0)) throw new Error(`mixture: sampleSize = ${o.sampleSize}, expected > 0`);
  const ll = (best!.ll * n) / p.total;
  return { ...toFit(best!.th, ll, p, [bicOf(ll, k, n)]), n };
}

/**
 * Fit a k-component Gaussian mixture to weighted points by EM (weights null =
 * all 1; points with zero weight or a non-finite value are ignored).
 */
export function fitMixture(values: ArrayLike<number>, weights: ArrayLike<number> | null, k: number, opts: MixtureOptions = {}): MixtureFit {
  return fitPoints(preparePoints(values, weights), k, opts);
}

/**
 * Fit k = 1 … maxComponents components and return the fit with the smallest
 * BIC = −2 ln L + (3k − 1) ln n (n = total weight; 3k − 1 free parameters:
 * k means, k variances, k − 1 weights). `bic[k − 1]` lists every k tried.
 * Ties go to the smaller k.
 */
export function fitMixtureBIC(values: ArrayLike<number>, weights: ArrayLike<number> | null, opts: MixtureBICOptions): MixtureFit {
  const K = opts.maxComponents;
  if (!Number.isInteger(K) || K < 1) throw new Error(`mixture: maxComponents = ${K}, expected an integer ≥ 1`);
  const p = preparePoints(values, weights);
  const fits: MixtureFit[] = [];
  for (let k = 1; k <= K; k++) fits.push(fitPoints(p, k, opts));
  const bic = fits.map((f) => f.bic[0]);
  let best = 0;
  for (let k = 1; k < K; k++) if (bic[k] < bic[best]) best = k;
  return { ...fits[best], bic };
}

/**
 * BIC-chosen mixture of a histogram: bin centres of `counts` over `range`
 * (equal bins) weighted by the counts, variance floor (bin width)²/12 unless
 * given.
 */
export function fitHistogramMixtureBIC(counts: ArrayLike<number>, range: readonly [number, number], opts: MixtureBICOptions): MixtureFit {
  const bins = counts.length;
  const h = (range[1] - range[0]) / bins;
  const centres = new Float64Array(bins);
  for (let b = 0; b < bins; b++) centres[b] = range[0] + (b + 0.5) * h;
  return fitMixtureBIC(centres, counts, { ...opts, varianceFloor: opts.varianceFloor ?? (h * h) / 12 });
}

/** Mixture density Σ_k π_k N(x; μ_k, σ_k²) at x. */
export function mixtureDensity(fit: Pick<MixtureFit, 'weights' | 'means' | 'sds'>, x: number): number {
  let s = 0;
  for (let j = 0; j < fit.weights.length; j++) {
    const z = (x - fit.means[j]) / fit.sds[j];
    s += (fit.weights[j] * Math.exp(-0.5 * z * z)) / (fit.sds[j] * Math.sqrt(2 * Math.PI));
  }
  return s;
}

/**
 * Locations of the local maxima of the mixture density, scanned on a grid of
 * `points` over [min_k(μ_k − 5σ_k), max_k(μ_k + 5σ_k)] (or [lo, hi]; an end
 * counts when the density falls away from it; a plateau counts once). A BIC
 * choice of k ≥ 2 alone does not mean bimodal: a skewed unimodal sample is
 * also fitted better by several Gaussians (e.g. a log-normal sample of 2000
 * draws: BIC picks 3 of 3, one mode). Two or more modes here do.
 */
export function mixtureModes(fit: Pick<MixtureFit, 'weights' | 'means' | 'sds'>, lo?: number, hi?: number, points = 4001): number[] {
  const k = fit.weights.length;
  if (k === 0) return [];
  let a = Infinity;
  let b = -Infinity;
  for (let j = 0; j < k; j++) {
    a = Math.min(a, fit.means[j] - 5 * fit.sds[j]);
    b = Math.max(b, fit.means[j] + 5 * fit.sds[j]);
  }
  a = lo ?? a;
  b = hi ?? b;
  if (!(b > a)) return k === 1 ? [fit.means[0]] : [];
  const modes: number[] = [];
  const h = (b - a) / (points - 1);
  let prev2 = -Infinity;
  let prev = mixtureDensity(fit, a);
  for (let i = 1; i <= points; i++) {
    // One point past the end, so a maximum at the last grid point counts.
    const cur = i < points ? mixtureDensity(fit, a + i * h) : -Infinity;
    if (prev > prev2 && prev >= cur) modes.push(a + (i - 1) * h);
    prev2 = prev;
    prev = cur;
  }
  return modes;
}
