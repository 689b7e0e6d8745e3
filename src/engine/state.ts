/**
 * Allocation of a shard's ensemble state (once per run, never per step).
 */
import type { EnsembleState, Minibatch } from './types.js';
import { seedStream } from './rng.js';

export interface StateOptions {
  count: number;
  dim: number;
  firstReplica: number;
  seed: number;
  run: number;
  momenta: boolean;
  /** Minibatch size, when the integrator draws minibatches. */
  batchSize?: number;
}

export function createState(o: StateOptions): EnsembleState {
  const rng = new Uint32Array(o.count * 4);
  for (let r = 0; r < o.count; r++) seedStream(rng, r, o.seed, o.run, o.firstReplica + r);
  const batchRng = new Uint32Array(o.batchSize ? o.count * 4 : 0);
  if (o.batchSize) for (let r = 0; r < o.count; r++) seedStream(batchRng, r, o.seed, o.run, o.firstReplica + r, 'batch');
  const batch: Minibatch | undefined = o.batchSize
    ? { size: o.batchSize, indices: new Int32Array(o.count * o.batchSize) }
    : undefined;
  return {
    count: o.count,
    dim: o.dim,
    firstReplica: o.firstReplica,
    x: new Float64Array(o.count * o.dim),
    energy: new Float64Array(o.count),
    grad: new Float64Array(o.count * o.dim),
    v: new Float64Array(o.momenta ? o.count * o.dim : 0),
    rng,
    batchRng,
    frozen: new Uint8Array(o.count),
    divergedAt: new Float64Array(o.count).fill(-1),
    divergedReason: new Uint8Array(o.count),
    step: 0,
    frozenCount: 0,
    batch,
  };
}
