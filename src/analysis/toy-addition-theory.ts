/**
 * Theory overlay `toy-addition` (Liu et al. Sec. 3.2, App. E–F; docs/models.md §3.4):
 * what the effective theory says about the run's own training split of a
 * `toy-addition` or `addition-effective` potential (both draw the same split
 * from the scenario seed, p and train_fraction: potentials/relation/toy-addition.ts),
 * next to the measured grokking step (first passage of an event such as
 * `rqi_normalised ≥ 1` or `test_accuracy ≥ 0.9`):
 *
 *   nullity      — of the split's parallelogram system (2 = the linear structure is pinned)
 *   idealRqi     — App. E's RQI-bar: the fraction of parallelograms the split implies
 *   lambda3      — third eigenvalue of ℓ_eff's Hessian at the normalised linear
 *                  structure (Z₀ = p); 0 when nullity > 2
 *   predictedSteps = 1/(λ₃η), η the lr integrated for `group` (default `embeddings`;
 *                  the run plan's common η when the potential has no such group);
 *                  Infinity (null in JSON) when λ₃ = 0
 *   unique       — P(nullity = 2) for a random split of the same size (seeded Monte
 *                  Carlo, theory/toy-addition.ts uniqueStructureMonteCarlo) ± SE
 *   measured     — the event's Kaplan–Meier median entry step, mean over those that
 *                  entered, fraction entered, and median / predictedSteps
 *
 * `columns` holds the scalar results, which sweep.csv writes as `toy_addition_<key>`.
 */
import type { RunResult } from '../parallel/merge.js';
import { toyAdditionData } from '../potentials/relation/toy-addition/index.js';
import type { Scenario } from '../scenario/types.js';
import { renderValue, type ScenarioIssue } from '../scenario/index.js';
import { planGroupOf, uniformLr, type RunPlan, planTime } from '../plan/run-plan.js';
import {
  additionTrainingCount,
  grokkingRate,
  idealRQI,
  predictedGrokkingSteps,
  uniqueStructureMonteCarlo,
} from '../theory/toy-addition.js';
import { eventIssue, firstPassageSummary } from './event-stats.js';

const KINDS = ['toy-addition', 'addition-effective'];

/** The theory part of the overlay: a pure function of (p, fraction, seed, η). */
export interface ToyAdditionTheory {
  p: number;
  trainFraction: number;
  trainCount: number;
  nullity: number;
  idealRqi: number;
  lambda3: number;
  eta: number;
  /** 1/(λ₃η); Infinity when λ₃ = 0. */
  predictedSteps: number;
  unique: { probability: number; se: number; trials: number; seed: number; meanNullity: number; meanLambda3Unique: number };
}

export function toyAdditionTheory(
  p: number,
  trainFraction: number,
  seed: number,
  eta: number,
  trials = 400,
  mcSeed = 0,
): ToyAdditionTheory {
  const { train } = toyAdditionData({ p, train_fraction: trainFraction, task: 'classification' }, { seed, run: 0 });
  const g = grokkingRate(p, train);
  const mc = uniqueStructureMonteCarlo({ p, fraction: trainFraction, trials, seed: mcSeed });
  return {
    p,
    trainFraction,
    trainCount: train.length / 2,
    nullity: g.nullity,
    idealRqi: idealRQI(p, train),
    lambda3: g.lambda3,
    eta,
    predictedSteps: predictedGrokkingSteps(g.lambda3, eta),
    unique: {
      probability: mc.probability,
      se: mc.se,
      trials,
      seed: mcSeed,
      meanNullity: mc.meanNullity,
      meanLambda3Unique: mc.meanLambda3Unique,
    },
  };
}

/** η integrated for the named group (from the run plan) and where it came from; the common η when the potential has no such group. */
function groupEta(plan: RunPlan, group: string): { eta: number; source: string } {
  const g = plan.groups.find((q) => q.name === group);
  if (g) return { eta: g.lr, source: g.sources.lr };
  const common = uniformLr(plan);
  return common !== null ? { eta: common, source: plan.groups[0].sources.lr } : { eta: NaN, source: `no group '${group}'` };
}

function params(s: Scenario): { p: number; fraction: number } {
  const q = s.potential.params as Record<string, unknown>;
  return { p: typeof q.p === 'number' ? q.p : 10, fraction: typeof q.train_fraction === 'number' ? q.train_fraction : 0.82 };
}

export function checkToyAdditionTheory(s: Scenario, plan: RunPlan, t: Record<string, unknown>, at: string): ScenarioIssue[] {
  const issues: ScenarioIssue[] = [];
  const kind = 'kind' in s.potential ? s.potential.kind : null;
  if (kind === null || !KINDS.includes(kind))
    issues.push({
      path: `${at}.kind`,
      expected: `potential.kind ${KINDS.map((k) => `'${k}'`).join(' or ')} for 'toy-addition'`,
      found: renderValue(kind ?? 'a module potential'),
    });
  if (typeof t.event === 'string') {
    const issue = eventIssue(plan.events, t.event, `${at}.event`);
    if (issue) issues.push(issue);
  }
  if (typeof t.trials === 'number' && !(Number.isInteger(t.trials) && t.trials >= 1))
    issues.push({ path: `${at}.trials`, expected: 'an integer ≥ 1', found: renderValue(t.trials) });
  if (typeof t.group === 'string' && !planGroupOf(plan, t.group) && t.group !== 'embeddings')
    issues.push({
      path: `${at}.group`,
      expected: `a parameter group of the potential (${plan.groups.map((g) => g.name).join(', ')}) or 'embeddings'`,
      found: renderValue(t.group),
    });
  const { eta } = groupEta(plan, typeof t.group === 'string' ? t.group : 'embeddings');
  if (!(eta > 0))
    issues.push({ path: 'dynamics.lr', expected: "a learning rate > 0 for 'toy-addition' (1/(λ₃η))", found: renderValue(eta) });
  return issues;
}

const fin = (v: number): number | null => (Number.isFinite(v) ? v : null);

export function toyAdditionOverlay(s: Scenario, plan: RunPlan, r: RunResult, t: Record<string, unknown>): Record<string, unknown> {
  const { p, fraction } = params(s);
  const group = typeof t.group === 'string' ? t.group : 'embeddings';
  const { eta, source } = groupEta(plan, group);
  const th = toyAdditionTheory(
    p,
    fraction,
    plan.seed,
    eta,
    typeof t.trials === 'number' ? t.trials : 400,
    typeof t.mc_seed === 'number' ? t.mc_seed : 0,
  );
  const event = typeof t.event === 'string' ? t.event : null;
  const ev = event ? r.events.find((e) => e.name === event) : undefined;
  const fp = ev ? firstPassageSummary(ev.firstStep, r.divergedAt, r.steps, planTime(plan)) : null;
  const median = fp?.medianSteps ?? null;
  const ratio = median !== null && Number.isFinite(th.predictedSteps) ? median / th.predictedSteps : null;
  const optimiserNote =
    plan.integrator === 'gd' || plan.integrator === 'sgld'
      ? ''
      : ` (integrator ${plan.integrator}: 1/(λ₃η) is the gradient-flow time scale, an Adam step is not η∇U)`;
  return {
    kind: 'toy-addition',
    p,
    trainFraction: fraction,
    trainCount: th.trainCount,
    samples: (p * (p + 1)) / 2,
    nullity: th.nullity,
    idealRqi: th.idealRqi,
    lambda3: th.lambda3,
    lambda3Z0: p,
    eta,
    etaSource: source,
    predictedSteps: fin(th.predictedSteps),
    unique: th.unique,
    event,
    measured: fp
      ? {
          medianSteps: median,
          meanStepsEntered: fp.meanStepsEntered,
          entered: fp.entered,
          replicas: fp.replicas,
          fractionEntered: fp.fractionEntered,
        }
      : null,
    ratio,
    columns: {
      train_count: th.trainCount,
      nullity: th.nullity,
      ideal_rqi: th.idealRqi,
      lambda3: th.lambda3,
      eta,
      predicted_steps: fin(th.predictedSteps),
      unique_probability: th.unique.probability,
      unique_se: th.unique.se,
      measured_median_steps: median,
      measured_fraction: fp ? fp.fractionEntered : null,
      ratio,
    },
    text:
      `toy-addition p = ${p}, fraction ${fraction} (${th.trainCount}/${(p * (p + 1)) / 2} samples, ${additionTrainingCount(p, fraction)} drawn): nullity ${th.nullity}, ideal RQI ${th.idealRqi.toFixed(3)}, ` +
      `λ₃ = ${th.lambda3.toPrecision(4)} (Z₀ = p), 1/(λ₃η) = ${Number.isFinite(th.predictedSteps) ? th.predictedSteps.toPrecision(4) : '∞'} steps at η = ${eta} (${source})${optimiserNote}; ` +
      `P(unique structure) = ${th.unique.probability.toFixed(3)} ± ${th.unique.se.toFixed(3)} (${th.unique.trials} random splits)` +
      (fp
        ? `; measured ${event}: median step ${median ?? '> last step'}, ${fp.entered}/${fp.replicas} entered${ratio !== null ? `, median/(1/(λ₃η)) = ${ratio.toFixed(2)}` : ''}`
        : ''),
  };
}
