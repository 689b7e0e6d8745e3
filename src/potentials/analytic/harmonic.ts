/**
 * Harmonic well f(x) = ½ Σ_j k_j (x_j − c_j)²: the Ornstein–Uhlenbeck process
 * under overdamped Langevin dynamics (closed forms in theory/ornstein-uhlenbeck.ts).
 */
import type { Potential } from '../../engine/types.js';
import { defaultCoordinates, registerPotential, singleGroup } from '../registry.js';

export function harmonic(k: number[], centre: number[]): Potential {
  const dim = k.length;
  const K = Float64Array.from(k);
  const C = Float64Array.from(centre);
  return {
    name: 'harmonic',
    dim,
    coordinates: defaultCoordinates(dim),
    groups: singleGroup(dim),
    minima: [Array.from(C)],
    energyAndGradient(x, count, energy, grad) {
      for (let r = 0; r < count; r++) {
        let e = 0;
        const base = r * dim;
        for (let j = 0; j < dim; j++) {
          const d = x[base + j] - C[j];
          const g = K[j] * d;
          grad[base + j] = g;
          e += 0.5 * g * d;
        }
        energy[r] = e;
      }
    },
    // 1-D: the same expression as the batched gradient, for the fused integrator path.
    gradient1D: dim === 1 ? (x: number) => K[0] * (x - C[0]) : undefined,
  };
}

function broadcast(v: unknown, dim: number, name: string): number[] {
  if (typeof v === 'number') return new Array(dim).fill(v);
  const a = v as number[];
  if (a.length !== dim) throw new Error(`harmonic: ${name} has ${a.length} entries, expected dim = ${dim}`);
  return a;
}

registerPotential({
  name: 'harmonic',
  description: '½ Σ k_j (x_j − c_j)² in d dimensions (Ornstein–Uhlenbeck)',
  paramsSchema: {
    type: 'object',
    properties: {
      dim: { type: 'integer', minimum: 1, default: 1 },
      k: {
        default: 1,
        description: 'stiffness: a number or one per dimension',
        oneOf: [
          { type: 'number', exclusiveMinimum: 0 },
          { type: 'array', items: { type: 'number', exclusiveMinimum: 0 }, minItems: 1 },
        ],
      },
      centre: {
        default: 0,
        oneOf: [{ type: 'number' }, { type: 'array', items: { type: 'number' }, minItems: 1 }],
      },
    },
    additionalProperties: false,
  },
  create: (p) => {
    const dim = Array.isArray(p.k) ? (p.k as number[]).length : (p.dim as number);
    return harmonic(broadcast(p.k, dim, 'k'), broadcast(p.centre, dim, 'centre'));
  },
});
