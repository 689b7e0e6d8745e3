/**
 * Mergeable, structured-clone-friendly results of one shard. Merging is
 * deterministic: per-replica arrays concatenate in replica order, moment
 * accumulators are kept per fixed-size block of replicas (independent of the
 * number of workers) and reduced in block order, histogram counts and sketch
 * bucket counts are integers and add exactly.
 */

/** Largest number of replicas per accumulation block. */
export const BLOCK = 1024;

/**
 * Replicas per accumulation block for an ensemble of `replicas`: a power of two,
 * at most BLOCK, and small enough that the ensemble has about 16 blocks (so a
 * small ensemble of large networks still splits over the workers). It depends
 * on the ensemble size only, never on the number of workers, so every merged
 * number is the same whatever the shard plan.
 */
export function blockSize(replicas: number): number {
  let b = 1;
  while (b * 2 <= BLOCK && b * 2 * 16 <= replicas) b *= 2;
  return b;
}

/** n, mean, M2 triples: `[block][grid][observable][3]`. */
export interface TraceResult {
  steps: number[];
  observables: string[];
  /** Number of blocks covered and their moment triples. */
  blocks: number;
  moments: Float64Array;
  /** Quantile sketches `[grid][observable]` as JSON. */
  sketches: unknown[];
}

export interface HistogramResult {
  of: string;
  bins: number;
  range: [number, number];
  at: 'final' | 'grid';
  from: number;
  counts: Float64Array;
  underflow: number;
  overflow: number;
  /** Samples that were NaN (diverged replicas are excluded before this). */
  samples: number;
}

export interface EventResult {
  name: string;
  /** Per replica: step of first entry, or NaN if it never entered (censored). */
  firstStep: Float64Array;
}

export interface FinalsResult {
  observables: string[];
  /** `count × observables`, replica-major. */
  values: Float64Array;
}

/** A posterior histogram pooled over units, replicas and samples (integer counts). */
export interface PosteriorHistogramResult {
  of: string;
  /** Values per replica per sample (1 for a scalar observable). */
  units: number;
  bins: number;
  range: [number, number];
  counts: Float64Array;
  underflow: number;
  overflow: number;
  /** Finite values seen (in range or not); diverged replicas and NaNs are excluded. */
  samples: number;
  /**
   * Per-unit chains of the first `chainReplicas` replicas (for the effective
   * sample size of the pooled values): `chains[((r * units) + u) * samples + s]`,
   * NaN after a replica diverged.
   */
  chainReplicas: number;
  chains: Float64Array;
}

/** Sums of a potential's predictions per replica over its samples (posterior-predictive). */
export interface PredictiveResult {
  /** Predicted values per replica. */
  size: number;
  /** Held-out points. */
  points: number;
  /** `count × size`: per replica, the sum of its predictions over its samples. */
  sums: Float64Array;
  /** Per replica: samples summed (diverged replicas stop at their divergence). */
  samples: Float64Array;
}

/** What `sampling:` records: chains, pooled histograms, predictive sums. */
export interface SamplingResult {
  /** The sample steps (burn_in, burn_in + thin, …). */
  steps: number[];
  /** Chain observables, in order. */
  chains: string[];
  /** `[replica][chain][sample]`: `values[(r * chains + k) * samples + s]`; NaN after a replica diverged. */
  values: Float64Array;
  posterior: PosteriorHistogramResult[];
  predictive: PredictiveResult | null;
}

export interface ShardResult {
  firstReplica: number;
  count: number;
  traces: TraceResult;
  histograms: HistogramResult[];
  events: EventResult[];
  finals: FinalsResult;
  /** Present when the scenario has a `sampling:` section. */
  sampling?: SamplingResult;
  /**
   * The shard's final state (a ShardSnapshot of src/parallel/shard-runner.ts,
   * every tile at the last step), when the shard was asked to keep it: a
   * longer run of the same scenario goes on from it.
   */
  final?: unknown;
  /** The step sizes chosen by `dynamics.step_size` (identical in every shard). */
  stepSizes?: { curvature: number; perProbe: number[]; lr: Record<string, number>; preconditioner: Record<string, number> };
  divergedAt: Float64Array;
  divergedReason: Uint8Array;
  steps: number;
  wallSeconds: number;
}
