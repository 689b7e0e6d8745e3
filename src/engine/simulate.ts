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
}

export function simulate(state: EnsembleState, potential: Potential, integrator: Integrator, o: SimulateOptions): void {
  const { steps, observers, watchers } = o;
  state.step = 0;
  const schedule = o.schedule ?? constantSchedule(integrator.settings);
  const control = schedule.control;
  const varying = !schedule.constant;
  schedule.advance(0);
  integrator.init(state, potential, control);

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

  for (const w of watchers) w.check(state, potential, 0);
  let next = nextObs();
  if (next === 0) {
    fire(0);
    next = nextObs();
  }
  const progressEvery = o.progressEvery ?? 1000;
  let nextProgress = progressEvery;
  for (let s = 1; s <= steps; s++) {
    state.step = s;
    if (varying && s > 1) schedule.advance(s - 1); // step 0's values were set before init
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
  }
  o.onProgress?.(steps);
}
