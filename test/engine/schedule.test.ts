/**
 * Schedules of η and θ (engine/schedule.ts): the formulas, physical time
 * t_n = Σ_{k<n} η_k, annealing on a harmonic potential against the exact
 * variance recursion of Euler–Maruyama, and identical runs for any number of
 * workers.
 */
import { describe, expect, it } from 'vitest';
import {
  coordinateSettings,
  createState,
  DynamicsSchedule,
  getIntegrator,
  initialise,
  isExploring,
  scheduleValue,
  simulate,
  timeFunction,
  type EnsembleState,
  type Observer,
  type ScheduledValue,
} from '../../src/engine/index.js';
import { harmonic } from '../../src/potentials/analytic/harmonic.js';
import { runEnsemble } from '../../src/parallel/run.js';
import { validateScenarioObject } from '../../src/scenario/load.js';

describe('schedule formulas', () => {
  const N = 101;
  it('linear, exponential and cosine start at from, end at to (held after N), with the documented midpoints', () => {
    expect(scheduleValue({ schedule: 'linear', from: 1, to: 3 }, 0, N)).toBe(1);
    expect(scheduleValue({ schedule: 'linear', from: 1, to: 3 }, 50, N)).toBeCloseTo(2, 14);
    expect(scheduleValue({ schedule: 'linear', from: 1, to: 3 }, N - 1, N)).toBe(3);
    expect(scheduleValue({ schedule: 'linear', from: 1, to: 3 }, 5 * N, N)).toBe(3);
    // Geometric: the midpoint is the geometric mean, consecutive ratios are constant.
    const e: ScheduledValue = { schedule: 'exponential', from: 1, to: 0.05 };
    expect(scheduleValue(e, 50, N)).toBeCloseTo(Math.sqrt(0.05), 14);
    expect(scheduleValue(e, 11, N) / scheduleValue(e, 10, N)).toBeCloseTo(scheduleValue(e, 71, N) / scheduleValue(e, 70, N), 13);
    expect(scheduleValue(e, N - 1, N)).toBe(0.05);
    expect(scheduleValue({ schedule: 'cosine', from: 2, to: 0 }, 50, N)).toBeCloseTo(1, 14);
    expect(scheduleValue({ schedule: 'cosine', from: 2, to: 0, steps: 11 }, 10, N)).toBe(0);
    expect(scheduleValue({ schedule: 'constant', value: 0.3 }, 40, N)).toBe(0.3);
  });

  it('cyclical: cosine cycles of length ⌈N/M⌉ restarting at from (Zhang et al. 2020 eq. 1), exploration for r < β', () => {
    const c: ScheduledValue = { schedule: 'cyclical', from: 0.4, cycles: 4, exploration: 0.25 };
    const L = Math.ceil(100 / 4);
    for (const n of [0, L, 2 * L, 3 * L]) expect(scheduleValue(c, n, 100)).toBe(0.4);
    for (let n = 0; n < 100; n++) {
      const r = (n % L) / L;
      expect(scheduleValue(c, n, 100)).toBeCloseTo((0.4 / 2) * (Math.cos(Math.PI * r) + 1), 14);
      expect(isExploring(c, n, 100)).toBe(r < 0.25);
    }
  });

  it('physical time is the sum of the steps: n·η for a constant η, the geometric sum for an exponential η', () => {
    expect(timeFunction(1e-3, 1000)(777)).toBe(777 * 1e-3);
    const from = 0.1,
      to = 0.001,
      steps = 500;
    const t = timeFunction({ schedule: 'exponential', from, to }, steps);
    const q = Math.pow(to / from, 1 / (steps - 1));
    for (const n of [1, 2, 250, 500]) {
      const exact = (from * (1 - Math.pow(q, n))) / (1 - q);
      expect(Math.abs(t(n) - exact)).toBeLessThan(1e-13 * exact);
    }
    expect(t(0)).toBe(0);
    // After N the final value is held: each further step adds `to`.
    expect(t(510) - t(500)).toBeCloseTo(10 * to, 13);
  });
});

/** Position variance of an sgld run on f = k x²/2 at the requested steps, with a temperature schedule. */
function annealedVariances(
  o: { k: number; lr: number; temperature: ScheduledValue; steps: number; replicas: number; seed: number },
  at: number[],
): Map<number, number> {
  const p = harmonic([o.k], [0]);
  const info = getIntegrator('sgld')!;
  const settings = coordinateSettings(p.dim, p.groups, { lr: o.lr, temperature: o.temperature, weight_decay: 0 }, {});
  const schedule = new DynamicsSchedule(settings, p.groups, { lr: o.lr, temperature: o.temperature }, o.steps);
  const integrator = info.build(settings, { friction: 1, momenta: 'thermal' });
  const state = createState({ count: o.replicas, dim: 1, firstReplica: 0, seed: o.seed, run: 0, momenta: false });
  initialise(state, p, { kind: 'point', x: [0] });
  const out = new Map<number, number>();
  const observer: Observer = {
    at,
    observe(s: EnsembleState, _p, step) {
      let m = 0,
        q = 0;
      for (let r = 0; r < s.count; r++) m += s.x[r];
      m /= s.count;
      for (let r = 0; r < s.count; r++) q += (s.x[r] - m) ** 2;
      out.set(step, q / (s.count - 1));
    },
  };
  simulate(state, p, integrator, { steps: o.steps, observers: [observer], watchers: [], schedule });
  return out;
}

describe('annealing θ from 1 to 0.05 (geometric) on a harmonic potential', () => {
  it('the variance follows V_{n+1} = (1 − ηk)² V_n + 2ηθ_n, exact for Euler–Maruyama (4σ)', () => {
    const k = 1,
      lr = 0.02,
      steps = 400,
      R = 8000;
    const temperature: ScheduledValue = { schedule: 'exponential', from: 1, to: 0.05 };
    const at = [50, 100, 200, 300, 400];
    const measured = annealedVariances({ k, lr, temperature, steps, replicas: R, seed: 21 }, at);
    let V = 0;
    const exact = new Map<number, number>();
    for (let n = 0; n < steps; n++) {
      V = (1 - lr * k) ** 2 * V + 2 * lr * scheduleValue(temperature, n, steps);
      exact.set(n + 1, V);
    }
    for (const n of at) {
      const e = exact.get(n)!;
      // σ of a Gaussian sample variance: V·sqrt(2/(R − 1)); k = 4.
      expect(Math.abs(measured.get(n)! - e)).toBeLessThan(4 * e * Math.sqrt(2 / (R - 1)));
    }
    // The schedule matters: at the end the variance is far below the start temperature's θ/k = 1, and it lags
    // above the stationary variance of the final temperature, θ_end/(k(1 − ηk/2)) (≈ 1.22 times it here).
    expect(exact.get(steps)!).toBeLessThan(0.5);
    expect(exact.get(steps)! / (0.05 / (k * (1 - (lr * k) / 2)))).toBeGreaterThan(1.1);
  });

  it('a constant schedule object gives the same numbers as the plain number', () => {
    const a = annealedVariances({ k: 1, lr: 0.02, temperature: 0.3, steps: 50, replicas: 64, seed: 5 }, [50]);
    const b = annealedVariances(
      { k: 1, lr: 0.02, temperature: { schedule: 'constant', value: 0.3 }, steps: 50, replicas: 64, seed: 5 },
      [50],
    );
    expect(b.get(50)).toBe(a.get(50));
  });
});

describe('scheduled runs do not depend on the number of workers', () => {
  it('in-process, 1 and 2 workers (and tiles of 7 replicas) give identical traces, finals and events', async () => {
    const scenario = validateScenarioObject(
      {
        name: 'anneal-workers',
        seed: 3,
        potential: { kind: 'double-well', params: { h: 1 } },
        dynamics: {
          integrator: 'sgld',
          lr: { schedule: 'cyclical', from: 0.02, to: 0.002, cycles: 3, exploration: 0.3 },
          temperature: { schedule: 'exponential', from: 1, to: 0.05 },
          steps: 300,
        },
        ensemble: { replicas: 37, init: { kind: 'point', x: [-1] } },
        observe: {
          grid: { kind: 'linear', points: 7 },
          observables: ['x', 'energy'],
          finals: true,
          events: [{ name: 'cross', enter: { x: { ge: 0.5 } } }],
        },
      },
      '',
    );
    const results: Awaited<ReturnType<typeof runEnsemble>>[] = [];
    for (const workers of [0, 1, 2]) results.push(await runEnsemble(scenario, { workers }));
    // Each tile restarts the schedule at step 0.
    results.push(await runEnsemble(scenario, { workers: 0, tile: 7 }));
    const key = (r: (typeof results)[number]) =>
      JSON.stringify({
        finals: Array.from(r.finals.values),
        events: r.events.map((e) => Array.from(e.firstStep)),
        moments: Array.from(r.traces.moments),
      });
    expect(key(results[1])).toBe(key(results[0]));
    expect(key(results[2])).toBe(key(results[0]));
    expect(key(results[3])).toBe(key(results[0]));
    // The run did something: replicas moved from −1 and some crossed the barrier while hot.
    expect(results[0].finals.values.some((v) => v !== -1)).toBe(true);
    expect(Array.from(results[0].events[0].firstStep).some((s) => Number.isFinite(s))).toBe(true);
  });
});

describe('scenario validation of schedules', () => {
  const base = (dynamics: Record<string, unknown>) => ({
    name: 's',
    potential: { kind: 'double-well' },
    dynamics: { steps: 10, ...dynamics },
    ensemble: { replicas: 2 },
  });
  const message = (dynamics: Record<string, unknown>) => {
    try {
      validateScenarioObject(base(dynamics), '');
      return '';
    } catch (e) {
      return (e as Error).message;
    }
  };

  it('accepts numbers and every schedule kind, and keeps them in the resolved scenario', () => {
    const s = validateScenarioObject(
      base({ lr: { schedule: 'cosine', from: 0.01, to: 0.001 }, temperature: { schedule: 'linear', from: 0.5, to: 0.1, steps: 5 } }),
      '',
    );
    expect(s.dynamics.lr).toEqual({ schedule: 'cosine', from: 0.01, to: 0.001 });
    expect(s.dynamics.temperature).toEqual({ schedule: 'linear', from: 0.5, to: 0.1, steps: 5 });
    expect(message({ lr: 0.01, temperature: { schedule: 'cyclical', from: 1, cycles: 2 } })).toBe('');
    expect(message({ lr: { schedule: 'constant', value: 0.01 } })).toBe('');
  });

  it('names the field, what was expected and what was found', () => {
    expect(message({ lr: '0.001' })).toContain('dynamics.lr: expected a number > 0, found "0.001"');
    expect(message({ lr: { schedule: 'expo', from: 1, to: 0.1 } })).toContain("Did you mean 'exponential'?");
    expect(message({ lr: 0.01, temperature: { schedule: 'exponential', from: 1, to: 0 } })).toContain(
      'dynamics.temperature.to: expected a number > 0, found 0',
    );
    expect(message({ lr: 0.01, temperature: { schedule: 'linear', from: 1 } })).toContain('dynamics.temperature.to');
    expect(message({ integrator: 'gd', lr: 0.01, temperature: { schedule: 'linear', from: 1, to: 0 } })).toContain(
      'no temperature schedule with integrator gd',
    );
    expect(message({ lr: 0.01, temperature: { schedule: 'cyclical', from: 1, exploration: 0.5 } })).toContain(
      'exploration on a learning-rate schedule only',
    );
    expect(message({ lr: { schedule: 'linear', from: 1, to: 0.1 }, step_size: {} })).toContain(
      'a number (the time unit) with dynamics.step_size',
    );
  });
});
