/**
 * The typed scenario: what a scenario file says after validation and with
 * every default filled in (`scenario.resolved.json` is this object).
 * The JSON Schema in schema.ts is the single source of truth for the file
 * format; these types mirror it.
 */

export type PotentialSpec =
  | { kind: string; params: Record<string, unknown> }
  /** A user module (resolved to an absolute path at load time) exporting `createPotential(params)`. */
  | { module: string; params: Record<string, unknown> }
  /** An expression over named coordinates, e.g. "x^4 - 2*x^2 + 0.1*x"; params are constants in scope. */
  | { expression: string; coordinates: string[]; params: Record<string, number>; minima?: number[][] };

export interface GroupSettings {
  lr?: number;
  temperature?: number;
  weight_decay?: number;
}

export type IntegratorName = 'gd' | 'sgld' | 'baoab';

export interface DynamicsSpec {
  integrator: IntegratorName;
  /** Learning rate η (the time step: physical time t = steps · η). */
  lr: number;
  /** Temperature θ ≥ 0 (0 for gd). */
  temperature: number;
  steps: number;
  weight_decay: number;
  /** BAOAB friction γ. */
  friction: number;
  /** Minibatch size for potentials with data; null = full batch. */
  batch_size: number | null;
  /** Per-group overrides of lr, temperature, weight_decay. */
  groups: Record<string, GroupSettings>;
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
}

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

export interface Scenario {
  name: string;
  description: string;
  seed: number;
  potential: PotentialSpec;
  dynamics: DynamicsSpec;
  ensemble: EnsembleSpec;
  observe: ObserveSpec;
  /** Analyses to run on the result (issue-specific kinds; validated by kind). */
  analysis: Array<Record<string, unknown> & { kind: string }>;
  /** Theory overlays (e.g. gibbs, mfpt-1d). */
  theory: Array<Record<string, unknown> & { kind: string }>;
  /** Absolute path of the scenario file it came from ('' for in-memory). */
  source: string;
}
