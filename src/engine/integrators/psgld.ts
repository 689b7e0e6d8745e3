/**
 * Preconditioned SGLD (Li, Chen, Carlson & Carin 2016, Algorithm 1): SGLD with
 * the RMSprop diagonal preconditioner, per coordinate j of each replica:
 *   g = ∂_j f(x) + λ_j x_j                       (weight decay coupled, as in sgld)
 *   V ← α V + (1 − α) g²,    G = 1 / (ε + √V)    (ε is the paper's λ)
 *   x ← x − η_j G g + sqrt(2 η_j θ_j G) ξ,   ξ ~ N(0, 1)
 * The paper's step ε_t is 2η here (so that θ = 1 and a constant G = 1 give
 * sgld exactly). The correction term η Γ(x), Γ_j = ∂G_j/∂x_j, is neglected as
 * in the paper (its Algorithm 1 and the "Γ ≈ 0" argument: V changes slowly when
 * α is close to 1): the chain samples exp(−f/θ) exactly (up to the O(η)
 * Euler–Maruyama error) only while G is constant; V starts at 0 (as the paper),
 * so the first ~1/(1 − α) steps take larger, sign-like steps.
 * V is built from the gradient of f as the potential defines it (with a
 * minibatch, the rescaled estimate of the full-data gradient), not of the
 * per-datum mean loss, so ε is in the units of ∇f.
 * V lives in `EnsembleState.opt` (1 slot), zeroed at init; the noise comes
 * from each replica's own stream, so runs do not depend on sharding.
 * η, θ, λ come per step from the control; the segments and 2ηθ are rebuilt
 * only when the control's version changes.
 */
import type { CoordinateSettings, EnsembleState, Integrator, IntegratorSnapshot, Potential } from '../types.js';
import type { StepControl } from '../control.js';
import { NoiseBlock, type NoiseBlockSnapshot } from '../../random/noise.js';
import { autoBatch } from '../gradients/minibatch.js';
import type { GradientEstimator } from '../gradients/types.js';
import { applyWalls, type Walls } from '../walls.js';
import { freeze, inBounds, reasonFor } from './common.js';
import { optimizerSegments, type OptimizerSegment } from './segments.js';

/** Defaults of the paper's experiments: α = 0.99, λ = 1e-5. */
export const PSGLD_DEFAULTS = { alpha: 0.99, eps: 1e-5 } as const;

export function psgld(settings: CoordinateSettings, gradient: GradientEstimator = autoBatch, walls: Walls | null = null): Integrator {
  const dim = settings.lr.length;
  const defaults = { ...PSGLD_DEFAULTS, beta1: NaN, beta2: NaN, decoupled: false };
  let segs: OptimizerSegment[] = [];
  let nSeg = 0;
  let twoEtaTheta: number[] = [];
  let version = -1;
  const row = new Float64Array(dim);
  const noiseBlock = new NoiseBlock();

  function sync(control: StepControl): void {
    if (control.version === version) return;
    version = control.version;
    segs = optimizerSegments(settings, defaults, control);
    nSeg = segs.length;
    twoEtaTheta = segs.map((s) => 2 * s.lr * s.temperature);
  }

  return {
    name: 'psgld',
    needs: { momenta: false, data: false, optimizerSlots: 1 },
    settings,
    init(state: EnsembleState, potential: Potential, control: StepControl) {
      sync(control);
      state.opt.fill(0);
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
      const { x, grad, opt, rng, frozen, count } = state;
      const off = noiseBlock.next(rng, count, dim);
      const z = noiseBlock.data;
      for (let r = 0; r < count; r++) {
        if (frozen[r] !== 0) continue;
        const base = r * dim;
        let ok = true;
        let bad = 0;
        for (let s = 0; s < nSeg; s++) {
          const seg = segs[s];
          const a = seg.alpha,
            eps = seg.eps,
            lr = seg.lr,
            wd = seg.weightDecay,
            c = twoEtaTheta[s];
          for (let j = seg.start; j < seg.end; j++) {
            const xi = x[base + j];
            const g = grad[base + j] + wd * xi;
            const V = a * opt[base + j] + (1 - a) * g * g;
            opt[base + j] = V;
            const G = 1 / (eps + Math.sqrt(V));
            const xn = xi - lr * G * g + Math.sqrt(c * G) * z[off + base + j];
            row[j] = xn;
            if (!inBounds(xn)) {
              ok = false;
              bad = xn;
            }
          }
        }
        if (ok) x.set(row, base);
        else freeze(state, r, reasonFor(bad));
      }
      if (walls) applyWalls(state, walls);
      gradient.estimate(state, potential);
    },
  };
}
