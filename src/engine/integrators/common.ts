/**
 * Pieces shared by the integrators: gradient evaluation at the current
 * positions (full batch or a fresh minibatch per replica), divergence marking.
 */
import { DivergenceReason, type EnsembleState, type Potential } from '../types.js';
import { nextU32 } from '../../random/rng.js';

/** Positions beyond this magnitude count as diverged (before x⁴ terms overflow). */
export const DIVERGENCE_LIMIT = 1e100;

/**
 * Evaluate energy and gradient at the current positions into the state's caches.
 * With a minibatch, each replica first draws its batch (with replacement) from
 * its own batch stream (independent of its noise stream), so the draw does
 * not depend on sharding.
 */
export function evaluate(state: EnsembleState, potential: Potential): void {
  const batch = state.batch;
  if (batch) {
    const n = potential.dataSize as number;
    const B = batch.size;
    const idx = batch.indices;
    const rng = state.batchRng;
    for (let r = 0; r < state.count; r++) {
      const o = r * 4;
      const base = r * B;
      for (let k = 0; k < B; k++) idx[base + k] = Math.floor((nextU32(rng, o) / 4294967296) * n);
    }
  }
  potential.energyAndGradient(state.x, state.count, state.energy, state.grad, batch);
  state.cacheStep = state.step;
  // A non-finite gradient makes the next update non-finite, which freezes the
  // replica then (reason: non-finite position); energies are checked at
  // observation points by checkEnergies, not every step.
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
