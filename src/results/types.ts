/**
 * A result directory loaded into memory. Three layouts — a run directory, a
 * sweep directory (points/<k>/ run directories), a regimes directory
 * (regimes/<name>/ run directories) — described file by file in docs/outputs.md.
 */
import type { Summary, TracePoint } from '../analysis/summary.js';

/** A CSV file as header + rows of cells (empty cells are ''). */
export interface CsvTable {
  header: string[];
  rows: string[][];
}

/** One row of traces.csv (empty cells → null): a trace point with its observable. */
export interface TraceRow extends TracePoint {
  observable: string;
}

/** One entry of histograms.json. */
export interface HistogramData {
  of: string;
  at: 'final' | 'grid';
  from: number;
  bins: number;
  range: [number, number];
  edges: number[];
  counts: number[];
  density: number[];
  samples: number;
  inRange: number;
  underflow: number;
  overflow: number;
  theory: { kind: string; temperature?: number; probabilities?: number[]; density?: number[] } | null;
}

/** events.csv: per event, the first-entry step of each replica (null = censored). */
export interface EventsData {
  names: string[];
  /** firstStep[e][replica] */
  firstStep: Array<Array<number | null>>;
}

/** A loaded run directory (summary.json present). Missing optional files are null/empty. */
export interface RunData {
  dir: string;
  /** A label: the run's directory name, the sweep point or the regime name. */
  label: string;
  summary: Summary;
  /** scenario.resolved.json (null when absent). */
  scenario: ResolvedScenarioLike | null;
  traces: TraceRow[];
  histograms: HistogramData[];
  events: EventsData | null;
  finals: CsvTable | null;
}

/** The fields of scenario.resolved.json that plots use. */
export interface ResolvedScenarioLike {
  observe?: { grid?: { kind?: string; points?: number } };
  [key: string]: unknown;
}

/** `sweep.json`, `sweep.csv`, `points/<k>/`, optional `phases.csv` and `phase-boundary.json`. */
export interface SweepData {
  /** sweep.json as written (null when absent). */
  meta: Record<string, unknown> | null;
  table: CsvTable | null;
  /** The swept keys (columns of sweep.csv), in order. */
  keys: string[];
  points: RunData[];
  phases: CsvTable | null;
  phaseBoundary: Record<string, unknown> | null;
}

/** `regimes.json`, `regimes/<name>/`, `comparison.json`. */
export interface RegimesData {
  meta: Record<string, unknown> | null;
  runs: RunData[];
  comparison: unknown;
}

export type Layout = 'run' | 'sweep' | 'regimes';

/** A loaded directory of any of the three layouts (exactly one of run / sweep / regimes is set). */
export interface ResultDirectory {
  dir: string;
  layout: Layout;
  /** Set for a run directory. */
  run?: RunData;
  /** Set for a sweep directory. */
  sweep?: SweepData;
  /** Set for a regimes directory. */
  regimes?: RegimesData;
}
