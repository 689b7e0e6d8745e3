/**
 * The `sampling` block of summary.json (present only when the scenario has a
 * `sampling:` section) and chains.csv: chain diagnostics (ESS, split R-hat,
 * MCSE; src/stats/mcmc.ts), pooled posterior histograms with −ln p and a
 * BIC-chosen Gaussian mixture (src/stats/mixture.ts), posterior-predictive
 * metrics, and the warnings a user should read. A deterministic function of
 * the merged result: identical for any number of workers.
 */
import type { PosteriorPredictive } from '../engine/types.js';
import type { SamplingResult } from '../observables/results.js';
import type { SamplingSpec } from '../scenario/types.js';
import { bulkEffectiveSampleSize, chainSummary, type ChainSummary } from '../stats/mcmc.js';
import { fitHistogramMixtureBIC, mixtureModes } from '../stats/mixture.js';

/** Fewer samples per replica than this: no ESS / R-hat (split chains need 2 draws per half). */
export const MIN_SAMPLES_FOR_DIAGNOSTICS = 4;
/** A posterior histogram with more than this fraction of its values outside its range is warned about. */
export const OUT_OF_RANGE_WARNING = 0.01;

export interface MixtureSummary {
  components: number;
  weights: number[];
  means: number[];
  sds: number[];
  logLikelihood: number;
  /** BIC per number of components tried (index k − 1); the smallest was chosen. */
  bic: number[];
  /**
   * The sample size of BIC and of `logLikelihood`: the effective number of
   * in-range values, min(inRange, ess · inRange / samples); inRange when the
   * ESS is not available.
   */
  n: number;
  /** Local maxima of the fitted density inside the range: two or more = bimodal (k ≥ 2 alone is not). */
  modes: number[];
}

export interface PosteriorSummary {
  of: string;
  /** Values per replica per sample (1 for a scalar observable). */
  units: number;
  bins: number;
  range: [number, number];
  /** Finite values pooled over units, replicas and samples (diverged replicas excluded). */
  samples: number;
  /** Of these, inside the range. */
  inRange: number;
  /**
   * Effective sample size of the pooled values: the bulk ESS (rank-normalised,
   * split chains) over one chain per (replica, unit), from the first
   * `essReplicas` replicas and scaled by replicas / essReplicas; null with fewer
   * than 4 samples per replica.
   */
  ess: number | null;
  essReplicas: number;
  underflow: number;
  overflow: number;
  counts: number[];
  /** −ln p per bin, p = count / (inRange · bin width) (the density of the in-range values); null for an empty bin. */
  negLogP: Array<number | null>;
  /** BIC-chosen Gaussian mixture fitted to the histogram (bin centres weighted by counts); null when mixture: 0 or no value in range. */
  mixture: MixtureSummary | null;
}

export interface PredictiveSummary {
  /** Predicted points and predicted values per replica. */
  points: number;
  /** Which points: the held-out set, or the training set of a potential trained on every point. */
  set: 'held-out' | 'training';
  size: number;
  /** Samples averaged (over all replicas) and replicas that contributed. */
  samples: number;
  replicas: number;
  /** Metrics of the posterior-mean predictor: the average prediction over every sample of every replica. */
  posteriorMean: Record<string, number>;
  /** Metrics of each replica's own posterior mean: their number, mean and standard error of the mean over replicas. */
  perReplica: Record<string, { n: number; mean: number; sem: number }>;
}

export interface SamplingSummary {
  burnIn: number;
  thin: number;
  samplesPerReplica: number;
  firstSampleStep: number;
  lastSampleStep: number;
  /** Per chain observable: draws n, chains used, posterior mean, sd, MCSE of the mean, ESS, split R-hat (rank-normalised). */
  chains: Record<string, ChainSummary>;
  posterior: PosteriorSummary[];
  predictive: PredictiveSummary | null;
  warnings: string[];
}

const fmt = (v: number, digits = 3) => (Number.isFinite(v) ? Number(v.toPrecision(digits)).toString() : String(v));

/** The chains of observable `k`: one Float64Array per replica (views into the result). */
export function chainsOf(r: SamplingResult, k: number): Float64Array[] {
  const nC = r.chains.length;
  const nS = r.steps.length;
  const replicas = nC > 0 && nS > 0 ? r.values.length / (nC * nS) : 0;
  return Array.from({ length: replicas }, (_, i) => r.values.subarray((i * nC + k) * nS, (i * nC + k + 1) * nS));
}

/** −ln of the in-range density per bin (null for empty bins). */
export function negLogDensity(counts: ArrayLike<number>, range: readonly [number, number], inRange: number): Array<number | null> {
  const width = (range[1] - range[0]) / counts.length;
  return Array.from(counts, (c) => (c > 0 && inRange > 0 ? -Math.log(c / (inRange * width)) : null));
}

/**
 * Build the `sampling` block. `predictive` is the potential's posterior
 * predictive (its `metrics` turn averaged predictions into numbers); `replicas`
 * is the ensemble size.
 */
export function buildSamplingSummary(
  spec: SamplingSpec,
  r: SamplingResult,
  replicas: number,
  predictive?: PosteriorPredictive,
): SamplingSummary {
  const warnings: string[] = [];
  const nS = r.steps.length;
  if (nS < MIN_SAMPLES_FOR_DIAGNOSTICS)
    warnings.push(
      `only ${nS} sample${nS === 1 ? '' : 's'} per replica: ESS, R-hat and MCSE need at least ${MIN_SAMPLES_FOR_DIAGNOSTICS} (lower sampling.burn_in or sampling.thin, or raise dynamics.steps)`,
    );

  const chains: Record<string, ChainSummary> = {};
  r.chains.forEach((name, k) => {
    const c = chainSummary(chainsOf(r, k));
    chains[name] = c;
    if (c.chains < replicas)
      warnings.push(
        `${name}: ${replicas - c.chains} of ${replicas} chains contain a non-finite value (diverged replicas) and are left out of its diagnostics`,
      );
    if (nS < MIN_SAMPLES_FOR_DIAGNOSTICS || c.chains === 0) return;
    if (c.rhat > spec.warn.rhat)
      warnings.push(
        `${name}: split R-hat ${fmt(c.rhat)} > ${spec.warn.rhat} — the replicas' chains disagree (not yet in equilibrium, or stuck in different modes); raise sampling.burn_in or dynamics.steps`,
      );
    if (c.ess < spec.warn.ess)
      warnings.push(
        `${name}: ESS ${fmt(c.ess)} < ${spec.warn.ess} — few effective samples for its posterior mean (MCSE ${fmt(c.mcse)}); run longer or use more replicas`,
      );
  });

  const posterior: PosteriorSummary[] = r.posterior.map((h, i) => {
    const inRange = h.samples - h.underflow - h.overflow;
    const want = spec.posterior[i]?.mixture ?? 0;
    const nonEmpty = Array.from(h.counts).filter((c) => c > 0).length;
    // Pooled draws are correlated (in time, and within a replica): BIC counts effective draws, or it finds spurious components.
    const unitChains = Array.from({ length: h.chainReplicas * h.units }, (_, c) => h.chains.subarray(c * nS, (c + 1) * nS));
    const essRaw = nS >= MIN_SAMPLES_FOR_DIAGNOSTICS && unitChains.length > 0 ? bulkEffectiveSampleSize(unitChains) : NaN;
    const ess = Number.isFinite(essRaw) && h.chainReplicas > 0 ? (essRaw * replicas) / h.chainReplicas : null;
    let mixture: MixtureSummary | null = null;
    if (want > 0 && inRange > 0) {
      const sampleSize = ess !== null && h.samples > 0 ? Math.min(inRange, (ess * inRange) / h.samples) : inRange;
      const fit = fitHistogramMixtureBIC(h.counts, h.range, { maxComponents: Math.max(1, Math.min(want, nonEmpty)), sampleSize });
      mixture = {
        components: fit.components,
        weights: fit.weights,
        means: fit.means,
        sds: fit.sds,
        logLikelihood: fit.logLikelihood,
        bic: fit.bic,
        n: fit.n,
        modes: mixtureModes(fit, h.range[0], h.range[1]),
      };
    }
    if (h.samples === 0) warnings.push(`posterior of ${h.of}: no finite value was recorded`);
    else if ((h.underflow + h.overflow) / h.samples > OUT_OF_RANGE_WARNING)
      warnings.push(
        `posterior of ${h.of}: ${fmt((100 * (h.underflow + h.overflow)) / h.samples, 2)} % of the values fell outside [${h.range[0]}, ${h.range[1]}] (${h.underflow} below, ${h.overflow} above); widen sampling.posterior[${i}].range`,
      );
    return {
      of: h.of,
      units: h.units,
      bins: h.bins,
      range: h.range,
      samples: h.samples,
      inRange,
      ess,
      essReplicas: h.chainReplicas,
      underflow: h.underflow,
      overflow: h.overflow,
      counts: Array.from(h.counts),
      negLogP: negLogDensity(h.counts, h.range, inRange),
      mixture,
    };
  });

  let pred: PredictiveSummary | null = null;
  if (r.predictive && predictive) {
    const { size, sums, samples } = r.predictive;
    const n = samples.length;
    const total = new Float64Array(size);
    const own = new Float64Array(size);
    let count = 0;
    let used = 0;
    const per: Record<string, number[]> = {};
    for (let i = 0; i < n; i++) {
      const m = samples[i];
      if (!(m > 0)) continue;
      used++;
      count += m;
      for (let j = 0; j < size; j++) {
        total[j] += sums[i * size + j];
        own[j] = sums[i * size + j] / m;
      }
      for (const [k, v] of Object.entries(predictive.metrics(own, 0))) (per[k] ??= []).push(v);
    }
    if (used < n) warnings.push(`posterior predictive: ${n - used} of ${n} replicas have no finite prediction (diverged) and are left out`);
    if (count > 0) for (let j = 0; j < size; j++) total[j] /= count;
    const perReplica: PredictiveSummary['perReplica'] = {};
    for (const [k, v] of Object.entries(per)) {
      const mean = v.reduce((a, b) => a + b, 0) / v.length;
      const sd = v.length > 1 ? Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / (v.length - 1)) : NaN;
      perReplica[k] = { n: v.length, mean, sem: sd / Math.sqrt(v.length) };
    }
    pred = {
      points: r.predictive.points,
      set: predictive.set ?? 'held-out',
      size,
      samples: count,
      replicas: used,
      posteriorMean: count > 0 ? predictive.metrics(total, 0) : {},
      perReplica,
    };
  }

  return {
    burnIn: spec.burn_in,
    thin: spec.thin,
    samplesPerReplica: nS,
    firstSampleStep: r.steps[0],
    lastSampleStep: r.steps[nS - 1],
    chains,
    posterior,
    predictive: pred,
    warnings,
  };
}

/** chains.csv: `replica,sample,step,<obs>…`, one row per replica per sample (empty cells after a divergence). */
export function chainsCsvRows(r: SamplingResult, replicaIds?: Int32Array): { header: string[]; rows: Array<Array<number | null>> } {
  const nC = r.chains.length;
  const nS = r.steps.length;
  const replicas = nC > 0 && nS > 0 ? r.values.length / (nC * nS) : 0;
  const rows: Array<Array<number | null>> = [];
  for (let i = 0; i < replicas; i++)
    for (let s = 0; s < nS; s++) {
      const row: Array<number | null> = [replicaIds ? replicaIds[i] : i, s, r.steps[s]];
      for (let k = 0; k < nC; k++) row.push(r.values[(i * nC + k) * nS + s]);
      rows.push(row);
    }
  return { header: ['replica', 'sample', 'step', ...r.chains], rows };
}

const finite = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/**
 * The sweep.csv columns of the points' `sampling` blocks (none when no point
 * has one): per chain observable `<obs>_post_mean,<obs>_post_mcse,<obs>_ess,<obs>_rhat`;
 * per predictive metric `pred_<metric>` (the posterior-mean predictor) and
 * `pred_<metric>_mean,pred_<metric>_sem` (over the replicas' own posterior means).
 */
export function samplingColumns(summaries: Array<{ sampling?: SamplingSummary }>): {
  header: string[];
  row: (s: { sampling?: SamplingSummary }) => Array<number | null>;
  chains: string[];
  metrics: string[];
} {
  const chains: string[] = [];
  const metrics: string[] = [];
  for (const s of summaries) {
    for (const o of Object.keys(s.sampling?.chains ?? {})) if (!chains.includes(o)) chains.push(o);
    const p = s.sampling?.predictive;
    for (const m of [...Object.keys(p?.posteriorMean ?? {}), ...Object.keys(p?.perReplica ?? {})])
      if (!metrics.includes(m)) metrics.push(m);
  }
  const header = [
    ...chains.flatMap((o) => [`${o}_post_mean`, `${o}_post_mcse`, `${o}_ess`, `${o}_rhat`]),
    ...metrics.flatMap((m) => [`pred_${m}`, `pred_${m}_mean`, `pred_${m}_sem`]),
  ];
  const row = (s: { sampling?: SamplingSummary }) => {
    const out: Array<number | null> = [];
    for (const o of chains) {
      const c = s.sampling?.chains[o];
      out.push(finite(c?.mean), finite(c?.mcse), finite(c?.ess), finite(c?.rhat));
    }
    for (const m of metrics) {
      const p = s.sampling?.predictive;
      const r = p?.perReplica[m];
      out.push(finite(p?.posteriorMean[m]), finite(r?.mean), finite(r?.sem));
    }
    return out;
  };
  return { header, row, chains, metrics };
}
