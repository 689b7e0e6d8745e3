/**
 * Helpers shared by the tests of the neural potentials (neural-potentials,
 * relation-learner, toy-addition): random points from a potential's own
 * initialiser, one batched evaluation, a central-difference gradient check
 * and the value of a potential-defined observable.
 */
import { Stream } from '../src/random/rng.js';
import type { Minibatch, Potential } from '../src/engine/types.js';

/** `count` replicas drawn by the potential's initialiser from Stream(seed), scaled by `scale`. */
export function randomPoint(p: Potential, count: number, seed: number, scale = 1): Float64Array {
  const st = new Stream(seed, 0, 0);
  const x = new Float64Array(count * p.dim);
  for (let r = 0; r < count; r++)
    p.initialise!(
      x,
      r * p.dim,
      () => st.normal(),
      () => st.uniform(),
    );
  if (scale !== 1) for (let j = 0; j < x.length; j++) x[j] *= scale;
  return x;
}

export function evalAt(p: Potential, x: Float64Array, count: number, batch?: Minibatch) {
  const E = new Float64Array(count);
  const G = new Float64Array(count * p.dim);
  p.energyAndGradient(x, count, E, G, batch);
  return { E, G };
}

/** Max over coordinates and replicas of |g − central difference| / (1 + |g|), step h. */
export function finiteDifferenceError(p: Potential, x: Float64Array, count: number, h: number): number {
  const { G } = evalAt(p, x, count);
  const xp = x.slice();
  const Ep = new Float64Array(count);
  const Em = new Float64Array(count);
  const scratch = new Float64Array(count * p.dim);
  let worst = 0;
  for (let j = 0; j < p.dim; j++) {
    for (let r = 0; r < count; r++) xp[r * p.dim + j] = x[r * p.dim + j] + h;
    p.energyAndGradient(xp, count, Ep, scratch);
    for (let r = 0; r < count; r++) xp[r * p.dim + j] = x[r * p.dim + j] - h;
    p.energyAndGradient(xp, count, Em, scratch);
    for (let r = 0; r < count; r++) {
      xp[r * p.dim + j] = x[r * p.dim + j];
      const fd = (Ep[r] - Em[r]) / (2 * h);
      const g = G[r * p.dim + j];
      worst = Math.max(worst, Math.abs(fd - g) / (1 + Math.abs(g)));
    }
  }
  return worst;
}

/** Values of the potential's own observable `name` (`count × units`); throws if it has none by that name. */
export function observe(p: Potential, name: string, x: Float64Array, count: number): Float64Array {
  const o = p.observables?.find((q) => q.name === name);
  if (!o) throw new Error(`potential '${p.name}' has no observable '${name}'`);
  const out = new Float64Array(count * o.units);
  o.evaluate(x, count, out);
  return out;
}

type Tf = typeof import('@tensorflow/tfjs');

/**
 * Largest discrepancies, over replicas 0 … count−1, between a potential's
 * energy / gradient (`E`, `G` at `x`) and TensorFlow.js's value and `tf.grad`
 * of the same energy written as tfjs ops `U(θ)`: energy relative
 * |e − E|/|E|, gradient normwise |g − G|/|G|.
 */
export function tfGradDiscrepancy(
  tf: Tf,
  U: (theta: import('@tensorflow/tfjs').Tensor1D) => import('@tensorflow/tfjs').Scalar,
  p: Potential,
  x: Float64Array,
  count: number,
  E: Float64Array,
  G: Float64Array,
): { energy: number; gradient: number } {
  const grad = tf.grad(U as (x: import('@tensorflow/tfjs').Tensor) => import('@tensorflow/tfjs').Tensor);
  let energy = 0, gradient = 0;
  for (let r = 0; r < count; r++) {
    const theta = tf.tensor1d(Float32Array.from(x.subarray(r * p.dim, (r + 1) * p.dim)));
    const e = U(theta).dataSync()[0];
    const g = grad(theta).dataSync();
    energy = Math.max(energy, e === E[r] ? 0 : Math.abs(e - E[r]) / Math.abs(E[r]));
    let diff = 0, norm = 0;
    for (let j = 0; j < p.dim; j++) {
      diff += (g[j] - G[r * p.dim + j]) ** 2;
      norm += G[r * p.dim + j] ** 2;
    }
    gradient = Math.max(gradient, Math.sqrt(diff / norm));
  }
  return { energy, gradient };
}
