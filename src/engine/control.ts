/**
 * The dynamic values an integrator reads per step call: per-coordinate
 * learning rate η_j, temperature θ_j and weight decay λ_j (BlackJAX's
 * `step(rng_key, state, grad, step_size, temperature)`). Constants fixed at
 * build time (friction, betas, …) stay in the integrator's builder.
 *
 * Cost of a constant schedule: nothing per step. Integrators cache what they
 * derive from the control (sqrt(2ηθ), BAOAB's e^{−γη}, optimizer segments)
 * and recompute it only when `version` differs from the version they cached:
 * whoever writes new values into the arrays calls `changed()`, which draws a
 * fresh version from one counter shared by all controls (so an integrator
 * handed a different control object never mistakes it for the one it cached).
 */
import type { CoordinateSettings } from './types.js';

let versions = 0;

export class StepControl {
  /** η_j per coordinate (the time step of coordinate j). */
  readonly lr: Float64Array;
  /** θ_j per coordinate. */
  readonly temperature: Float64Array;
  /** λ_j per coordinate (L2 weight decay). */
  readonly weightDecay: Float64Array;
  /** True when every coordinate has the same (η, θ, λ): the scalar fast path may read index 0. */
  uniform = true;
  /** Changes whenever the values change (see the module comment). */
  version = 0;

  constructor(dim: number) {
    this.lr = new Float64Array(dim);
    this.temperature = new Float64Array(dim);
    this.weightDecay = new Float64Array(dim);
    this.changed();
  }

  get dim(): number {
    return this.lr.length;
  }

  /** Call after writing new values: recomputes `uniform` and draws a new version. */
  changed(): void {
    const { lr, temperature, weightDecay } = this;
    let uniform = true;
    for (let j = 1; j < lr.length; j++) {
      if (lr[j] !== lr[0] || temperature[j] !== temperature[0] || weightDecay[j] !== weightDecay[0]) {
        uniform = false;
        break;
      }
    }
    this.uniform = uniform;
    this.version = ++versions;
  }
}

/** A control holding the build-time settings' η, θ, λ (a run without schedules). */
export function constantControl(settings: CoordinateSettings): StepControl {
  const control = new StepControl(settings.lr.length);
  control.lr.set(settings.lr);
  control.temperature.set(settings.temperature);
  control.weightDecay.set(settings.weightDecay);
  control.changed();
  return control;
}
