/**
 * Underdamped Langevin with unit mass, dx = v dt, dv = −∇f dt − γ v dt + sqrt(2γθ) dW,
 * integrated by the BAOAB splitting (Leimkuhler & Matthews 2013) with time step η_j:
 *   B: v ← v − (η/2)(∇f + λx)    A: x ← x + (η/2) v
 *   O: v ← e^{−γη} v + sqrt((1 − e^{−2γη}) θ) ξ    A: x ← x + (η/2) v
 *   (evaluate ∇f at the new x)   B: v ← v − (η/2)(∇f + λx)
 * BAOAB samples the configurational Gibbs density with O(η²) error (exact for
 * harmonic potentials), which makes it the sampler of choice at larger steps.
 * η, θ, λ come per step from the control; e^{−γη} and the O-step's noise
 * amplitude are recomputed only when the control's version changes. With a
 * varying η the closing B half-kick of a step uses that step's η (the kick
 * belongs to the step that evaluated the force).
 */
import type { CoordinateSettings, EnsembleState, Integrator, IntegratorSnapshot, Potential } from '../types.js';
import type { StepControl } from '../control.js';
import { NoiseBlock, type NoiseBlockSnapshot } from '../../random/noise.js';
import { autoBatch } from '../gradients/minibatch.js';
import type { GradientEstimator } from '../gradients/types.js';
import { applyWalls, type Walls } from '../walls.js';
import { drawMomenta, freeze, inBounds, reasonFor } from './common.js';

export function baoab(
  settings: CoordinateSettings,
  friction: number,
  momenta: 'thermal' | 'zero',
  gradient: GradientEstimator = autoBatch,
  walls: Walls | null = null,
): Integrator {
  const dim = settings.lr.length;
  let h = settings.lr;
  let wd = settings.weightDecay;
  const c1 = new Float64Array(dim);
  const c2 = new Float64Array(dim);
  const vStd = new Float64Array(dim);
  let version = -1;

  /** Recompute e^{−γη}, sqrt((1 − e^{−2γη})θ) and sqrt(θ) when the control changed. */
  function sync(control: StepControl): void {
    if (control.version === version) return;
    version = control.version;
    h = control.lr;
    wd = control.weightDecay;
    const th = control.temperature;
    for (let j = 0; j < dim; j++) {
      c1[j] = Math.exp(-friction * h[j]);
      c2[j] = Math.sqrt((1 - c1[j] * c1[j]) * th[j]);
      vStd[j] = Math.sqrt(th[j]);
    }
  }
  const xRow = new Float64Array(dim);
  const vRow = new Float64Array(dim);
  const noiseBlock = new NoiseBlock();

  function kick(state: EnsembleState): void {
    const { x, v, grad, frozen, count } = state;
    for (let r = 0; r < count; r++) {
      if (frozen[r] !== 0) continue;
      const base = r * dim;
      for (let j = 0; j < dim; j++) v[base + j] -= 0.5 * h[j] * (grad[base + j] + wd[j] * x[base + j]);
    }
  }

  return {
    name: 'baoab',
    needs: { momenta: true, data: false },
    settings,
    init(state: EnsembleState, potential: Potential, control: StepControl) {
      sync(control);
      drawMomenta(state, vStd, momenta);
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
      const { x, v, grad, rng, frozen, count } = state;
      const off = noiseBlock.next(rng, count, dim);
      const z = noiseBlock.data;
      for (let r = 0; r < count; r++) {
        if (frozen[r] !== 0) continue;
        const base = r * dim;
        let ok = true;
        let bad = 0;
        for (let j = 0; j < dim; j++) {
          const hj = h[j];
          let xj = x[base + j];
          let vj = v[base + j] - 0.5 * hj * (grad[base + j] + wd[j] * xj);
          xj += 0.5 * hj * vj;
          vj = c1[j] * vj + c2[j] * z[off + base + j];
          xj += 0.5 * hj * vj;
          xRow[j] = xj;
          vRow[j] = vj;
          if (!inBounds(xj) || !inBounds(vj)) {
            ok = false;
            bad = inBounds(xj) ? vj : xj;
          }
        }
        if (ok) {
          x.set(xRow, base);
          v.set(vRow, base);
        } else freeze(state, r, reasonFor(bad));
      }
      // Mirroring after the whole A–O–A flight equals mirroring in each A half-step in law (the O step is symmetric under v → −v).
      if (walls) applyWalls(state, walls);
      gradient.estimate(state, potential);
      kick(state);
    },
  };
}
