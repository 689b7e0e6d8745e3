/**
 * Schedules of the learning rate η and the temperature θ (docs/models.md,
 * "Schedules and physical time"). A scheduled value is a number (constant) or
 * an object `{ schedule, from, to, steps?, cycles?, exploration? }`.
 *
 * Step n = 0, 1, … is the update from state n to state n + 1; it uses the
 * value v_n. With N = `steps` (default: the run's steps) and
 * u_n = min(n, N − 1)/(N − 1) (u = 0 when N = 1):
 *
 *   constant     v_n = value
 *   linear       v_n = from + (to − from)·u_n
 *   exponential  v_n = from·(to/from)^{u_n}              (geometric; from, to > 0)
 *   cosine       v_n = to + (from − to)·(1 + cos(π u_n))/2
 *   cyclical     v_n = to + (from − to)·(1 + cos(π r_n))/2,  r_n = (n mod L)/L,
 *                L = ⌈N/M⌉ steps per cycle, M = `cycles`   (Zhang et al. 2020, eq. 1)
 *
 * so the first step uses `from` and step N − 1 uses `to` (linear, exponential,
 * cosine), which is then held. A cyclical schedule restarts every L steps
 * (warm restarts: r_n runs from 0 towards 1 within each cycle) and keeps
 * cycling after N. Cyclical SG-MCMC splits each cycle into an exploration
 * stage r_n < β (`exploration`, default 0) and a sampling stage r_n ≥ β
 * (Zhang et al. 2020, Algorithm 1): on `lr`, the exploration stage runs
 * without noise (θ = 0 for the coordinates that schedule drives: the update
 * is then the optimizer step), the sampling stage with the temperature set.
 *
 * All functions here are pure; `DynamicsSchedule` holds the per-coordinate
 * assignment and the StepControl the integrators read.
 */
import { StepControl } from './control.js';
import type { CoordinateSettings, ParamGroup } from './types.js';

export type ScheduleKind = 'constant' | 'linear' | 'exponential' | 'cosine' | 'cyclical';

/** A schedule object as a scenario gives it (see the module comment for the formulas). */
export interface ScheduleSpec {
  schedule: ScheduleKind;
  /** Constant value (`constant` only). */
  value?: number;
  /** Value of the first step (all but `constant`). */
  from?: number;
  /** Value of step N − 1 (linear, exponential, cosine); the minimum of each cycle (cyclical, default 0). */
  to?: number;
  /** Steps N over which the schedule runs (default: the run's steps). */
  steps?: number;
  /** Number of cycles M (cyclical, default 1). */
  cycles?: number;
  /** Fraction β ∈ [0, 1) of each cycle spent exploring without noise (cyclical on lr, default 0). */
  exploration?: number;
}

/** A learning rate or temperature: a number or a schedule. */
export type ScheduledValue = number | ScheduleSpec;

/** Is the value the same at every step? */
export function isConstant(value: ScheduledValue): boolean {
  return typeof value === 'number' || value.schedule === 'constant';
}

/** The value of the first step (what a run without schedules would use); undefined stays undefined. */
export function initialValue(value: ScheduledValue): number;
export function initialValue(value: ScheduledValue | undefined): number | undefined;
export function initialValue(value: ScheduledValue | undefined): number | undefined {
  if (value === undefined || typeof value === 'number') return value;
  if (value.schedule === 'constant') return value.value as number;
  return value.from as number;
}

/** Steps per cycle L = ⌈N/M⌉ of a cyclical schedule. */
export function cycleLength(spec: ScheduleSpec, runSteps: number): number {
  const N = Math.max(1, spec.steps ?? runSteps);
  return Math.max(1, Math.ceil(N / Math.max(1, spec.cycles ?? 1)));
}

/** Position r_n ∈ [0, 1) of step n within its cycle (cyclical schedules). */
export function cyclePhase(spec: ScheduleSpec, step: number, runSteps: number): number {
  const L = cycleLength(spec, runSteps);
  return (step % L) / L;
}

/** True when step n of a cyclical schedule with an exploration fraction is in its exploration stage (r_n < β). */
export function isExploring(value: ScheduledValue, step: number, runSteps: number): boolean {
  if (typeof value === 'number' || value.schedule !== 'cyclical' || !(value.exploration! > 0)) return false;
  return cyclePhase(value, step, runSteps) < (value.exploration as number);
}

/** v_n of a scheduled value at step n (0-based), for a run of `runSteps` steps. */
export function scheduleValue(value: ScheduledValue, step: number, runSteps: number): number {
  if (typeof value === 'number') return value;
  const from = value.from as number;
  switch (value.schedule) {
    case 'constant':
      return value.value as number;
    case 'cyclical': {
      const to = value.to ?? 0;
      return to + ((from - to) * (1 + Math.cos(Math.PI * cyclePhase(value, step, runSteps)))) / 2;
    }
    default: {
      const to = value.to as number;
      const N = Math.max(1, value.steps ?? runSteps);
      const u = N > 1 ? Math.min(step, N - 1) / (N - 1) : 0;
      if (u === 0) return from;
      if (u === 1) return to;
      if (value.schedule === 'linear') return from + (to - from) * u;
      if (value.schedule === 'exponential') return from * Math.pow(to / from, u);
      return to + ((from - to) * (1 + Math.cos(Math.PI * u))) / 2;
    }
  }
}

/**
 * Physical time after `step` steps, t_n = Σ_{k<n} η_k (docs/models.md):
 * exact for the piecewise-constant steps of the scheme. A constant η gives
 * n·η exactly (the same floating-point number as before schedules existed);
 * otherwise a prefix sum (compensated) computed once per function and
 * extended on demand.
 */
export function timeFunction(lr: ScheduledValue, runSteps: number): (step: number) => number {
  if (isConstant(lr)) {
    const eta = initialValue(lr);
    return (step) => step * eta;
  }
  let prefix = new Float64Array(1);
  let filled = 0;
  let comp = 0;
  return (step) => {
    if (step <= 0) return 0;
    if (step > filled) {
      if (step >= prefix.length) {
        const grown = new Float64Array(Math.max(step + 1, Math.min(2 * prefix.length, runSteps + 1)));
        grown.set(prefix.subarray(0, filled + 1));
        prefix = grown;
      }
      let sum = prefix[filled];
      for (let k = filled; k < step; k++) {
        // Kahan summation: 1e6 steps of η ≈ 1e-3 keep ≈ 1e-16 relative error.
        const y = scheduleValue(lr, k, runSteps) - comp;
        const t = sum + y;
        comp = t - sum - y;
        sum = t;
        prefix[k + 1] = sum;
      }
      filled = step;
    }
    return prefix[step];
  };
}

/** The scheduled parts of the dynamics settings (scenario `dynamics` and `dynamics.groups`). */
export interface ScheduleSettings {
  lr: ScheduledValue;
  temperature: ScheduledValue;
  /** Per-group lr / temperature (after step_size has set the groups' learning rates). */
  groups?: Readonly<Record<string, { lr?: ScheduledValue; temperature?: ScheduledValue }>>;
}

/**
 * The η, θ, λ of every step of a run: which schedule drives each coordinate,
 * and the StepControl the integrators read. With only constant values
 * (`constant`), `advance` does nothing and the control holds exactly the
 * build-time settings, so such a run is the run without schedules.
 */
export class DynamicsSchedule {
  readonly control: StepControl;
  /** True when no value changes over the run (no per-step work). */
  readonly constant: boolean;
  /** Physical time after `step` steps, t_n = Σ_{k<n} η_k of the base `lr`. */
  readonly timeAt: (step: number) => number;
  private readonly lrSpecs: ScheduledValue[];
  private readonly thSpecs: ScheduledValue[];
  /** Coordinate ranges [start, end) with one (lr spec, temperature spec) pair each. */
  private readonly runs: { start: number; end: number; lr: number; th: number }[];
  private readonly lrNow: Float64Array;
  private readonly thNow: Float64Array;
  private readonly explore: Uint8Array;
  /** θ of the build-time settings (restored after an exploration stage). */
  private readonly thBase: Float64Array;

  constructor(
    settings: CoordinateSettings,
    groups: readonly ParamGroup[],
    scheduled: ScheduleSettings,
    readonly runSteps: number,
  ) {
    const dim = settings.lr.length;
    this.control = new StepControl(dim);
    this.control.lr.set(settings.lr);
    this.control.temperature.set(settings.temperature);
    this.control.weightDecay.set(settings.weightDecay);
    this.control.changed();
    this.timeAt = timeFunction(scheduled.lr, runSteps);

    const lrOf = new Int32Array(dim).fill(-1);
    const thOf = new Int32Array(dim).fill(-1);
    this.lrSpecs = [];
    this.thSpecs = [];
    for (const [name, g] of Object.entries(scheduled.groups ?? {})) {
      const group = groups.find((q) => q.name === name);
      if (!group) continue; // coordinateSettings has already rejected unknown groups
      if (g.lr !== undefined && !isConstant(g.lr)) {
        this.lrSpecs.push(g.lr);
        lrOf.fill(this.lrSpecs.length - 1, group.offset, group.offset + group.size);
      } else if (g.lr !== undefined) lrOf.fill(-2, group.offset, group.offset + group.size);
      if (g.temperature !== undefined && !isConstant(g.temperature)) {
        this.thSpecs.push(g.temperature);
        thOf.fill(this.thSpecs.length - 1, group.offset, group.offset + group.size);
      } else if (g.temperature !== undefined) thOf.fill(-2, group.offset, group.offset + group.size);
    }
    // −1: the base value drives the coordinate; −2: a constant group value.
    const baseLr = isConstant(scheduled.lr) ? -2 : (this.lrSpecs.push(scheduled.lr), this.lrSpecs.length - 1);
    const baseTh = isConstant(scheduled.temperature) ? -2 : (this.thSpecs.push(scheduled.temperature), this.thSpecs.length - 1);
    for (let j = 0; j < dim; j++) {
      if (lrOf[j] === -1) lrOf[j] = baseLr;
      if (thOf[j] === -1) thOf[j] = baseTh;
    }
    this.runs = [];
    for (let j = 0; j < dim; j++) {
      const last = this.runs[this.runs.length - 1];
      if (last && last.lr === lrOf[j] && last.th === thOf[j]) last.end = j + 1;
      else this.runs.push({ start: j, end: j + 1, lr: lrOf[j], th: thOf[j] });
    }
    this.constant = this.lrSpecs.length === 0 && this.thSpecs.length === 0;
    this.lrNow = new Float64Array(this.lrSpecs.length);
    this.thNow = new Float64Array(this.thSpecs.length);
    this.explore = new Uint8Array(this.lrSpecs.length);
    this.thBase = settings.temperature.slice();
  }

  /** Set the control to the values of step n (the update from state n to n + 1). */
  advance(step: number): void {
    if (this.constant) return;
    const { lrSpecs, thSpecs, lrNow, thNow, explore, runSteps } = this;
    for (let i = 0; i < lrSpecs.length; i++) {
      lrNow[i] = scheduleValue(lrSpecs[i], step, runSteps);
      explore[i] = isExploring(lrSpecs[i], step, runSteps) ? 1 : 0;
    }
    for (let i = 0; i < thSpecs.length; i++) thNow[i] = scheduleValue(thSpecs[i], step, runSteps);
    const { lr, temperature } = this.control;
    for (const run of this.runs) {
      if (run.lr >= 0) lr.fill(lrNow[run.lr], run.start, run.end);
      if (run.th >= 0) temperature.fill(thNow[run.th], run.start, run.end);
      else temperature.set(this.thBase.subarray(run.start, run.end), run.start);
      if (run.lr >= 0 && explore[run.lr] === 1) temperature.fill(0, run.start, run.end);
    }
    this.control.changed();
  }
}

/** The schedule of a run without schedules: the build-time settings, constant. */
export function constantSchedule(settings: CoordinateSettings): DynamicsSchedule {
  return new DynamicsSchedule(settings, [], { lr: settings.lr[0] ?? 0, temperature: settings.temperature[0] ?? 0 }, 0);
}

/**
 * Physical time of a run's steps, t_n = Σ_{k<n} η_k of the base learning rate
 * (`dynamics.lr`; with `dynamics.step_size` that is the time unit, default 1).
 * The one place summaries, traces, events and first-passage times get their
 * time axis from.
 */
export function runTime(dynamics: { lr: ScheduledValue; steps: number }): (step: number) => number {
  return timeFunction(dynamics.lr, dynamics.steps);
}

/** Times of per-replica steps (e.g. first-passage steps); NaN (never entered) stays NaN. */
export function timesOfSteps(steps: ArrayLike<number>, timeAt: (step: number) => number): Float64Array {
  const out = new Float64Array(steps.length);
  for (let i = 0; i < steps.length; i++) {
    const s = steps[i];
    out[i] = s === s ? timeAt(s) : NaN;
  }
  return out;
}
