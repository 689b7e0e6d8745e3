/**
 * Initial positions of a shard, drawn from each replica's own stream (so the
 * initial ensemble does not depend on sharding either).
 */
import type { EnsembleState, Potential } from './types.js';
import { normal, uniform53 } from '../random/rng.js';

export type InitialCondition =
  | { kind: 'point'; x: number[] }
  | { kind: 'normal'; mean: number[]; std: number[] }
  | { kind: 'uniform'; low: number[]; high: number[] }
  | { kind: 'potential' };

function broadcast(v: number[], dim: number, what: string): Float64Array {
  if (v.length === dim) return Float64Array.from(v);
  if (v.length === 1) return new Float64Array(dim).fill(v[0]);
  throw new Error(`ensemble.init.${what}: has ${v.length} entries, expected 1 or dim = ${dim}`);
}

export function initialise(state: EnsembleState, potential: Potential, init: InitialCondition): void {
  const { x, rng, count, dim } = state;
  switch (init.kind) {
    case 'point': {
      const p = broadcast(init.x, dim, 'x');
      for (let r = 0; r < count; r++) x.set(p, r * dim);
      return;
    }
    case 'normal': {
      const m = broadcast(init.mean, dim, 'mean');
      const s = broadcast(init.std, dim, 'std');
      for (let r = 0; r < count; r++) for (let j = 0; j < dim; j++) x[r * dim + j] = m[j] + s[j] * normal(rng, r << 2);
      return;
    }
    case 'uniform': {
      const lo = broadcast(init.low, dim, 'low');
      const hi = broadcast(init.high, dim, 'high');
      for (let r = 0; r < count; r++) for (let j = 0; j < dim; j++) x[r * dim + j] = lo[j] + (hi[j] - lo[j]) * uniform53(rng, r << 2);
      return;
    }
    case 'potential': {
      if (!potential.initialise) {
        // No initialiser of its own: start at the origin.
        x.fill(0);
        return;
      }
      for (let r = 0; r < count; r++) {
        const o = r << 2;
        potential.initialise(
          x,
          r * dim,
          () => normal(rng, o),
          () => uniform53(rng, o),
        );
      }
      return;
    }
  }
}
