/**
 * Theory overlay `modular-addition-mean-field` (docs/models.md §2.1): the
 * mean-field (adaptive-kernel) theory of src/theory/modular-addition.ts at
 * the run's own P, N, σ², priors and Fourier regulariser, next to what the
 * run measured:
 *
 *   error        — τ², the normalised MSE of the posterior-mean predictor on
 *                  the whole table; measured: the `sampling.predictive` error
 *                  (the average prediction over every sample of every replica)
 *   errorGP      — the same in the GP (NNGP) limit, τ_GP²
 *   overlapRatio — the per-mode ⟨r² s²⟩ over its prior value 4 s_w⁴; measured:
 *                  the mean of the `target_overlap` chain over 4 s_w⁴ K
 *   droplet      — the droplet fraction (Monte Carlo over the theory's
 *                  independent modes, against the observable's threshold);
 *                  measured: the mean of the `droplet_fraction` chain
 *   saddleAction, modeCondensed, neuronCondensed — the saddle-point reading
 *                  (GFL / GMFL-I / GMFL-II)
 *   dropped      — the first-order log-determinant term the decoupling drops,
 *                  against the data term it keeps, for prior neurons at the
 *                  solution's τ (`ratio` ≪ 1: the decoupled action applies)
 *   logDet       — with `log_det: true`: the theory with that term kept
 *                  (Hartree closure of src/theory/modular-addition-logdet.ts),
 *                  or its failure to close on the branch continued from the GP
 *
 * The theory holds for the posterior (temperature 1) of the network trained
 * on every pair with centred targets and Gaussian priors, and needs
 * `fourier_sextic` > 0 (docs/models.md §2.1): `check` says so otherwise.
 * `columns` holds the scalars that sweep.csv writes as
 * `modular_addition_mean_field_<key>`.
 */
import type { Potential } from '../engine/types.js';
import type { RunResult } from '../parallel/merge.js';
import { chainMean, posteriorMeanMetrics, posteriorThermostatIssue, potentialKindIssue } from './posterior-mean.js';
import type { RunPlan } from '../plan/run-plan.js';
import type { Scenario } from '../scenario/types.js';
import { renderValue, type ScenarioIssue } from '../scenario/index.js';
import { modularAdditionHartreeTheory } from '../theory/modular-addition-logdet.js';
import {
  modularAdditionDropletFraction,
  modularAdditionDroppedTerm,
  modularAdditionTheory,
  type ModularAdditionTheoryOptions,
} from '../theory/modular-addition.js';

const KIND = 'modular-addition-square';
const NAME = 'modular-addition-mean-field';

function params(s: Scenario): Record<string, unknown> {
  return (s.potential.params ?? {}) as Record<string, unknown>;
}

/** The theory's options from the scenario's params (defaults of the potential filled in), or why not. */
function theoryOptions(s: Scenario): { options: ModularAdditionTheoryOptions } | { problem: ScenarioIssue } {
  const q = params(s);
  const P = typeof q.P === 'number' ? q.P : 11;
  const N = typeof q.N === 'number' ? q.N : 32;
  const sigma2 = typeof q.sigma2 === 'number' ? q.sigma2 : 0.1;
  const priorW = q.prior_w === undefined ? 0.5 : q.prior_w;
  const priorA = q.prior_a === undefined || q.prior_a === null ? 1 / N : q.prior_a;
  const sextic = typeof q.fourier_sextic === 'number' ? q.fourier_sextic : 0;
  if (typeof priorW !== 'number' || typeof priorA !== 'number')
    return {
      problem: {
        path: 'potential.params.prior_w',
        expected: `Gaussian priors (numbers) on both groups for '${NAME}'`,
        found: `prior_w ${renderValue(priorW)}, prior_a ${renderValue(priorA)}`,
      },
    };
  if (!(sextic > 0))
    return {
      problem: {
        path: 'potential.params.fourier_sextic',
        expected: `> 0 for '${NAME}' (the decoupled action is unbounded below without the sextic term)`,
        found: renderValue(q.fourier_sextic ?? 0),
      },
    };
  return { options: { P, N, sigma2, priorW, priorA, sextic } };
}

export function checkModularAdditionTheory(s: Scenario, plan: RunPlan, t: Record<string, unknown>, at: string): ScenarioIssue[] {
  const wrongKind = potentialKindIssue(s, KIND, NAME, at);
  if (wrongKind) return [wrongKind];
  const issues: ScenarioIssue[] = [];
  const q = params(s);
  if (q.train_fraction !== 1)
    issues.push({
      path: 'potential.params.train_fraction',
      expected: `1 for '${NAME}' (the theory is for the network trained on the whole table)`,
      found: renderValue(q.train_fraction ?? 0.8),
    });
  if (q.targets !== undefined && q.targets !== 'centred')
    issues.push({ path: 'potential.params.targets', expected: `'centred' for '${NAME}'`, found: renderValue(q.targets) });
  if (q.loss_scale !== undefined && q.loss_scale !== null)
    issues.push({
      path: 'potential.params.loss_scale',
      expected: `null for '${NAME}' (the data term must be |f − y|²/(2σ²))`,
      found: renderValue(q.loss_scale),
    });
  const o = theoryOptions(s);
  if ('problem' in o) issues.push(o.problem);
  const notPosterior = posteriorThermostatIssue(plan, NAME, 'the theory is of the posterior');
  if (notPosterior) issues.push(notPosterior);
  if (!s.sampling)
    issues.push({ path: `${at}.kind`, expected: `a sampling: section for '${NAME}' (it compares posterior means)`, found: 'none' });
  for (const key of ['mc_neurons', 'mc_seed'])
    if (t[key] !== undefined && !(Number.isInteger(t[key]) && (t[key] as number) >= (key === 'mc_seed' ? 0 : 1)))
      issues.push({ path: `${at}.${key}`, expected: key === 'mc_seed' ? 'an integer ≥ 0' : 'an integer ≥ 1', found: renderValue(t[key]) });
  return issues;
}

const fin = (v: number | null | undefined): number | null => (v !== null && v !== undefined && Number.isFinite(v) ? v : null);

export function modularAdditionTheoryOverlay(
  s: Scenario,
  r: RunResult,
  potential: Potential,
  t: Record<string, unknown>,
): Record<string, unknown> {
  const o = theoryOptions(s);
  if ('problem' in o) throw new Error(`${NAME}: ${o.problem.path}: expected ${o.problem.expected}, found ${o.problem.found}`);
  const { options } = o;
  const th = modularAdditionTheory(options);
  const neurons = typeof t.mc_neurons === 'number' ? t.mc_neurons : 20000;
  const seed = typeof t.mc_seed === 'number' ? t.mc_seed : 1;
  const drop = modularAdditionDropletFraction(options, th.tau, neurons, seed);
  const dropped = modularAdditionDroppedTerm(options, th.tau, 2000, seed);
  const K = (options.P - 1) / 2;
  const error = posteriorMeanMetrics(r, potential)?.error ?? null;
  const droplet = chainMean(r, 'droplet_fraction');
  const overlap = chainMean(r, 'target_overlap');
  const overlapRatio = overlap !== null ? overlap / (4 * options.priorW * options.priorW * K) : null;
  const hartree = t.log_det === true ? modularAdditionHartreeTheory({ ...options, logDet: true, neurons, seed }) : null;
  const logDet = hartree
    ? {
        closed: hartree.closed,
        residual: hartree.residual,
        tau: hartree.tau,
        error: hartree.error,
        overlapRatio: hartree.overlapRatio,
        normRatio: hartree.normRatio,
        droplet: { fraction: hartree.droplet, se: hartree.dropletSe },
        lambda: hartree.lambda,
        coefficients: { B: hartree.B, A4: hartree.A4, C: hartree.C },
        neuronCondensed: hartree.neuronCondensed,
        saddleAction: hartree.saddleAction,
      }
    : null;
  const phase =
    th.saddleAction === null ? 'GFL (one minimum per mode)' : th.saddleAction > 1 ? 'GFL' : th.saddleAction < -1 ? 'GMFL-II' : 'GMFL-I';
  return {
    kind: NAME,
    ...options,
    tau: th.tau,
    error: th.error,
    errorGP: th.errorGP,
    lambda: th.lambda,
    coupling: th.coupling,
    overlapRatio: th.overlapRatio,
    droplet: { fraction: drop.fraction, se: drop.se, threshold: drop.threshold, neurons, seed },
    saddleRho2: th.saddleRho2,
    barrierRho2: th.barrierRho2,
    saddleAction: th.saddleAction,
    modeCondensed: th.modeCondensed,
    neuronCondensed: th.neuronCondensed,
    phase,
    dropped,
    logDet,
    measured: { error, droplet, overlapRatio },
    columns: {
      tau: th.tau,
      error: th.error,
      error_gp: th.errorGP,
      error_measured: fin(error),
      overlap_ratio: th.overlapRatio,
      overlap_ratio_measured: fin(overlapRatio),
      droplet: drop.fraction,
      droplet_se: drop.se,
      droplet_measured: fin(droplet),
      saddle_action: fin(th.saddleAction),
      neuron_condensed: th.neuronCondensed,
      dropped_ratio: dropped.ratio,
      ...(hartree
        ? {
            logdet_closed: hartree.closed,
            logdet_error: hartree.closed ? hartree.error : null,
            logdet_overlap_ratio: hartree.closed ? hartree.overlapRatio : null,
            logdet_norm_ratio: hartree.closed ? hartree.normRatio : null,
            logdet_droplet: hartree.closed ? hartree.droplet : null,
          }
        : {}),
    },
    text:
      `mean-field theory (P = ${options.P}, N = ${options.N}, σ² = ${options.sigma2}, s_w² = ${options.priorW}, s_a² = ${options.priorA.toPrecision(4)}, γ = ${options.sextic}): ` +
      `posterior-mean error τ² = ${th.error.toPrecision(4)} (GP limit ${th.errorGP.toPrecision(4)})` +
      (error !== null ? `, measured ${error.toPrecision(4)}` : '') +
      `; target overlap ${th.overlapRatio.toFixed(2)}× its prior value` +
      (overlapRatio !== null ? ` (measured ${overlapRatio.toFixed(2)}×)` : '') +
      `; droplet fraction ${drop.fraction.toFixed(3)} ± ${drop.se.toFixed(3)}` +
      (droplet !== null ? ` (measured ${droplet.toFixed(3)})` : '') +
      `; ${phase}` +
      `; dropped/kept term ${dropped.ratio.toPrecision(3)}${dropped.ratio > 0.3 ? ' (the decoupled action is not a fair description here)' : ''}` +
      (hartree
        ? hartree.closed
          ? `; with the log-det kept: τ² = ${hartree.error.toPrecision(4)}, target overlap ${hartree.overlapRatio.toFixed(2)}×, |w|² ${hartree.normRatio.toFixed(2)}× prior, droplet fraction ${hartree.droplet.toFixed(3)}`
          : `; with the log-det kept the theory does not close (the branch from the GP runs away into condensed neurons at τ = ${hartree.tau.toPrecision(3)})`
        : '') +
      (th.saddleAction !== null
        ? ` (droplet saddle at ρ² = ${th.saddleRho2!.toPrecision(3)}, action ${th.saddleAction.toFixed(2)} above zero's)`
        : ''),
  };
}
