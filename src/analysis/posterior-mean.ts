/**
 * Posterior means read from a merged run, shared by the theory overlays that
 * compare a sampled posterior with a closed-form or GP prediction: the mean
 * of a sampled chain, and the metrics of the posterior-mean predictor (the
 * average prediction over every sample of every replica, as
 * `sampling.predictive.posteriorMean` of summary.json).
 */
import type { Potential } from '../engine/types.js';
import type { RunResult } from '../parallel/merge.js';

/** Mean over every finite sample of every replica of one chain, or null when the run did not sample it. */
export function chainMean(r: RunResult, name: string): number | null {
  const smp = r.sampling;
  if (!smp) return null;
  const k = smp.chains.indexOf(name);
  if (k < 0) return null;
  const nS = smp.steps.length;
  const nC = smp.chains.length;
  const count = smp.values.length / (nC * nS);
  let sum = 0;
  let n = 0;
  for (let rep = 0; rep < count; rep++)
    for (let i = 0; i < nS; i++) {
      const v = smp.values[(rep * nC + k) * nS + i];
      if (Number.isFinite(v)) {
        sum += v;
        n++;
      }
    }
  return n > 0 ? sum / n : null;
}

/** The metrics of the posterior-mean predictor (the potential's `predictive.metrics`), or null when the run has no predictive. */
export function posteriorMeanMetrics(r: RunResult, potential: Potential): Record<string, number> | null {
  const pr = r.sampling?.predictive;
  if (!pr || !potential.predictive) return null;
  const total = new Float64Array(pr.size);
  let count = 0;
  for (let rep = 0; rep < pr.samples.length; rep++) {
    const m = pr.samples[rep];
    if (!(m > 0)) continue;
    count += m;
    for (let j = 0; j < pr.size; j++) total[j] += pr.sums[rep * pr.size + j];
  }
  if (count === 0) return null;
  for (let j = 0; j < pr.size; j++) total[j] /= count;
  return potential.predictive.metrics(total, 0);
}
