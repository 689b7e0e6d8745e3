/**
 * Core contracts of the engine. Nothing here knows a specific potential.
 *
 * Layout convention: every per-replica quantity is a flat typed array in
 * replica-major order, `array[r * dim + j]` for coordinate `j` of replica `r`
 * (struct-of-arrays across the ensemble, one row per replica).
 */
import type { StepControl } from './control.js';

/** A named slice of the parameter vector (e.g. `encoder`, `decoder`, `A`, `repons`). */
export interface ParamGroup {
  name: string;
  offset: number;
  size: number;
}

/** Minibatch selection handed to a potential that has data. */
export interface Minibatch {
  /** Batch size B. */
  size: number;
  /** `count × size` sample indices, row r for replica r (drawn from that replica's stream). */
  indices: Int32Array;
}

/**
 * A potential `f(x)` over a parameter vector of length `dim`, evaluated for a
 * whole shard of replicas in one call.
 */
export interface Potential {
  /** Registry name or a description (`expression`, a module path). */
  readonly name: string;
  readonly dim: number;
  /** Names of the coordinates, length `dim` (used as observable names). */
  readonly coordinates: readonly string[];
  /** Parameter groups as slices of x; at least one, covering all of x. */
  readonly groups: readonly ParamGroup[];
  /**
   * Fill `energy[r]` and `grad[r*dim .. r*dim+dim)` for replicas `0 … count-1`
   * from positions `x`. With `batch`, return the unbiased minibatch estimate of
   * the full-data energy and gradient (scaled by dataSize / batch size).
   */
  energyAndGradient(x: Float64Array, count: number, energy: Float64Array, grad: Float64Array, batch?: Minibatch): void;
  /**
   * Optional pointwise gradient of a 1-D potential. When present (and there is
   * no minibatch), the overdamped integrators fuse force, noise and update in
   * one pass per step and evaluate energies only when an observer needs them.
   * It must compute exactly the same floating-point expression as
   * energyAndGradient's gradient, so that fused and unfused runs are identical.
   */
  gradient1D?(x: number): number;
  /**
   * Optional: the 1-D gradient as polynomial coefficients, highest power
   * first, when `gradient1D` computes exactly Horner's scheme on them
   * (g = c₀; g = g·x + cₖ for k = 1 … n — build both with
   * `polynomialGradient1D`). The fused overdamped step then runs in the
   * native kernels when they are loaded, with the same numbers.
   */
  readonly gradientPolynomial1D?: Float64Array;
  /** Number of data points, when the energy is a sum over data (enables minibatch SGLD). */
  readonly dataSize?: number;
  /** Known local minima (used by the `well` observable: index of the nearest one). */
  readonly minima?: readonly (readonly number[])[];
  /**
   * Optional initialiser for `ensemble.init: {kind: potential}`: write one
   * replica's start into `out` using the uniform source `uniform()` in [0,1) and
   * the standard normal source `normal()`.
   */
  initialise?(out: Float64Array, offset: number, normal: () => number, uniform: () => number): void;
  /** Order parameters and other observables this potential defines (names must not clash with the built-in ones). */
  readonly observables?: readonly PotentialObservable[];
  /** Predictions on a held-out set (posterior-predictive test error). */
  readonly predictive?: PosteriorPredictive;
  /**
   * Natural scale of each parameter group (e.g. its prior variance), used as
   * the diagonal preconditioner of curvature-scaled step sizes
   * (`dynamics.step_size`, see step-size.ts); 1 for a group not listed.
   */
  readonly preconditioner?: Readonly<Record<string, number>>;
  /** What the potential wants said at the start of a run (e.g. which tfjs backend it uses). */
  readonly info?: Readonly<Record<string, string | number | boolean>>;
}

/**
 * An observable a potential defines for itself (an order parameter such as a
 * per-neuron Fourier concentration, an overlap with a teacher, a test error).
 * `units` values per replica: 1 for a scalar; more for one value per unit
 * (e.g. per neuron), which posterior histograms pool over units and replicas
 * and traces average over units.
 */
export interface PotentialObservable {
  readonly name: string;
  readonly description: string;
  /** Values per replica (≥ 1). */
  readonly units: number;
  /** `out[r * units + u]` for replicas `0 … count-1` at positions `x` (replica-major, `dim` per row). */
  evaluate(x: Float64Array, count: number, out: Float64Array): void;
}

/**
 * A potential's predictions on a held-out set, so that the error of the
 * posterior-mean predictor (the average of the outputs over samples and
 * replicas) can be measured — single samples are much worse predictors.
 */
export interface PosteriorPredictive {
  /** Number of predicted values per replica (held-out points × outputs). */
  readonly size: number;
  /** Held-out points (for reports). */
  readonly points: number;
  /**
   * Which points are predicted: the held-out set (the default), or the
   * training set when the potential trains on every point there is (e.g.
   * modular addition on the whole table, where the posterior-mean error is
   * the discrepancy of the mean-field theory).
   */
  readonly set?: 'held-out' | 'training';
  /** `out[r * size + k]`: the network's outputs on the held-out set for replicas `0 … count-1`. */
  predict(x: Float64Array, count: number, out: Float64Array): void;
  /**
   * Metrics of a prediction vector `pred[offset … offset + size)` (e.g. a
   * posterior mean): always `error` (the potential documents its definition),
   * optionally more (`accuracy`, overlaps with target components …).
   */
  metrics(pred: Float64Array, offset: number): Record<string, number>;
}

/** Ensemble state of one shard: struct-of-arrays, allocated once. */
export interface EnsembleState {
  /** Replicas in this shard. */
  readonly count: number;
  readonly dim: number;
  /** Global index of the shard's first replica. */
  readonly firstReplica: number;
  /** Positions, `count × dim`. */
  readonly x: Float64Array;
  /** Energy at the current positions (cached: each step evaluates the potential once). */
  readonly energy: Float64Array;
  /** Gradient at the current positions, `count × dim`. */
  readonly grad: Float64Array;
  /** Momenta (underdamped integrators), `count × dim`; empty otherwise. */
  readonly v: Float64Array;
  /**
   * Optimizer buffers (e.g. Adam's first and second moments), `count × slots × dim`,
   * replica-major: slot k of replica r at `opt[(r * slots + k) * dim + j]`;
   * `slots = IntegratorNeeds.optimizerSlots` (empty when 0). Zeroed at allocation.
   */
  readonly opt: Float64Array;
  /** Per-replica generator states, 4 words each (see rng.ts): initial positions, momenta, Langevin noise. */
  readonly rng: Uint32Array;
  /** Per-replica minibatch streams (empty when full-batch), independent of `rng`. */
  readonly batchRng: Uint32Array;
  /** 1 once a replica has diverged: it is frozen at its last finite position. */
  readonly frozen: Uint8Array;
  /** Step at which each replica diverged, −1 if it has not. */
  readonly divergedAt: Float64Array;
  /** Reason code for each diverged replica (see DivergenceReason). */
  readonly divergedReason: Uint8Array;
  /** Steps taken so far. */
  step: number;
  /** The step at which `energy` and `grad` were last evaluated (fused integrators skip it). */
  cacheStep: number;
  /** Number of frozen replicas. */
  frozenCount: number;
  /** Minibatch buffer (empty when full-batch). */
  readonly batch?: Minibatch;
}

export const DivergenceReason = {
  none: 0,
  nonFinitePosition: 1,
  positionTooLarge: 2,
  nonFiniteEnergy: 3,
} as const;

export const divergenceReasonText: Record<number, string> = {
  0: 'none',
  1: 'non-finite position (NaN or ±∞ after the update)',
  2: 'position beyond ±1e100',
  3: 'non-finite energy or gradient',
};

/** Per-coordinate dynamics settings, resolved from the scenario's groups. */
export interface CoordinateSettings {
  /** Learning rate η_j (time step). */
  lr: Float64Array;
  /** Temperature θ_j. */
  temperature: Float64Array;
  /** L2 weight decay λ_j (adds λ_j x_j to the gradient). */
  weightDecay: Float64Array;
  /** True when every coordinate has the same (lr, θ, λ): the scalar fast path. */
  uniform: boolean;
  /** Adam's β₁ per coordinate (NaN = not set: the integrator's default). */
  beta1?: Float64Array;
  /** Adam's β₂ per coordinate (NaN = not set). */
  beta2?: Float64Array;
  /** Adam's ε / pSGLD's λ per coordinate (NaN = not set). */
  eps?: Float64Array;
  /** pSGLD's RMSprop decay α per coordinate (NaN = not set). */
  alpha?: Float64Array;
  /** Per coordinate: 1 = decoupled weight decay (AdamW), 0 = coupled (λx added to the gradient), 255 = not set (the integrator's default). */
  decoupled?: Uint8Array;
}

/** What an integrator needs from its potential / state, checked before a run. */
export interface IntegratorNeeds {
  momenta: boolean;
  /** Per-replica, per-coordinate optimizer buffers in `EnsembleState.opt` (Adam: 2, pSGLD: 1; default 0). */
  optimizerSlots?: number;
  /** Needs a potential with data (minibatch gradients). */
  data: boolean;
}

/**
 * An integrator: parameters fixed at build time (friction, betas, the gradient
 * estimator); `init` prepares the state (caches energy and gradient, draws
 * momenta) and `step` advances all replicas of the shard by one step with the
 * η, θ, λ of `control` for that step (see control.ts: derived constants are
 * recomputed only when `control.version` changes).
 */
export interface Integrator {
  readonly name: string;
  readonly needs: IntegratorNeeds;
  /** The build-time η, θ, λ: the control of a run without schedules (see constantControl). */
  readonly settings: CoordinateSettings;
  init(state: EnsembleState, potential: Potential, control: StepControl): void;
  step(state: EnsembleState, potential: Potential, control: StepControl): void;
  /**
   * The integrator's own state between two steps beyond the ensemble state
   * (e.g. its block of pre-drawn normals), structured-clone friendly: a
   * checkpoint saves it, and `resume` on a freshly built integrator, with the
   * ensemble state restored, continues exactly where `snapshot` was taken (in
   * place of `init`). An integrator without the pair is checkpointed only
   * when a whole shard is done.
   */
  snapshot?(): IntegratorSnapshot;
  resume?(snapshot: IntegratorSnapshot, state: EnsembleState, potential: Potential, control: StepControl): void;
}

/** What Integrator.snapshot returns: plain data and typed arrays only. */
export type IntegratorSnapshot = Readonly<Record<string, unknown>>;

/**
 * Something that watches the run: it is called at the steps it asked for
 * (sorted, unique), and optionally after every `every` steps for events.
 */
export interface Observer {
  /** Steps (0 … steps) at which `observe` is called. */
  readonly at: readonly number[];
  observe(state: EnsembleState, potential: Potential, step: number, index: number): void;
  /** Its accumulators (copies, structured-clone friendly), for a checkpoint; `loadState` puts them back into a fresh instance. */
  saveState?(): unknown;
  loadState?(state: unknown): void;
}

export interface EventWatcher {
  /** Check cadence in steps (≥ 1). */
  readonly every: number;
  check(state: EnsembleState, potential: Potential, step: number): void;
  /** As Observer.saveState / loadState. */
  saveState?(): unknown;
  loadState?(state: unknown): void;
}
