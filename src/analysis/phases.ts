/**
 * Phase classification of sweep points (the `analysis` entries of kind
 * `phase`): each point's summary.json metric, read at a dotted path, is
 * binned by increasing thresholds into one of the labels. The entries are
 * checked when the scenario loads (scenario/sweep.ts phaseAnalysisIssues);
 * the sweep table, phases.csv and the phase diagram classify with these.
 */
import type { PhaseAnalysisSpec, Scenario } from '../scenario/types.js';

/** The `analysis` entries of kind `phase`. */
export function phaseAnalyses(scenario: Scenario): PhaseAnalysisSpec[] {
  return scenario.analysis.filter((a) => a.kind === 'phase') as unknown as PhaseAnalysisSpec[];
}

/** The phase label of a metric value: value < t1 → labels[0], t1 ≤ value < t2 → labels[1], …; null for a missing value. */
export function classifyPhase(value: unknown, spec: Pick<PhaseAnalysisSpec, 'thresholds' | 'labels'>): string | null {
  if (typeof value !== 'number' || !Number.isFinite(value)) return null;
  let k = 0;
  while (k < spec.thresholds.length && value >= spec.thresholds[k]) k++;
  return spec.labels[k];
}
