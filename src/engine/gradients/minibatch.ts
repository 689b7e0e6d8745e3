/**
 * Minibatch gradients (Welling & Teh 2011): each replica draws B data indices
 * uniformly with replacement from its own batch stream (independent of its
 * noise stream, so the draw does not depend on sharding), and the potential
 * returns the unbiased estimate (N/B) Σ_{i∈batch} ∇f_i of the full-data
 * gradient (and energy).
 */
import type { EnsembleState, Potential } from '../types.js';
import { nextU32 } from '../../random/rng.js';
import type { GradientEstimator } from './types.js';

/** Draw each replica's batch indices into `state.batch.indices` (row r for replica r). */
export function drawMinibatch(state: EnsembleState, dataSize: number): void {
  const batch = state.batch;
  if (!batch) return;
  const B = batch.size;
  const idx = batch.indices;
  const rng = state.batchRng;
  for (let r = 0; r < state.count; r++) {
    const o = r * 4;
    const base = r * B;
    for (let k = 0; k < B; k++) idx[base + k] = Math.floor((nextU32(rng, o) / 4294967296) * dataSize);
  }
}

export const minibatch: GradientEstimator = {
  name: 'minibatch',
  exact: false,
  estimate(state: EnsembleState, potential: Potential): void {
    if (!state.batch) throw new Error(`minibatch gradients need a state allocated with a batch size (createState batchSize)`);
    if (!potential.dataSize) throw new Error(`potential '${potential.name}' has no data: minibatch gradients need a dataSize`);
    drawMinibatch(state, potential.dataSize);
    potential.energyAndGradient(state.x, state.count, state.energy, state.grad, state.batch);
    state.cacheStep = state.step;
  },
};

/** Minibatch when the state carries a batch buffer, full batch otherwise (the states of a run decide). */
export const autoBatch: GradientEstimator = {
  name: 'auto',
  exact: true,
  estimate(state: EnsembleState, potential: Potential): void {
    if (state.batch) drawMinibatch(state, potential.dataSize as number);
    potential.energyAndGradient(state.x, state.count, state.energy, state.grad, state.batch);
    state.cacheStep = state.step;
  },
};
