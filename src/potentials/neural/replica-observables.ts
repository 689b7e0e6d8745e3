/** Helpers shared by the observables of the neural potentials (one value per replica, read from its row of x). */
import type { PotentialObservable } from '../../engine/types.js';

/** A one-value observable: f(x, base) for each replica, base = r · dim. */
export function scalarObservable(
  dim: number,
  name: string,
  description: string,
  f: (x: Float64Array, base: number) => number,
): PotentialObservable {
  return {
    name,
    description,
    units: 1,
    evaluate(x, count, out) {
      for (let r = 0; r < count; r++) out[r] = f(x, r * dim);
    },
  };
}

/** Euclidean norm of x[offset … offset + length). */
export function euclideanNorm(x: Float64Array, offset: number, length: number): number {
  let s = 0;
  for (let j = 0; j < length; j++) s += x[offset + j] * x[offset + j];
  return Math.sqrt(s);
}
