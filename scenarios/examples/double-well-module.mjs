/**
 * A user-defined potential as a plain ES module: the double well
 * f(x) = h (x² − 1)² (docs/models.md §1.2), written against stochdyn's Potential
 * contract (src/engine/types.ts). stochdyn imports this file and calls
 * createPotential(params, ctx) once per shard; energyAndGradient is then called
 * once per step for all replicas of the shard.
 *
 * @param {{ h?: number }} params  from the scenario's `potential.params`
 * @param {{ seed: number, run: number }} _ctx  the run's seed (for data sets)
 */
export function createPotential(params, _ctx) {
  const h = params.h ?? 1;
  if (!(typeof h === 'number' && h > 0)) throw new Error(`h must be a number > 0, got ${JSON.stringify(params.h)}`);
  return {
    name: 'double-well-module',
    dim: 1,
    coordinates: ['x'],
    groups: [{ name: 'x', offset: 0, size: 1 }],
    minima: [[-1], [1]],
    /**
     * Fill energy[r] and grad[r] for replicas r = 0 … count−1 (flat,
     * replica-major arrays; dim = 1 here). Must not allocate: it runs every step.
     */
    energyAndGradient(x, count, energy, grad) {
      for (let r = 0; r < count; r++) {
        const xi = x[r];
        const s = xi * xi - 1;
        energy[r] = h * s * s;
        grad[r] = 4 * h * xi * s;
      }
    },
  };
}
