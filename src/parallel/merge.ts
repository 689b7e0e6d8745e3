/**
 * Deterministic merge of shard results in replica order. Per-replica arrays
 * concatenate, block moments concatenate (reduced later in block order),
 * integer counts add. The result is the same for any shard plan made of
 * whole blocks.
 */
import { QuantileSketch } from '../stats/quantile-sketch.js';
import type { SamplingResult, ShardResult, TraceResult } from '../observables/results.js';

/** Replicas of a run that have no result: their shard failed twice, or the run was interrupted first. */
export interface ReplicaGap {
  firstReplica: number;
  count: number;
  status: 'failed' | 'interrupted';
  /** The reason of each failed attempt (empty when interrupted before an attempt failed). */
  errors: string[];
  /** Where the exception of the shard's own code was thrown (its stack, in the worker), when that was the failure. */
  stack?: string;
}

/**
 * A merged run. `count` is the number of replicas with results; with gaps
 * (`missing` non-empty) every per-replica array holds only those replicas, in
 * replica order, and `replicaIds[i]` is the replica index of entry i.
 */
export interface RunResult extends Omit<ShardResult, 'wallSeconds' | 'firstReplica'> {
  shardWallSeconds: number[];
  /** Replicas asked for (ensemble.replicas). */
  requested: number;
  /** Ranges of replicas without results, in replica order ([] for a complete run). */
  missing: ReplicaGap[];
  /** Present only when `missing` is non-empty: the replica index of each entry. */
  replicaIds?: Int32Array;
}

/** The replica index of entry i of a run (i itself unless replicas are missing). */
export function replicaId(r: Pick<RunResult, 'replicaIds'>, i: number): number {
  return r.replicaIds ? r.replicaIds[i] : i;
}

function concat(arrays: Float64Array[]): Float64Array {
  const out = new Float64Array(arrays.reduce((n, a) => n + a.length, 0));
  let o = 0;
  for (const a of arrays) {
    out.set(a, o);
    o += a.length;
  }
  return out;
}

function concatU8(arrays: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let o = 0;
  for (const a of arrays) {
    out.set(a, o);
    o += a.length;
  }
  return out;
}

function mergeTraces(parts: TraceResult[]): TraceResult {
  const first = parts[0];
  const sketches = first.sketches.map((_, i) => {
    const s = QuantileSketch.fromJSON(parts[0].sketches[i] as never);
    for (let p = 1; p < parts.length; p++) s.merge(QuantileSketch.fromJSON(parts[p].sketches[i] as never));
    return s.toJSON();
  });
  return {
    steps: first.steps,
    observables: first.observables,
    blocks: parts.reduce((n, p) => n + p.blocks, 0),
    moments: concat(parts.map((p) => p.moments)),
    sketches,
  };
}

/** Sampling results in replica order: chain values and predictive sums concatenate, histogram counts add. */
function mergeSampling(parts: SamplingResult[]): SamplingResult {
  const first = parts[0];
  return {
    steps: first.steps,
    chains: first.chains,
    values: concat(parts.map((p) => p.values)),
    posterior: first.posterior.map((h, i) => {
      const counts = new Float64Array(h.bins);
      let underflow = 0,
        overflow = 0,
        samples = 0;
      for (const p of parts) {
        const q = p.posterior[i];
        for (let b = 0; b < h.bins; b++) counts[b] += q.counts[b];
        underflow += q.underflow;
        overflow += q.overflow;
        samples += q.samples;
      }
      return { ...h, counts, underflow, overflow, samples, chains: concat(parts.map((p) => p.posterior[i].chains)) };
    }),
    predictive: first.predictive
      ? {
          size: first.predictive.size,
          points: first.predictive.points,
          sums: concat(parts.map((p) => p.predictive!.sums)),
          samples: concat(parts.map((p) => p.predictive!.samples)),
        }
      : null,
  };
}

export interface MergeOptions {
  /** Replica ranges known to be without results (failed or interrupted shards). */
  missing?: ReplicaGap[];
  /**
   * A result with no replicas of the same run (same recorders), used for the
   * shapes when every shard is missing.
   */
  empty?: ShardResult;
}

export function mergeShards(shards: ShardResult[], o: MergeOptions = {}): RunResult {
  const missing = [...(o.missing ?? [])].sort((a, b) => a.firstReplica - b.firstReplica);
  const parts = [...shards].sort((a, b) => a.firstReplica - b.firstReplica);
  // The shards and the gaps must tile 0…requested−1 without overlap.
  const pieces = [
    ...parts.map((p) => ({ first: p.firstReplica, count: p.count })),
    ...missing.map((g) => ({ first: g.firstReplica, count: g.count })),
  ].sort((a, b) => a.first - b.first);
  let expect = 0;
  for (const p of pieces) {
    if (p.first !== expect) throw new Error(`merge: replicas ${expect}…${p.first - 1} are missing`);
    expect += p.count;
  }
  if (parts.length === 0) {
    if (!o.empty) throw new Error('merge: no shard results and no empty result for the shapes');
    parts.push(o.empty);
  }
  const first = parts[0];
  const count = parts.reduce((n, p) => n + p.count, 0);
  let replicaIds: Int32Array | undefined;
  if (missing.length > 0) {
    replicaIds = new Int32Array(count);
    let k = 0;
    for (const p of parts) for (let j = 0; j < p.count; j++) replicaIds[k++] = p.firstReplica + j;
  }
  return {
    count,
    requested: expect,
    missing,
    ...(replicaIds ? { replicaIds } : {}),
    steps: first.steps,
    traces: mergeTraces(parts.map((p) => p.traces)),
    histograms: first.histograms.map((h, i) => {
      const counts = new Float64Array(h.bins);
      let underflow = 0,
        overflow = 0,
        samples = 0;
      for (const p of parts) {
        const q = p.histograms[i];
        for (let b = 0; b < h.bins; b++) counts[b] += q.counts[b];
        underflow += q.underflow;
        overflow += q.overflow;
        samples += q.samples;
      }
      return { ...h, counts, underflow, overflow, samples };
    }),
    events: first.events.map((e, i) => ({ name: e.name, firstStep: concat(parts.map((p) => p.events[i].firstStep)) })),
    finals: { observables: first.finals.observables, values: concat(parts.map((p) => p.finals.values)) },
    ...(first.sampling ? { sampling: mergeSampling(parts.map((p) => p.sampling!)) } : {}),
    ...(first.stepSizes ? { stepSizes: first.stepSizes } : {}),
    divergedAt: concat(parts.map((p) => p.divergedAt)),
    divergedReason: concatU8(parts.map((p) => p.divergedReason)),
    shardWallSeconds: parts.filter((p) => p !== o.empty).map((p) => p.wallSeconds),
  };
}
