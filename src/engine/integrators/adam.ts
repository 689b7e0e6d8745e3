/**
 * Adam (Kingma & Ba 2015) and AdamW (Loshchilov & Hutter 2019) as
 * deterministic integrators (θ = 0), per coordinate j of each replica, with
 * step count t = 1, 2, … (the run's step):
 *   g = ∂_j f(x) [+ λ_j x_j, coupled decay: Adam's L2 term]
 *   m ← β₁ m + (1 − β₁) g,   v ← β₂ v + (1 − β₂) g²
 *   m̂ = m / (1 − β₁^t),      v̂ = v / (1 − β₂^t)      (bias correction)
 *   x ← x − η_j ( m̂ / (√v̂ + ε) [+ λ_j x_j, decoupled decay: AdamW] )
 * AdamW's update equals PyTorch's x ← x(1 − ηλ) − η m̂/(√v̂ + ε) (lr-scaled
 * decay, no separate schedule multiplier). Whether a coordinate's decay is
 * coupled or decoupled is per group (`dynamics.groups.<g>.optimizer`), so the
 * papers' choice — Adam on the embeddings, AdamW on the decoder — is one run.
 * The moments m, v live in `EnsembleState.opt` (2 slots: m then v per replica
 * row), zeroed at init. No random draws: the run does not depend on the
 * noise streams, and replicas are independent, so results do not depend on
 * sharding or tiling. η and λ come per step from the control (a learning-rate
 * schedule multiplies the step as PyTorch's schedulers do); the segments are
 * rebuilt only when the control's version changes.
 */
import type { CoordinateSettings, EnsembleState, Integrator, Potential } from '../types.js';
import type { StepControl } from '../control.js';
import { autoBatch } from '../gradients/minibatch.js';
import type { GradientEstimator } from '../gradients/types.js';
import { applyWalls, type Walls } from '../walls.js';
import { freeze, inBounds, reasonFor } from './common.js';
import { optimizerSegments, type OptimizerSegment } from './segments.js';

/** Defaults of PyTorch's torch.optim.Adam / AdamW (β₁, β₂, ε). */
export const ADAM_DEFAULTS = { beta1: 0.9, beta2: 0.999, eps: 1e-8 } as const;

export function adam(
  settings: CoordinateSettings,
  decoupledByDefault: boolean,
  name = decoupledByDefault ? 'adamw' : 'adam',
  gradient: GradientEstimator = autoBatch,
  walls: Walls | null = null,
): Integrator {
  const dim = settings.lr.length;
  const defaults = { ...ADAM_DEFAULTS, alpha: NaN, decoupled: decoupledByDefault };
  let segs: OptimizerSegment[] = [];
  let nSeg = 0;
  let bc1 = new Float64Array(0);
  let bc2 = new Float64Array(0);
  let version = -1;
  const row = new Float64Array(dim);

  function sync(control: StepControl): void {
    if (control.version === version) return;
    version = control.version;
    segs = optimizerSegments(settings, defaults, control);
    nSeg = segs.length;
    if (bc1.length < nSeg) {
      bc1 = new Float64Array(nSeg);
      bc2 = new Float64Array(nSeg);
    }
  }

  return {
    name,
    needs: { momenta: false, data: false, optimizerSlots: 2 },
    settings,
    init(state: EnsembleState, potential: Potential, control: StepControl) {
      sync(control);
      state.opt.fill(0);
      if (walls) applyWalls(state, walls);
      gradient.init?.(state, potential);
      gradient.estimate(state, potential);
    },
    // Adam's moments live in state.opt and its step count is state.step: nothing else to keep.
    snapshot: () => ({}),
    resume() {},
    step(state: EnsembleState, potential: Potential, control: StepControl) {
      sync(control);
      const { x, grad, opt, frozen, count } = state;
      const t = state.step;
      for (let s = 0; s < nSeg; s++) {
        bc1[s] = 1 - Math.pow(segs[s].beta1, t);
        bc2[s] = 1 - Math.pow(segs[s].beta2, t);
      }
      for (let r = 0; r < count; r++) {
        if (frozen[r] !== 0) continue;
        const base = r * dim;
        const mb = 2 * r * dim;
        const vb = mb + dim;
        let ok = true;
        let bad = 0;
        for (let s = 0; s < nSeg; s++) {
          const seg = segs[s];
          const b1 = seg.beta1,
            b2 = seg.beta2,
            eps = seg.eps,
            lr = seg.lr,
            wd = seg.weightDecay;
          const c1 = bc1[s],
            c2 = bc2[s];
          const dec = seg.decoupled;
          for (let j = seg.start; j < seg.end; j++) {
            const xi = x[base + j];
            const g = dec ? grad[base + j] : grad[base + j] + wd * xi;
            const m = b1 * opt[mb + j] + (1 - b1) * g;
            const v = b2 * opt[vb + j] + (1 - b2) * g * g;
            opt[mb + j] = m;
            opt[vb + j] = v;
            const u = m / c1 / (Math.sqrt(v / c2) + eps);
            const xn = xi - lr * (dec ? u + wd * xi : u);
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
