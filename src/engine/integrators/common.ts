/**
 * Pieces shared by the integrators: divergence marking, and `evaluate` (the
 * default gradient estimator, for callers outside an integrator).
 */
import { DivergenceReason, type EnsembleState, type Potential } from '../types.js';
import { autoBatch } from '../gradients/minibatch.js';
import { normal } from '../../random/rng.js';

/** Positions beyond this magnitude count as diverged (before x⁴ terms overflow). */
export const DIVERGENCE_LIMIT = 1e100;

/**
 * Evaluate energy and gradient at the current positions into the state's
 * caches: a minibatch estimate when the state carries a batch buffer, the
 * full batch otherwise (the `auto` gradient estimator, see ../gradients/).
 */
export function evaluate(state: EnsembleState, potential: Potential): void {
  autoBatch.estimate(state, potential);
}

/** Freeze replicas whose cached energy is non-finite (called at observation points). */
export function checkEnergies(state: EnsembleState): void {
  if (state.cacheStep !== state.step) return;
  const E = state.energy;
  for (let r = 0; r < state.count; r++) {
    const e = E[r];
    if (e - e !== 0 && state.frozen[r] === 0) freeze(state, r, DivergenceReason.nonFiniteEnergy);
  }
}

export function freeze(state: EnsembleState, r: number, reason: number): void {
  state.frozen[r] = 1;
  state.divergedAt[r] = state.step;
  state.divergedReason[r] = reason;
  state.frozenCount++;
}

/** Is a freshly updated coordinate acceptable? NaN fails both comparisons. */
export function inBounds(v: number): boolean {
  return v < DIVERGENCE_LIMIT && v > -DIVERGENCE_LIMIT;
}

export function reasonFor(v: number): number {
  return Number.isFinite(v) ? DivergenceReason.positionTooLarge : DivergenceReason.nonFinitePosition;
}

/**
 * Initial momenta of the underdamped integrators: thermal draws v_j ~ N(0, θ_j)
 * from each replica's own stream (`vStd[j] = √θ_j`, unit mass), or zeros.
 */
export function drawMomenta(state: EnsembleState, vStd: Float64Array, momenta: 'thermal' | 'zero'): void {
  const { v, rng, count, dim } = state;
  for (let r = 0; r < count; r++) {
    for (let j = 0; j < dim; j++) v[r * dim + j] = momenta === 'thermal' ? vStd[j] * normal(rng, r << 2) : 0;
  }
}
