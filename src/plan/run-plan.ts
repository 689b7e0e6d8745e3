/**
 * The RunPlan: everything about one run that is derived from the validated
 * scenario and the built potential, resolved once in the main thread and then
 * read by every consumer (shards, recorders, summary, theory overlays,
 * analyses, sweep tables, reports). A value derived from the scenario is
 * derived here and nowhere else: the per-group overrides of η, θ and λ, the
 * curvature-scaled step sizes of `dynamics.step_size`, the observation grid,
 * the sample steps, the events and their cadence.
 *
 * A plan is plain data (numbers, strings, arrays, typed arrays): it is
 * structured-cloneable, so a shard in a worker thread receives it as it is.
 * The questions consumers ask of it are the free functions below
 * (`temperatureOf`, `lrOf`, `weightDecayOf`, `uniformTemperature`, …), not
 * methods, because methods do not survive the structured clone.
 */
import {
  coordinateSettings,
  createState,
  curvatureStepSizes,
  initialise,
  integrators,
  timeGrid,
  type CoordinateSettings,
  type IntegratorOptions,
  type Potential,
  type StepSizeChoice,
  WallKind,
  type Walls,
} from '../engine/index.js';
import { coordinatesNamed } from '../scenario/checks.js';
import type { GroupSettings } from '../scenario/types.js';
import { initialValue, isConstant, timeFunction, type ScheduleSettings } from '../engine/schedule.js';
import { samplingSteps } from '../observables/sampling.js';
import { planSplitting, type PlanSplitting } from './splitting-plan.js';
import type { Bound, EventSpec, Scenario } from '../scenario/types.js';

/** The settings one parameter group is integrated with (after overrides and `dynamics.step_size`). */
export interface PlanGroup {
  name: string;
  /** First coordinate of the group and its number of coordinates. */
  offset: number;
  size: number;
  /** Learning rate η_g (time step). */
  lr: number;
  /** Temperature θ_g. */
  temperature: number;
  /** L2 weight decay λ_g. */
  weightDecay: number;
  /** Where each value came from: `dynamics.lr`, `dynamics.groups.<g>.lr` or `dynamics.step_size` (likewise for the others). */
  sources: { lr: string; temperature: string; weightDecay: string };
}

/** An event of `observe.events` as the run records it. */
export interface PlanEvent {
  name: string;
  /** Region entered: every listed observable within its bounds. */
  enter: Record<string, Bound>;
  /** Check cadence in steps (first-passage times are known to within this many steps). */
  every: number;
}

/** The resolved run. Every field is a plain value: the plan is structured-cloneable. */
export interface RunPlan {
  /** Scenario name (for messages). */
  name: string;
  /** Master seed and run index: together the root of every replica's stream key `(seed, run, replica)`. */
  seed: number;
  run: number;
  /** Replicas of the ensemble. */
  replicas: number;
  /** Dimension of the parameter vector and the names of its coordinates. */
  dim: number;
  coordinates: string[];
  /** Parameter groups in coordinate order, with the values they are integrated with. */
  groups: PlanGroup[];
  /**
   * Per-coordinate η, θ, λ and optimizer constants, exactly as handed to the
   * integrator (`uniform` true when every coordinate has the same η, θ, λ).
   */
  settings: CoordinateSettings;
  /**
   * The scenario-wide values before group overrides and step_size (what
   * summary.json `run.lr` / `run.temperature` report when the groups differ,
   * next to the per-group values integrated).
   */
  base: { lr: number; temperature: number; weightDecay: number };
  /** Integrator name (a key of the integrator registry) and its build options. */
  integrator: string;
  integratorOptions: IntegratorOptions;
  /** What the integrator needs in the state (momenta, optimizer slots). */
  momenta: boolean;
  optimizerSlots: number;
  /** Minibatch size, only when the potential has data (null = full batch). */
  batchSize: number | null;
  /** Steps of the run. */
  steps: number;
  /**
   * Physical time per step: the common η when every coordinate integrates with
   * the same one and `dynamics.step_size` is off; otherwise `dynamics.lr`, the
   * declared unit of time (docs/scenarios.md: with step_size, lr is only the unit).
   */
  timeStep: number;
  /**
   * The scheduled parts of the dynamics (engine/schedule.ts): the base and
   * per-group lr and temperature as the scenario gives them (numbers or
   * schedule objects), with `dynamics.step_size`'s chosen lr in the groups.
   * The shards build their DynamicsSchedule from this; `settings` holds the
   * values of the first step.
   */
  schedules: ScheduleSettings;
  /** True when some lr or temperature changes during the run (a schedule that is not constant). */
  scheduled: boolean;
  /** The observation grid (steps, increasing, 0 and `steps` included). */
  grid: number[];
  /** The posterior sample steps (burn_in, burn_in + thin, … ≤ steps); [] without `sampling:`. */
  sampleSteps: number[];
  /** Events with their cadence. */
  events: PlanEvent[];
  /** The curvature-scaled step sizes chosen by `dynamics.step_size` (with its c and safety), when set. */
  stepSizes?: StepSizeChoice & { c: number; safety: number };
  /**
   * Walls per coordinate from `ensemble.bounds` (engine/walls.ts), also handed
   * to the integrator in `integratorOptions.walls`; null when there are none
   * (the integrators then run exactly the code they run without walls).
   */
  walls: Walls | null;
  /** The `splitting:` section resolved against the potential (src/plan/splitting-plan.ts), when present. */
  splitting?: PlanSplitting;
}

/**
 * Resolve a validated scenario against its built potential. Call once per run,
 * in the main thread: the curvature estimate of `dynamics.step_size` (power
 * iteration at replicas 0 … probes−1 of the initial ensemble, the same states
 * in every shard) runs here, not in every shard.
 */
export function resolvePlan(scenario: Scenario, potential: Potential, run = 0): RunPlan {
  const d = scenario.dynamics;
  const entry = integrators.get(d.integrator);
  let groupOverrides: Record<string, GroupSettings> = d.groups;
  let stepSizes: RunPlan['stepSizes'];
  if (d.step_size) {
    const probes = Math.min(d.step_size.probes, scenario.ensemble.replicas);
    const probe = createState({ count: probes, dim: potential.dim, firstReplica: 0, seed: scenario.seed, run, momenta: false });
    initialise(probe, potential, scenario.ensemble.init);
    const choice = curvatureStepSizes(potential, probe.x, probes, d.step_size);
    stepSizes = { ...choice, c: d.step_size.c, safety: d.step_size.safety };
    groupOverrides = Object.fromEntries(potential.groups.map((g) => [g.name, { ...d.groups[g.name], lr: choice.lr[g.name] }]));
  }
  const settings = coordinateSettings(potential.dim, potential.groups, d, groupOverrides);
  const groups = potential.groups.map((g) => ({
    name: g.name,
    offset: g.offset,
    size: g.size,
    lr: settings.lr[g.offset],
    temperature: settings.temperature[g.offset],
    weightDecay: settings.weightDecay[g.offset],
    sources: {
      lr: d.step_size ? 'dynamics.step_size' : d.groups[g.name]?.lr !== undefined ? `dynamics.groups.${g.name}.lr` : 'dynamics.lr',
      temperature: d.groups[g.name]?.temperature !== undefined ? `dynamics.groups.${g.name}.temperature` : 'dynamics.temperature',
      weightDecay: d.groups[g.name]?.weight_decay !== undefined ? `dynamics.groups.${g.name}.weight_decay` : 'dynamics.weight_decay',
    },
  }));
  const commonLr = groups.every((g) => g.lr === groups[0].lr) ? groups[0].lr : undefined;
  const walls = resolveWalls(scenario, potential);
  return {
    name: scenario.name,
    seed: scenario.seed,
    run,
    replicas: scenario.ensemble.replicas,
    dim: potential.dim,
    coordinates: [...potential.coordinates],
    groups,
    settings,
    base: { lr: initialValue(d.lr), temperature: initialValue(d.temperature), weightDecay: d.weight_decay },
    integrator: entry.name,
    integratorOptions: { friction: d.friction, momenta: scenario.ensemble.momenta, ...(walls ? { walls } : {}) },
    momenta: entry.needs.momenta,
    optimizerSlots: entry.needs.optimizerSlots ?? 0,
    batchSize: d.batch_size && potential.dataSize ? d.batch_size : null,
    steps: d.steps,
    timeStep: commonLr !== undefined && !d.step_size ? commonLr : initialValue(d.lr),
    schedules: {
      lr: d.lr,
      temperature: d.temperature,
      groups: Object.fromEntries(Object.entries(groupOverrides).map(([g, o]) => [g, { lr: o.lr, temperature: o.temperature }])),
    },
    scheduled: [d.lr, d.temperature, ...Object.values(groupOverrides).flatMap((o) => [o.lr, o.temperature])].some(
      (v) => v !== undefined && !isConstant(v),
    ),
    grid: timeGrid(scenario.observe.grid.kind, scenario.observe.grid.points, d.steps),
    sampleSteps: scenario.sampling ? samplingSteps(scenario.sampling.burn_in, scenario.sampling.thin, d.steps) : [],
    events: planEvents(scenario),
    ...(stepSizes ? { stepSizes } : {}),
    walls,
    ...(scenario.splitting ? { splitting: planSplitting(scenario, potential.coordinates) } : {}),
  };
}

/**
 * Per-coordinate walls of `ensemble.bounds`: '*' first, then parameter groups,
 * then single coordinates, so the most specific entry wins. Null without bounds.
 */
export function resolveWalls(scenario: Scenario, potential: Potential): Walls | null {
  const bounds = scenario.ensemble.bounds;
  if (!bounds || Object.keys(bounds).length === 0) return null;
  const dim = potential.dim;
  const walls: Walls = { lo: new Float64Array(dim), hi: new Float64Array(dim), kind: new Uint8Array(dim) };
  const specificity = (name: string) => (name === '*' ? 0 : potential.coordinates.includes(name) || /^x\[\d+\]$/.test(name) ? 2 : 1);
  const entries = Object.entries(bounds).sort((a, b) => specificity(a[0]) - specificity(b[0]));
  for (const [name, wall] of entries) {
    const [lo, hi] = 'reflect' in wall ? wall.reflect : wall.periodic;
    const kind = 'reflect' in wall ? WallKind.reflect : WallKind.periodic;
    for (const j of coordinatesNamed(name, potential)) {
      walls.lo[j] = lo;
      walls.hi[j] = hi;
      walls.kind[j] = kind;
    }
  }
  return walls;
}

/** The box [lo, hi] and kind of one coordinate (index), or null when it has no walls. */
export function wallOf(plan: RunPlan, coordinate: number): { kind: 'reflect' | 'periodic'; lo: number; hi: number } | null {
  const walls = plan.walls;
  if (!walls || walls.kind[coordinate] === WallKind.none) return null;
  return {
    kind: walls.kind[coordinate] === WallKind.reflect ? 'reflect' : 'periodic',
    lo: walls.lo[coordinate],
    hi: walls.hi[coordinate],
  };
}

/**
 * The events of a scenario as runs record them. Used by resolvePlan and, for
 * the sweep-scope analyses (which see summaries, not plans), by the sweep
 * writer: the one place the `observe.events` section is read.
 */
export function planEvents(scenario: Scenario): PlanEvent[] {
  return scenario.observe.events.map((e: EventSpec) => ({ name: e.name, enter: e.enter, every: e.every }));
}

/** The group holding a coordinate (by index or name), or the group of that name; undefined when none. */
export function planGroupOf(plan: RunPlan, groupOrCoordinate: string | number): PlanGroup | undefined {
  if (typeof groupOrCoordinate === 'number')
    return plan.groups.find((g) => groupOrCoordinate >= g.offset && groupOrCoordinate < g.offset + g.size);
  const group = plan.groups.find((g) => g.name === groupOrCoordinate);
  if (group) return group;
  const j = coordinateIndexOf(plan, groupOrCoordinate);
  return j >= 0 ? planGroupOf(plan, j) : undefined;
}

/** Index of the coordinate a name denotes (`x`, `y0`, `x[3]`), or −1. */
export function coordinateIndexOf(plan: RunPlan, name: string): number {
  const i = plan.coordinates.indexOf(name);
  if (i >= 0) return i;
  const m = /^x\[(\d+)\]$/.exec(name);
  if (m && Number(m[1]) < plan.dim) return Number(m[1]);
  return -1;
}

function valueOf(plan: RunPlan, key: 'lr' | 'temperature' | 'weightDecay', groupOrCoordinate: string | number): number {
  const g = planGroupOf(plan, groupOrCoordinate);
  if (!g)
    throw new Error(
      `run plan of '${plan.name}': no parameter group or coordinate '${groupOrCoordinate}' (groups: ${plan.groups.map((q) => q.name).join(', ')})`,
    );
  return g[key];
}

/** θ integrated for a group or a coordinate (name or index). */
export const temperatureOf = (plan: RunPlan, groupOrCoordinate: string | number): number => valueOf(plan, 'temperature', groupOrCoordinate);
/** η integrated for a group or a coordinate (name or index). */
export const lrOf = (plan: RunPlan, groupOrCoordinate: string | number): number => valueOf(plan, 'lr', groupOrCoordinate);
/** λ (weight decay) integrated for a group or a coordinate (name or index). */
export const weightDecayOf = (plan: RunPlan, groupOrCoordinate: string | number): number => valueOf(plan, 'weightDecay', groupOrCoordinate);

function uniformValue(plan: RunPlan, key: 'lr' | 'temperature' | 'weightDecay'): number | null {
  const first = plan.groups[0]?.[key];
  return first !== undefined && plan.groups.every((g) => g[key] === first) ? first : null;
}

/** The one temperature every coordinate runs at, or null when groups differ. */
export const uniformTemperature = (plan: RunPlan): number | null => uniformValue(plan, 'temperature');
/** The one η every coordinate runs with, or null when groups differ. */
export const uniformLr = (plan: RunPlan): number | null => uniformValue(plan, 'lr');
/** The one weight decay every coordinate has, or null when groups differ. */
export const uniformWeightDecay = (plan: RunPlan): number | null => uniformValue(plan, 'weightDecay');

/**
 * The stationary law is Gibbs exp(−(f + λ|x|²/2)/θ) only when θ and λ are the
 * same on every coordinate (Welling & Teh 2011, eq. 4, with one θ): then this
 * returns them, else null.
 */
export function uniformThermostat(plan: RunPlan): { temperature: number; weightDecay: number } | null {
  const temperature = uniformTemperature(plan);
  const weightDecay = uniformWeightDecay(plan);
  return temperature === null || weightDecay === null ? null : { temperature, weightDecay };
}

/** Whether θ changes during the run (a temperature schedule that is not constant, scenario-wide or on a group). */
export function temperatureScheduled(plan: RunPlan): boolean {
  const values = [plan.schedules.temperature, ...Object.values(plan.schedules.groups ?? {}).map((g) => g.temperature)];
  return values.some((v) => v !== undefined && !isConstant(v));
}

/** How a consumer should describe the temperature: `θ = 0.5`, or `θ per group (w: 0.1, a: 0.2)`. */
export function temperatureText(plan: RunPlan): string {
  const t = uniformTemperature(plan);
  return t !== null ? `θ = ${t}` : `θ per group (${plan.groups.map((g) => `${g.name}: ${g.temperature}`).join(', ')})`;
}

/** The event of that name, or undefined. */
export const planEvent = (plan: RunPlan, name: string): PlanEvent | undefined => plan.events.find((e) => e.name === name);

/** Names of the events, in `observe.events` order. */
export const eventNames = (plan: RunPlan): string[] => plan.events.map((e) => e.name);

/**
 * Physical time of the run's steps, t_n = Σ_{k<n} η_k (docs/models.md,
 * schedules and time): the number `timeStep` when the base learning rate is
 * constant (t = n·η, the same floating-point numbers as a plain product), else
 * a function of the step (the prefix sum of the scheduled η). Every time axis
 * — traces, events, first-passage times, physical run time — comes from here.
 */
export function planTime(plan: RunPlan): number | ((step: number) => number) {
  return isConstant(plan.schedules.lr) ? plan.timeStep : timeFunction(plan.schedules.lr, plan.steps);
}

/** `planTime` as a function of the step. */
export function timeAtStep(time: number | ((step: number) => number)): (step: number) => number {
  return typeof time === 'number' ? (step) => step * time : time;
}
