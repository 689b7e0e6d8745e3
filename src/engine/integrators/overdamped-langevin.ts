/**
 * Overdamped Langevin / SGLD by Euler–Maruyama (docs/models.md §0):
 *   x ← x − η_j (∂_j f(x) + λ_j x_j) + sqrt(2 η_j θ_j) ξ,   ξ ~ N(0, 1).
 * With `noise = false` this is plain gradient descent (no draws at all);
 * with θ = 0 and noise on, the draws are made and multiplied by zero, so the
 * trajectory equals gradient descent exactly.
 * The gradient is cached in the state: one estimator call per step.
 * η, θ, λ come per step from the control; sqrt(2ηθ) is recomputed only when
 * the control's version changes.
 */
import type { CoordinateSettings, EnsembleState, Integrator, IntegratorSnapshot, Potential } from '../types.js';
import type { StepControl } from '../control.js';
import { NoiseBlock, type NoiseBlockSnapshot } from '../../random/noise.js';
import { nativeKernels, type NativeAddon } from '../../native/index.js';
import { autoBatch } from '../gradients/minibatch.js';
import type { GradientEstimator } from '../gradients/types.js';
import { applyWalls, type Walls } from '../walls.js';
import { DIVERGENCE_LIMIT, freeze, inBounds, reasonFor } from './common.js';

export function overdampedLangevin(
  settings: CoordinateSettings,
  noise: boolean,
  name = noise ? 'sgld' : 'gd',
  gradient: GradientEstimator = autoBatch,
  walls: Walls | null = null,
): Integrator {
  const dim = settings.lr.length;
  let lrv = settings.lr;
  let wdv = settings.weightDecay;
  const sigv = new Float64Array(dim);
  let version = -1;
  const row = new Float64Array(dim);
  const noiseBlock = new NoiseBlock();
  // Replicas the native steps report as leaving the bounds (index, value).
  let badIdx = new Int32Array(0);
  let badVal = new Float64Array(0);

  /** Read the control's arrays and recompute sqrt(2ηθ) when they changed. */
  function sync(control: StepControl): void {
    if (control.version === version) return;
    version = control.version;
    lrv = control.lr;
    wdv = control.weightDecay;
    const th = control.temperature;
    for (let j = 0; j < dim; j++) sigv[j] = noise ? Math.sqrt(2 * lrv[j] * th[j]) : 0;
  }

  function stepScalar1D(state: EnsembleState): void {
    const { x, grad, rng, frozen, count } = state;
    const lr = lrv[0],
      wd = wdv[0],
      sig = sigv[0];
    if (noise) {
      const off = noiseBlock.next(rng, count, 1);
      const z = noiseBlock.data;
      for (let r = 0; r < count; r++) {
        if (frozen[r] !== 0) continue;
        const xi = x[r];
        const xn = xi - lr * (grad[r] + wd * xi) + sig * z[off + r];
        if (xn < 1e100 && xn > -1e100) x[r] = xn;
        else freeze(state, r, reasonFor(xn));
      }
    } else {
      for (let r = 0; r < count; r++) {
        if (frozen[r] !== 0) continue;
        const xi = x[r];
        const xn = xi - lr * (grad[r] + wd * xi);
        if (xn < 1e100 && xn > -1e100) x[r] = xn;
        else freeze(state, r, reasonFor(xn));
      }
    }
  }

  function stepGeneral(state: EnsembleState): void {
    const { x, grad, rng, frozen, count } = state;
    const off = noise ? noiseBlock.next(rng, count, dim) : 0;
    const z = noiseBlock.data;
    for (let r = 0; r < count; r++) {
      if (frozen[r] !== 0) continue;
      const base = r * dim;
      let bad = 0;
      let ok = true;
      for (let j = 0; j < dim; j++) {
        const xi = x[base + j];
        let xn = xi - lrv[j] * (grad[base + j] + wdv[j] * xi);
        if (noise) xn += sigv[j] * z[off + base + j];
        row[j] = xn;
        if (!inBounds(xn)) {
          ok = false;
          bad = xn;
        }
      }
      if (ok) x.set(row, base);
      else freeze(state, r, reasonFor(bad));
    }
  }

  /**
   * stepGeneral when every coordinate has the same (η, θ, λ): the same
   * expression with scalars instead of three per-coordinate loads (the update
   * of a network with thousands of weights per replica is then bound by its
   * three streams x, ∇f and ξ alone). Identical numbers.
   */
  function stepUniform(state: EnsembleState): void {
    const { x, grad, rng, frozen, count } = state;
    const lr = lrv[0],
      wd = wdv[0],
      sig = sigv[0];
    const off = noise ? noiseBlock.next(rng, count, dim) : 0;
    const z = noiseBlock.data;
    const addon = nativeKernels();
    if (addon !== null) {
      // The same expression per coordinate in the native kernels (the same numbers).
      if (badIdx.length < count) {
        badIdx = new Int32Array(count);
        badVal = new Float64Array(count);
      }
      const nbad = addon.stepUniform(x, grad, z, off, frozen, count, dim, lr, wd, sig, noise ? 1 : 0, badIdx, badVal);
      for (let i = 0; i < nbad; i++) freeze(state, badIdx[i], reasonFor(badVal[i]));
      return;
    }
    for (let r = 0; r < count; r++) {
      if (frozen[r] !== 0) continue;
      const base = r * dim;
      const zb = off + base;
      let bad = 0;
      let ok = true;
      if (noise) {
        for (let j = 0; j < dim; j++) {
          const xi = x[base + j];
          const xn = xi - lr * (grad[base + j] + wd * xi) + sig * z[zb + j];
          row[j] = xn;
          if (!(xn < DIVERGENCE_LIMIT && xn > -DIVERGENCE_LIMIT)) {
            ok = false;
            bad = xn;
          }
        }
      } else {
        for (let j = 0; j < dim; j++) {
          const xi = x[base + j];
          const xn = xi - lr * (grad[base + j] + wd * xi);
          row[j] = xn;
          if (!(xn < DIVERGENCE_LIMIT && xn > -DIVERGENCE_LIMIT)) {
            ok = false;
            bad = xn;
          }
        }
      }
      if (ok) x.set(row, base);
      else freeze(state, r, reasonFor(bad));
    }
  }

  /** Force + noise + update in one pass, for 1-D potentials with a pointwise gradient. */
  function stepFused1D(state: EnsembleState, grad1: (x: number) => number): void {
    const { x, rng, frozen, count } = state;
    const lr = lrv[0],
      wd = wdv[0],
      sig = sigv[0];
    const off = noise ? noiseBlock.next(rng, count, 1) : 0;
    const z = noiseBlock.data;
    for (let r = 0; r < count; r++) {
      if (frozen[r] !== 0) continue;
      const xi = x[r];
      let xn = xi - lr * (grad1(xi) + wd * xi);
      if (noise) xn += sig * z[off + r];
      if (xn < 1e100 && xn > -1e100) x[r] = xn;
      else freeze(state, r, reasonFor(xn));
    }
  }

  /** stepFused1D in the native kernels (the same operations, so the same numbers). */
  function stepFused1DNative(state: EnsembleState, coef: Float64Array, addon: NativeAddon): void {
    const { x, rng, frozen, count } = state;
    const off = noise ? noiseBlock.next(rng, count, 1) : 0;
    if (badIdx.length < count) {
      badIdx = new Int32Array(count);
      badVal = new Float64Array(count);
    }
    const nbad = addon.stepPoly1D(x, frozen, noiseBlock.data, off, count, lrv[0], wdv[0], sigv[0], noise ? 1 : 0, coef, badIdx, badVal);
    for (let i = 0; i < nbad; i++) freeze(state, badIdx[i], reasonFor(badVal[i]));
  }

  return {
    name,
    needs: { momenta: false, data: false },
    settings,
    init(state: EnsembleState, potential: Potential, control: StepControl) {
      sync(control);
      noiseBlock.reset(state.rng, state.count, dim);
      if (walls) applyWalls(state, walls);
      gradient.init?.(state, potential);
      gradient.estimate(state, potential);
    },
    snapshot: () => ({ noise: noiseBlock.snapshot() }),
    resume(snapshot: IntegratorSnapshot) {
      noiseBlock.restore(snapshot.noise as NoiseBlockSnapshot);
    },
    step(state: EnsembleState, potential: Potential, control: StepControl) {
      sync(control);
      const g1 = potential.gradient1D;
      if (g1 !== undefined && dim === 1 && gradient.exact && !state.batch) {
        const coef = potential.gradientPolynomial1D;
        const addon = coef === undefined ? null : nativeKernels();
        if (addon !== null) stepFused1DNative(state, coef!, addon);
        else stepFused1D(state, g1);
        if (walls) applyWalls(state, walls);
        return;
      }
      if (!control.uniform) stepGeneral(state);
      else if (dim === 1) stepScalar1D(state);
      else stepUniform(state);
      if (walls) applyWalls(state, walls);
      gradient.estimate(state, potential);
    },
  };
}
