/**
 * What the theory overlays that compare a sampled posterior with a
 * closed-form or GP prediction share: the checks that the run is of the
 * overlay's potential and samples the posterior (temperature 1, no weight
 * decay), the mean of a sampled chain, and the metrics of the posterior-mean
 * predictor (the average prediction over every sample of every replica, as
 * `sampling.predictive.posteriorMean` of summary.json).
 */
import type { Potential } from '../engine/types.js';
import type { RunResult } from '../parallel/merge.js';
import { temperatureScheduled, uniformThermostat, type RunPlan } from '../plan/run-plan.js';
import type { Scenario } from '../scenario/types.js';
import { renderValue, type ScenarioIssue } from '../scenario/index.js';

/** The issue when the scenario's potential is not `kind` (overlay `name`, entry at `at`), or null. */
export function potentialKindIssue(s: Scenario, kind: string, name: string, at: string): ScenarioIssue | null {
  const found = 'kind' in s.potential ? s.potential.kind : null;
  if (found === kind) return null;
  return { path: `${at}.kind`, expected: `potential.kind '${kind}' for '${name}'`, found: renderValue(found ?? 'a module potential') };
}

/** The issue when the run does not sample the posterior (temperature 1, no weight decay, one thermostat, unscheduled), or null; `why` ends the expectation. */
export function posteriorThermostatIssue(plan: RunPlan, name: string, why: string): ScenarioIssue | null {
  const thermostat = uniformThermostat(plan);
  if (!temperatureScheduled(plan) && thermostat && thermostat.temperature === 1 && thermostat.weightDecay === 0) return null;
  return {
    path: 'dynamics.temperature',
    expected: `temperature 1 and no weight decay on every group for '${name}' (${why})`,
    found: thermostat ? `temperature ${thermostat.temperature}, weight decay ${thermostat.weightDecay}` : 'per-group or scheduled settings',
  };
}

/** Mean over every finite sample of every replica of one chain, or null when the run did not sample it. */
export function chainMean(r: RunResult, name: string): number | null {
  const smp = r.sampling;
  if (!smp) return null;
  const k = smp.chains.indexOf(name);
  if (k < 0) return null;
  const nS = smp.steps.length;
  const nC = smp.chains.length;
  const count = smp.values.length / (nC * nS);
  let sum = 0;
  let n = 0;
  for (let rep = 0; rep < count; rep++)
    for (let i = 0; i < nS; i++) {
      const v = smp.values[(rep * nC + k) * nS + i];
      if (Number.isFinite(v)) {
        sum += v;
        n++;
      }
    }
  return n > 0 ? sum / n : null;
}

/** The metrics of the posterior-mean predictor (the potential's `predictive.metrics`), or null when the run has no predictive. */
export function posteriorMeanMetrics(r: RunResult, potential: Potential): Record<string, number> | null {
  const pr = r.sampling?.predictive;
  if (!pr || !potential.predictive) return null;
  const total = new Float64Array(pr.size);
  let count = 0;
  for (let rep = 0; rep < pr.samples.length; rep++) {
    const m = pr.samples[rep];
    if (!(m > 0)) continue;
    count += m;
    for (let j = 0; j < pr.size; j++) total[j] += pr.sums[rep * pr.size + j];
  }
  if (count === 0) return null;
  for (let j = 0; j < pr.size; j++) total[j] /= count;
  return potential.predictive.metrics(total, 0);
}
