/**
 * The typed scenario: what a scenario file says after validation and with
 * every default filled in (`scenario.resolved.json` is this object).
 * The JSON Schema in schema.ts is the single source of truth for the file
 * format; these types mirror it.
 */

import type { ScheduledValue } from '../engine/schedule.js';

export type { ScheduleKind, ScheduleSpec, ScheduledValue } from '../engine/schedule.js';

import type { PotentialSpec } from '../potentials/spec.js';
import type { PosteriorSpec, SamplingSpec } from '../observables/sampling-spec.js';
import type { SplittingSpec } from './splitting.js';

export type { SplittingSpec };

// Declared beside their consumers (potentials/, observables/ sit below scenario/); re-exported here.
export type { PotentialSpec, PosteriorSpec, SamplingSpec };
import type { ExchangeSpec } from './exchange-spec.js';
export type { ExchangeAdaptSpec, ExchangeScheme, ExchangeSpec, GeometricRungs } from './exchange-spec.js';

export interface GroupSettings {
  /** This group's η: a number or a schedule (see engine/schedule.ts). */
  lr?: ScheduledValue;
  /** This group's θ: a number or a schedule. */
  temperature?: ScheduledValue;
  weight_decay?: number;
  /** Adam's (β₁, β₂) for this group (adam, adamw). */
  betas?: [number, number];
  /** Adam's ε / pSGLD's λ for this group. */
  eps?: number;
  /** pSGLD's RMSprop decay α for this group. */
  alpha?: number;
  /** adam (coupled weight decay) or adamw (decoupled) for this group; integrators adam / adamw only. */
  optimizer?: 'adam' | 'adamw';
}

/** A registered integrator (engine/integrators/index.ts): gd, sgld, baoab, adam, adamw, psgld, sghmc, … */
export type IntegratorName = string;

export interface DynamicsSpec {
  integrator: IntegratorName;
  /** Learning rate η, a number or a schedule (the time step: physical time t_n = Σ_{k<n} η_k, engine/schedule.ts timeFunction). */
  lr: ScheduledValue;
  /** Temperature θ ≥ 0 (0 for gd), a number or a schedule. */
  temperature: ScheduledValue;
  steps: number;
  weight_decay: number;
  /** BAOAB friction γ. */
  friction: number;
  /** Minibatch size for potentials with data; null = full batch. */
  batch_size: number | null;
  /** Adam's (β₁, β₂) (adam, adamw; default [0.9, 0.999]). */
  betas?: [number, number];
  /** Adam's ε (default 1e-8) / pSGLD's λ (default 1e-5). */
  eps?: number;
  /** pSGLD's RMSprop decay α (default 0.99). */
  alpha?: number;
  /** Per-group overrides of lr, temperature, weight_decay (and betas, eps, alpha, optimizer). */
  groups: Record<string, GroupSettings>;
  /** Curvature-scaled, preconditioned step sizes (sets every group's lr at run time; see engine/step-size.ts). */
  step_size?: { c: number; safety: number; probes: number };
}

export type InitSpec =
  | { kind: 'point'; x: number[] }
  | { kind: 'normal'; mean: number[]; std: number[] }
  | { kind: 'uniform'; low: number[]; high: number[] }
  | { kind: 'potential' };

export interface EnsembleSpec {
  replicas: number;
  init: InitSpec;
  /** Initial momenta for underdamped integrators. */
  momenta: 'thermal' | 'zero';
  /**
   * Walls per coordinate name, parameter group or '*' (all coordinates): a
   * reflecting box `[lo, hi]` or a periodic one `[lo, hi)` (engine/walls.ts).
   * Absent: no walls.
   */
  bounds?: Record<string, WallSpec>;
}

/** One entry of `ensemble.bounds`: exactly one of the two keys. */
export type WallSpec = { reflect: [number, number] } | { periodic: [number, number] };

export interface GridSpec {
  kind: 'linear' | 'log';
  points: number;
}

export interface HistogramSpec {
  of: string;
  bins: number;
  range: [number, number];
  /** 'final': the final state only; 'grid': every grid point at or after `from`. */
  at: 'final' | 'grid';
  from: number;
}

export interface Bound {
  ge?: number;
  gt?: number;
  le?: number;
  lt?: number;
}

export interface EventSpec {
  name: string;
  /** Region entered: every listed observable within its bounds. */
  enter: Record<string, Bound>;
  /** Check cadence in steps. */
  every: number;
}

export interface ObserveSpec {
  grid: GridSpec;
  observables: string[];
  histograms: HistogramSpec[];
  events: EventSpec[];
  /** Write per-replica final values (finals.csv). */
  finals: boolean;
}

/** A range of sweep values: `points` values from `from` to `to`, both included. */
export interface SweepRange {
  from: number;
  to: number;
  points: number;
}

/** The values of one swept key: a list, or a linear / logarithmic (from, to > 0) range. */
export type SweepAxisSpec = unknown[] | { linear: SweepRange } | { log: SweepRange };

export type SweepMode = 'grid' | 'zip';

/**
 * `sweep:` — dotted scenario keys (`dynamics.temperature`, `potential.params.h`,
 * `observe.histograms[0].bins`) mapped to their values, plus the reserved key
 * `mode` (grid: Cartesian product, first key slowest; zip: element-wise).
 */
export interface SweepSpec {
  mode: SweepMode;
  [key: string]: SweepAxisSpec | SweepMode;
}

/** `regimes:` — regime name → {dotted key: value} overrides of the scenario. */
export type RegimesSpec = Record<string, Record<string, unknown>>;

/** `analysis` entry of kind `phase`: classify each run by a summary.json metric. */
export interface PhaseAnalysisSpec {
  kind: 'phase';
  /** Dotted path into summary.json, e.g. `events.escape.fractionEntered`. */
  metric: string;
  /** Increasing thresholds t1 < … < tk. */
  thresholds: number[];
  /** k + 1 labels: value < t1 → labels[0], t1 ≤ value < t2 → labels[1], …, value ≥ tk → labels[k]. */
  labels: string[];
}

export interface Scenario {
  name: string;
  description: string;
  seed: number;
  potential: PotentialSpec;
  dynamics: DynamicsSpec;
  ensemble: EnsembleSpec;
  observe: ObserveSpec;
  /** Analyses to run on the result (each kind validated by its own checks). */
  analysis: Array<Record<string, unknown> & { kind: string }>;
  /** Theory overlays (e.g. gibbs, mfpt-1d). */
  theory: Array<Record<string, unknown> & { kind: string }>;
  /** Posterior sampling (burn-in, thinning, chains, posterior histograms, predictive); absent = none. */
  sampling?: SamplingSpec;
  /** Rare-event splitting (docs/splitting.md). */
  splitting?: SplittingSpec;
  /** Parameter sweep (run with `stochdyn sweep`); absent for a single run. */
  sweep?: SweepSpec;
  /** Named variants to compare; absent unless given. A scenario has at most one of sweep and regimes. */
  regimes?: RegimesSpec;
  /** Replica exchange over a ladder of temperatures or potential parameters (docs/exchange.md); absent = a plain run. */
  exchange?: ExchangeSpec;
  /** Absolute path of the scenario file it came from ('' for in-memory). */
  source: string;
}
