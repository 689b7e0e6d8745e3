/**
 * The recorder of a scenario's `sampling:` section: at the sample steps
 * (burn_in, burn_in + thin, … ≤ steps) it stores each replica's chain values,
 * adds the values of the posterior observables (all units) to pooled
 * histograms, and sums each replica's posterior-predictive outputs.
 *
 * Everything merges exactly (results.ts): chain values and predictive sums are
 * per replica (concatenated in replica order; each replica's sum runs over its
 * own samples in step order), histogram counts are integers. A replica that
 * has diverged (frozen) contributes NaN chain values and nothing else from
 * then on. For the effective sample size of each posterior histogram the
 * per-unit chains of the first replicas are kept too (all of them unless
 * replicas × units × samples exceeds POSTERIOR_CHAIN_VALUES).
 */
import type { EnsembleState, Observer, PosteriorPredictive, Potential } from '../engine/types.js';
import type { PosteriorSpec, SamplingSpec } from './sampling-spec.js';
import { createObservableSet, resolveUnitObservable, type Observable, type UnitObservable } from './observables.js';
import type { PosteriorHistogramResult, SamplingResult } from './results.js';

/** The sample steps: burn_in, burn_in + thin, … up to and including `steps` when it falls on the grid. */
export function samplingSteps(burnIn: number, thin: number, steps: number): number[] {
  const out: number[] = [];
  for (let s = burnIn; s <= steps; s += thin) out.push(s);
  return out;
}

/** Whether the posterior-predictive is recorded: `sampling.predictive`, default on when the potential has one. */
export function predictiveEnabled(spec: SamplingSpec, potential: Pick<Potential, 'predictive'>): boolean {
  return (spec.predictive ?? true) && !!potential.predictive;
}

/** Per-unit chain values kept per posterior histogram for its effective sample size (8 bytes each: 16 MB). */
export const POSTERIOR_CHAIN_VALUES = 2e6;

/**
 * Replicas whose per-unit chains are kept for a posterior histogram: all of
 * them when replicas × units × samples ≤ POSTERIOR_CHAIN_VALUES, else the first
 * ones that fit (at least 2). Depends on the ensemble only, never on the shards.
 */
export function posteriorChainReplicas(replicas: number, units: number, samples: number): number {
  return Math.min(replicas, Math.max(2, Math.floor(POSTERIOR_CHAIN_VALUES / Math.max(1, units * samples))));
}

interface PosteriorAcc {
  spec: PosteriorSpec;
  obs: UnitObservable;
  counts: Float64Array;
  underflow: number;
  overflow: number;
  samples: number;
  chainReplicas: number;
  /** Replicas of this shard whose chains are kept (the shard's first ones). */
  local: number;
  chains: Float64Array;
}

export class SamplingRecorder implements Observer {
  readonly at: number[];
  private readonly values: Float64Array;
  private readonly buf: Float64Array;
  private readonly posterior: PosteriorAcc[];
  private unitBuf: Float64Array;
  private readonly sums: Float64Array;
  private readonly predSamples: Float64Array;
  private readonly predBuf: Float64Array;

  /**
   * @param count replicas of the shard; @param shardFirst its first replica
   * (observers are called with tile views inside the shard); @param replicas
   * the ensemble's size.
   */
  constructor(
    spec: SamplingSpec,
    private readonly chains: Observable[],
    posterior: Array<{ spec: PosteriorSpec; obs: UnitObservable }>,
    private readonly predictive: PosteriorPredictive | null,
    steps: number,
    private readonly count: number,
    private readonly shardFirst: number,
    replicas: number,
  ) {
    this.at = samplingSteps(spec.burn_in, spec.thin, steps);
    const nS = this.at.length;
    this.values = new Float64Array(count * chains.length * nS);
    this.buf = new Float64Array(count);
    this.posterior = posterior.map((p) => {
      const chainReplicas = posteriorChainReplicas(replicas, p.obs.units, nS);
      const local = Math.max(0, Math.min(shardFirst + count, chainReplicas) - shardFirst);
      return {
        ...p,
        counts: new Float64Array(p.spec.bins),
        underflow: 0,
        overflow: 0,
        samples: 0,
        chainReplicas,
        local,
        chains: new Float64Array(local * p.obs.units * nS),
      };
    });
    this.unitBuf = new Float64Array(0);
    const size = predictive?.size ?? 0;
    this.sums = new Float64Array(count * size);
    this.predSamples = new Float64Array(predictive ? count : 0);
    this.predBuf = new Float64Array(count * size);
  }

  observe(state: EnsembleState, _p: Potential, _step: number, index: number): void {
    const off = state.firstReplica - this.shardFirst;
    const n = state.count;
    const frozen = state.frozen;
    const nChains = this.chains.length;
    const nSamples = this.at.length;
    for (let k = 0; k < nChains; k++) {
      this.chains[k].evaluate(state, this.buf);
      for (let r = 0; r < n; r++) this.values[((off + r) * nChains + k) * nSamples + index] = frozen[r] !== 0 ? NaN : this.buf[r];
    }
    for (const h of this.posterior) {
      const units = h.obs.units;
      if (this.unitBuf.length < n * units) this.unitBuf = new Float64Array(this.count * units);
      h.obs.evaluate(state, this.unitBuf);
      const [lo, hi] = h.spec.range;
      const bins = h.spec.bins;
      const scale = bins / (hi - lo);
      for (let r = 0; r < n; r++) {
        if (off + r < h.local)
          for (let u = 0; u < units; u++)
            h.chains[((off + r) * units + u) * nSamples + index] = frozen[r] !== 0 ? NaN : this.unitBuf[r * units + u];
        if (frozen[r] !== 0) continue;
        for (let u = 0; u < units; u++) {
          const v = this.unitBuf[r * units + u];
          if (v !== v) continue;
          h.samples++;
          if (v < lo) h.underflow++;
          else if (v >= hi) {
            if (v === hi) h.counts[bins - 1]++;
            else h.overflow++;
          } else h.counts[Math.min(bins - 1, Math.floor((v - lo) * scale))]++;
        }
      }
    }
    const pred = this.predictive;
    if (pred) {
      const size = pred.size;
      pred.predict(state.x, n, this.predBuf);
      for (let r = 0; r < n; r++) {
        if (frozen[r] !== 0) continue;
        let finite = true;
        for (let j = 0; j < size && finite; j++) finite = Number.isFinite(this.predBuf[r * size + j]);
        if (!finite) continue;
        const o = (off + r) * size;
        for (let j = 0; j < size; j++) this.sums[o + j] += this.predBuf[r * size + j];
        this.predSamples[off + r]++;
      }
    }
  }

  saveState(): unknown {
    return {
      samples: this.at.length,
      values: this.values.slice(),
      posterior: this.posterior.map((h) => ({
        counts: h.counts.slice(),
        underflow: h.underflow,
        overflow: h.overflow,
        samples: h.samples,
        chains: h.chains.slice(),
      })),
      sums: this.sums.slice(),
      predSamples: this.predSamples.slice(),
    };
  }

  loadState(saved: unknown): void {
    const s = saved as {
      samples: number;
      values: Float64Array;
      posterior: Array<{ counts: Float64Array; underflow: number; overflow: number; samples: number; chains: Float64Array }>;
      sums: Float64Array;
      predSamples: Float64Array;
    };
    // Rows of samples: from a shorter run's recorder (a run extended in steps), its samples go first in each row.
    const n0 = s.samples;
    const n1 = this.at.length;
    const rows = (into: Float64Array, from: Float64Array) => {
      for (let r = 0; r * n1 < into.length; r++) into.set(from.subarray(r * n0, (r + 1) * n0), r * n1);
    };
    rows(this.values, s.values);
    this.posterior.forEach((h, i) => {
      const p = s.posterior[i];
      h.counts.set(p.counts);
      h.underflow = p.underflow;
      h.overflow = p.overflow;
      h.samples = p.samples;
      rows(h.chains, p.chains);
    });
    this.sums.set(s.sums);
    this.predSamples.set(s.predSamples);
  }

  result(): SamplingResult {
    const posterior: PosteriorHistogramResult[] = this.posterior.map((h) => ({
      of: h.spec.of,
      units: h.obs.units,
      bins: h.spec.bins,
      range: h.spec.range,
      counts: h.counts,
      underflow: h.underflow,
      overflow: h.overflow,
      samples: h.samples,
      chainReplicas: h.chainReplicas,
      chains: h.chains,
    }));
    return {
      steps: this.at,
      chains: this.chains.map((c) => c.name),
      values: this.values,
      posterior,
      predictive: this.predictive
        ? { size: this.predictive.size, points: this.predictive.points, sums: this.sums, samples: this.predSamples }
        : null,
    };
  }
}

/** The recorder of `spec` for one shard of `count` replicas starting at `firstReplica`. */
export function createSamplingRecorder(
  spec: SamplingSpec,
  potential: Potential,
  steps: number,
  count: number,
  firstReplica: number,
  replicas: number,
): SamplingRecorder {
  const posterior = spec.posterior.map((p) => ({ spec: p, obs: resolveUnitObservable(p.of, potential) }));
  const predictive = predictiveEnabled(spec, potential) ? potential.predictive! : null;
  return new SamplingRecorder(
    spec,
    createObservableSet(spec.chains, potential),
    posterior,
    predictive,
    steps,
    count,
    firstReplica,
    replicas,
  );
}
