/**
 * The run loop of one shard: integrate, and call observers at their steps and
 * event watchers at their cadence. Knows no potential and no observable.
 * The η, θ, λ of each step come from the schedule's control; the schedule is
 * evaluated per step only when some value varies.
 */
import { checkEnergies } from './integrators/common.js';
import { constantSchedule, type DynamicsSchedule } from './schedule.js';
import type { EnsembleState, EventWatcher, Integrator, Observer, Potential } from './types.js';

export interface SimulateOptions {
  steps: number;
  observers: readonly Observer[];
  watchers: readonly EventWatcher[];
  /** Called about every `progressEvery` steps with the current step. */
  onProgress?: (step: number) => void;
  progressEvery?: number;
  /** η, θ, λ per step (default: the integrator's build-time settings, constant). */
  schedule?: DynamicsSchedule;
  /**
   * Continue a run that has done `from` steps (0 < from ≤ steps): the state
   * and the integrator are as step `from` left them (the same integrator
   * instance, or one given `resume`), and the observers and watchers of steps
   * ≤ `from` have been called. No `init`, no observation of those steps again.
   */
  from?: number;
  /**
   * Called after every `pollEvery` steps (after that step's watchers and
   * observers); returning true stops the loop there. The run continues
   * with `from` set to the step returned.
   */
  poll?: (step: number) => boolean;
  pollEvery?: number;
}

/** Integrate to `o.steps`, or to the step at which `o.poll` asked to stop; returns the last step done. */
export function simulate(state: EnsembleState, potential: Potential, integrator: Integrator, o: SimulateOptions): number {
  const { steps, observers, watchers } = o;
  const from = o.from ?? 0;
  state.step = from;
  const schedule = o.schedule ?? constantSchedule(integrator.settings);
  const control = schedule.control;
  const varying = !schedule.constant;
  // The values of step `from` (step n uses v_n; the loop advances before every step after the first).
  schedule.advance(from);
  if (from === 0) integrator.init(state, potential, control);

  // Merge the observers' step lists into one sorted schedule.
  const cursor = observers.map(() => 0);
  const nextObs = () => {
    let m = Infinity;
    for (let i = 0; i < observers.length; i++) {
      const at = observers[i].at;
      if (cursor[i] < at.length && at[cursor[i]] < m) m = at[cursor[i]];
    }
    return m;
  };
  const fire = (step: number) => {
    checkEnergies(state);
    for (let i = 0; i < observers.length; i++) {
      const at = observers[i].at;
      while (cursor[i] < at.length && at[cursor[i]] === step) {
        observers[i].observe(state, potential, step, cursor[i]);
        cursor[i]++;
      }
    }
  };

  if (from === 0) for (const w of watchers) w.check(state, potential, 0);
  // Skip the observations already made (steps ≤ from; step 0 is made below on a fresh run).
  for (let i = 0; i < observers.length; i++) {
    const at = observers[i].at;
    while (cursor[i] < at.length && at[cursor[i]] < from + (from > 0 ? 1 : 0)) cursor[i]++;
  }
  let next = nextObs();
  if (next === 0) {
    fire(0);
    next = nextObs();
  }
  const progressEvery = o.progressEvery ?? 1000;
  let nextProgress = from + progressEvery;
  const poll = o.poll;
  const pollEvery = Math.max(1, o.pollEvery ?? progressEvery);
  let nextPoll = poll ? from + pollEvery : Infinity;
  for (let s = from + 1; s <= steps; s++) {
    state.step = s;
    if (varying && s > from + 1) schedule.advance(s - 1); // the first step's values were set above
    integrator.step(state, potential, control);
    for (let w = 0; w < watchers.length; w++) {
      if (s % watchers[w].every === 0) watchers[w].check(state, potential, s);
    }
    if (s === next) {
      fire(s);
      next = nextObs();
    }
    if (s >= nextProgress) {
      nextProgress += progressEvery;
      o.onProgress?.(s);
    }
    if (s >= nextPoll) {
      nextPoll += pollEvery;
      if (s < steps && poll!(s)) {
        // Report where the pause leaves the run (a poll may come before the next progress step).
        o.onProgress?.(s);
        return s;
      }
    }
  }
  o.onProgress?.(steps);
  return steps;
}
