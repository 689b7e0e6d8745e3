/**
 * Gradient estimators: how the force at the current positions is obtained,
 * kept apart from the update rule that uses it (BlackJAX's `gradients.py`
 * beside `diffusions.py`). An integrator calls `estimate` once per step; the
 * result is cached in the state (`energy`, `grad`, `cacheStep`).
 *
 * Room for control variates (Baker, Fearnhead, Fox & Nemeth 2019): such an
 * estimator keeps a centre x̂ per replica with its full-data gradient ∇f(x̂)
 * (computed in `init`, and again whenever the centre moves), and estimates
 *   ∇f(x) ≈ ∇f(x̂) + (N/B) Σ_{i∈batch} (∇f_i(x) − ∇f_i(x̂))
 * from two minibatch evaluations on the same batch. It fits this interface
 * unchanged: `init` computes the centre's gradient, `estimate` draws the
 * batch and combines the two evaluations. Not implemented here.
 */
import type { EnsembleState, Potential } from '../types.js';

export interface GradientEstimator {
  /** `full`, `minibatch`, or `auto` (minibatch exactly when the state carries a batch buffer). */
  readonly name: string;
  /**
   * True when `estimate` is always the exact full-data gradient for a state
   * without a batch buffer, so an integrator may use the potential's
   * pointwise `gradient1D` instead (fused 1-D kernels).
   */
  readonly exact: boolean;
  /** Called once by the integrator's `init` before the first `estimate` (control variates would fix their centre here). */
  init?(state: EnsembleState, potential: Potential): void;
  /** Fill `state.energy` and `state.grad` at `state.x` (one batched potential call) and set `state.cacheStep`. */
  estimate(state: EnsembleState, potential: Potential): void;
}
