/** The exact full-data energy and gradient: one batched potential call. */
import type { EnsembleState, Potential } from '../types.js';
import type { GradientEstimator } from './types.js';

export const fullBatch: GradientEstimator = {
  name: 'full',
  exact: true,
  estimate(state: EnsembleState, potential: Potential): void {
    potential.energyAndGradient(state.x, state.count, state.energy, state.grad);
    state.cacheStep = state.step;
    // A non-finite gradient makes the next update non-finite, which freezes the
    // replica then (reason: non-finite position); energies are checked at
    // observation points by checkEnergies, not every step.
  },
};
