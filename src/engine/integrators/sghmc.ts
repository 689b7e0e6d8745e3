/**
 * Stochastic-gradient Hamiltonian Monte Carlo (Chen, Fox & Guestrin 2014,
 * Algorithm 2 / eq. 15; BlackJAX `sgmcmc.sghmc`): underdamped Langevin with
 * unit mass, dx = v dt, dv = −∇f dt − γ v dt + sqrt(2γθ) dW, discretised with
 * time step h = η_j per coordinate:
 *   x ← x + h v
 *   v ← (1 − hγ) v − h (∇f(x) + λx) + sqrt(2γθh) ξ,   ξ ~ N(0, 1)
 * (∇f at the new x, so each step evaluates the potential once). Parametrised
 * by the physical friction γ (`dynamics.friction`, as baoab), not by the
 * paper's / BlackJAX's (α, β̂): with their momentum v' = h v, their learning
 * rate is h², their α is hγ, and β̂ = 0 (no estimate of the minibatch noise
 * is subtracted). Stable for hγ < 1 and h²·curvature small; the stationary
 * density is the Gibbs density exp(−f/θ) up to O(h).
 * η, θ, λ come per step from the control; sqrt(2γθh) and 1 − hγ are
 * recomputed only when the control's version changes.
 */
import type { CoordinateSettings, EnsembleState, Integrator, IntegratorSnapshot, Potential } from '../types.js';
import type { StepControl } from '../control.js';
import { NoiseBlock, type NoiseBlockSnapshot } from '../../random/noise.js';
import { autoBatch } from '../gradients/minibatch.js';
import type { GradientEstimator } from '../gradients/types.js';
import { applyWalls, type Walls } from '../walls.js';
import { drawMomenta, freeze, inBounds, reasonFor } from './common.js';

export function sghmc(
  settings: CoordinateSettings,
  friction: number,
  momenta: 'thermal' | 'zero',
  gradient: GradientEstimator = autoBatch,
  walls: Walls | null = null,
): Integrator {
  const dim = settings.lr.length;
  let h = settings.lr;
  let wd = settings.weightDecay;
  const damp = new Float64Array(dim);
  const sig = new Float64Array(dim);
  const vStd = new Float64Array(dim);
  let version = -1;
  const xRow = new Float64Array(dim);
  const vRow = new Float64Array(dim);
  const noiseBlock = new NoiseBlock();

  function sync(control: StepControl): void {
    if (control.version === version) return;
    version = control.version;
    h = control.lr;
    wd = control.weightDecay;
    const th = control.temperature;
    for (let j = 0; j < dim; j++) {
      damp[j] = 1 - h[j] * friction;
      sig[j] = Math.sqrt(2 * friction * th[j] * h[j]);
      vStd[j] = Math.sqrt(th[j]);
    }
  }

  return {
    name: 'sghmc',
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
      const { x, v, frozen, count } = state;
      // Drift of the positions with the current momenta.
      for (let r = 0; r < count; r++) {
        if (frozen[r] !== 0) continue;
        const base = r * dim;
        for (let j = 0; j < dim; j++) xRow[j] = x[base + j] + h[j] * v[base + j];
        let ok = true;
        let bad = 0;
        for (let j = 0; j < dim; j++) {
          if (!inBounds(xRow[j])) {
            ok = false;
            bad = xRow[j];
          }
        }
        if (ok) x.set(xRow, base);
        else freeze(state, r, reasonFor(bad));
      }
      if (walls) applyWalls(state, walls);
      gradient.estimate(state, potential);
      // Momenta: friction, force at the new positions, noise.
      const { grad, rng } = state;
      const off = noiseBlock.next(rng, count, dim);
      const z = noiseBlock.data;
      for (let r = 0; r < count; r++) {
        if (frozen[r] !== 0) continue;
        const base = r * dim;
        let ok = true;
        let bad = 0;
        for (let j = 0; j < dim; j++) {
          const vj = damp[j] * v[base + j] - h[j] * (grad[base + j] + wd[j] * x[base + j]) + sig[j] * z[off + base + j];
          vRow[j] = vj;
          if (!inBounds(vj)) {
            ok = false;
            bad = vj;
          }
        }
        if (ok) v.set(vRow, base);
        else freeze(state, r, reasonFor(bad));
      }
    },
  };
}
