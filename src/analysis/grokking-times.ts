/**
 * `grokking-times` (run scope; docs/models.md §1.4, grokking as Brownian motion):
 * memorization and grokking times from two events, per replica with
 * censoring (the per-replica steps are events.csv), their means with CIs, the
 * ensemble "train accuracy" (fraction memorized) and "test accuracy" (fraction
 * grokked) over the observation grid, and the zero-loss-manifold theory.
 *
 * Estimators (steps; physical time = steps·η of the group the time belongs to):
 *  - t_mem is nearly deterministic (inverse Gaussian): the sample mean ± SE when
 *    no replica is censored, else the Kaplan–Meier mean restricted to the last
 *    step (with its Greenwood-type SE) — `estimator` says which;
 *  - t_grok: the censored exponential MLE mean (Garwood CI) when the KS
 *    exponentiality check of `first-passage` accepts (p ≥ 0.05), else the
 *    Kaplan–Meier restricted mean ± 1.96 SE. The exit time from a ball is not
 *    exponential (coefficient of variation sqrt(2/(m+2))), so with enough
 *    replicas it is the restricted mean; it is biased low when many replicas
 *    are censored (see `censored`).
 * Curves: at every grid step s, the fraction of replicas whose first entry
 * step is ≤ s ("has memorized / grokked by s" — first passage, not the
 * instantaneous fraction on the manifold).
 *
 * Theory (potential `zero-loss-manifold`, or any potential with L, R, m, g given
 * as keys): t_mem = (L − δ)/g and t_grok = R²/(2mθ) (theory/grokking.ts), in
 * steps with the discrete-monitoring corrections of memorizationSteps and
 * grokkingSteps (boundary pushed out by 0.5826·sqrt(2ηθ)), θ and η those of the
 * `u` and `y` groups (coordinates 0 and 1). Parameters: each key, else
 * `s.potential.params`; R defaults to the grokked event's `radius` lower bound,
 * then params R, then L; δ is the memorized event's upper bound on `u` (`le`
 * or `lt`) — without one there is no t_mem theory. The theory of t_grok is the
 * exit of the free walk on the manifold from the ball |y| < R started at t = 0,
 * which is what the event measures when t_mem ≪ t_grok and the grokked event
 * requires |u| ≤ δ with gδ/θ ≫ 1 (then |y|² ≥ R² − u² ≈ R²).
 */
import type { Potential } from '../engine/types.js';
import { renderValue } from '../scenario/index.js';
import type { Scenario } from '../scenario/types.js';
import { analyzeFirstPassage, kaplanMeier } from '../stats/first-passage.js';
import { normalCdf } from '../stats/special.js';
import {
  ballExitSurvival,
  discreteMonitoringShift,
  grokkingSteps,
  grokkingTimeVariance,
  memorizationSteps,
  memorizationTimeVariance,
} from '../theory/grokking.js';
import { checkEventName, coordinateDynamics, finite, type CheckIssue } from './free-energy-profile.js';
import { planEvent, planTime, timeAtStep } from '../plan/run-plan.js';
import { eventTimes, exponentiality, restrictedMean, type EventTimes } from './first-passage.js';
import { registerAnalysis } from './registry.js';

interface Entry {
  memorized: string;
  grokked: string;
  L?: number;
  R?: number;
  m?: number;
  g?: number;
  alpha?: number;
}

interface Estimate {
  estimator: string;
  steps: number | null;
  seSteps: number | null;
  ci95Steps: [number | null, number | null];
  time: number | null;
  entered: number;
  censored: number;
}

function estimate(
  et: EventTimes,
  lr: number,
  allowExponential: boolean,
  alpha: number,
): Estimate & { exponentiality: Record<string, unknown> } {
  const fp = analyzeFirstPassage(et.firstStep, et.horizon, { censorTimes: et.censorStep });
  const expo = exponentiality(et, fp, alpha);
  const base = { entered: fp.entered, censored: fp.censored, exponentiality: expo };
  if (fp.censored === 0 && !allowExponential) {
    const m = fp.sampleMean;
    const se = fp.sampleMeanSE;
    return {
      ...base,
      estimator: 'sample mean ± SE (nothing censored)',
      steps: m,
      seSteps: se,
      ci95Steps: [m - 1.96 * se, m + 1.96 * se],
      time: m * lr,
    };
  }
  if (allowExponential && expo.exponential === true) {
    const m = fp.meanTime;
    return {
      ...base,
      estimator: 'censored exponential MLE (KS check accepts the exponential)',
      steps: finite(m),
      seSteps: finite(m / Math.sqrt(Math.max(1, fp.entered))),
      ci95Steps: [finite(fp.meanTimeCI[0]), finite(fp.meanTimeCI[1])],
      time: finite(m * lr),
    };
  }
  const km = kaplanMeier(et.observed, et.isEvent);
  const rm = restrictedMean(km, et.horizon);
  return {
    ...base,
    estimator:
      `Kaplan–Meier mean restricted to the last step ${et.horizon}` +
      (fp.censored === 0 ? ' (nothing censored: equals the sample mean)' : ` (${fp.censored} censored: biased low)`) +
      (allowExponential ? `; the KS check ${expo.exponential === false ? 'rejects' : 'could not test'} the exponential` : ''),
    steps: rm.mean,
    seSteps: finite(rm.se),
    ci95Steps: [finite(rm.mean - 1.96 * rm.se), finite(rm.mean + 1.96 * rm.se)],
    time: rm.mean * lr,
  };
}

/** Inverse-Gaussian CDF of the first passage over distance d with drift g and diffusion θ (physical time). */
function inverseGaussianCdf(t: number, d: number, g: number, theta: number): number {
  const mu = d / g;
  if (!(t > 0)) return 0;
  if (!(theta > 0)) return t >= mu ? 1 : 0;
  const lam = (d * d) / (2 * theta);
  const s = Math.sqrt(lam / t);
  const a = s * (t / mu - 1);
  const b = s * (t / mu + 1);
  const logPhiNeg =
    b < 8
      ? Math.log(normalCdf(-b))
      : -0.5 * b * b - Math.log(b * Math.sqrt(2 * Math.PI)) + Math.log1p(-1 / (b * b) + 3 / b ** 4 - 15 / b ** 6);
  return Math.min(1, normalCdf(a) + Math.exp((2 * lam) / mu + logPhiNeg));
}

/** The lower bound a region puts on an observable (`ge`/`gt`), or the upper (`le`/`lt`). */
function bound(s: Scenario, event: string, obs: string, side: 'lower' | 'upper'): number | undefined {
  const b = s.observe.events.find((e) => e.name === event)?.enter[obs];
  if (!b) return undefined;
  return side === 'lower' ? (b.ge ?? b.gt) : (b.le ?? b.lt);
}

function params(s: Scenario): Record<string, unknown> {
  return 'kind' in s.potential ? (s.potential.params ?? {}) : {};
}

const isZlm = (s: Scenario) => 'kind' in s.potential && s.potential.kind === 'zero-loss-manifold';

function theoryParams(e: Entry, s: Scenario, potential: Potential) {
  const p = params(s);
  const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
  const zlm = isZlm(s);
  const L = e.L ?? num(p.L) ?? (zlm ? 1 : undefined);
  const g = e.g ?? num(p.g) ?? (zlm ? 1 : undefined);
  const m = e.m ?? num(p.m) ?? (zlm ? potential.dim - 1 : undefined);
  const eventR = bound(s, e.grokked, 'radius', 'lower');
  let R: number | undefined;
  let Rsource: string;
  if (e.R !== undefined) [R, Rsource] = [e.R, 'the R key'];
  else if (eventR !== undefined) [R, Rsource] = [eventR, `the '${e.grokked}' event's radius bound`];
  else if (num(p.R) !== undefined) [R, Rsource] = [num(p.R), 'potential.params.R'];
  else [R, Rsource] = [L, 'L (R defaults to L)'];
  const delta = bound(s, e.memorized, 'u', 'upper');
  return { L, g, m, R, Rsource, delta };
}

registerAnalysis<Entry>({
  kind: 'grokking-times',
  scope: 'run',
  description:
    'memorization and grokking times from two events (censoring), train/test accuracy curves over log-time, vs t_mem = (L−δ)/g and t_grok = R²/(2mθ)',
  keys: { memorized: 'string', grokked: 'string', L: 'number', R: 'number', m: 'number', g: 'number', alpha: 'number' },
  required: ['memorized', 'grokked'],
  check(e, s) {
    const issues: CheckIssue[] = [...checkEventName(s, 'memorized', e.memorized), ...checkEventName(s, 'grokked', e.grokked)];
    for (const k of ['L', 'R', 'g'] as const)
      if (e[k] !== undefined && !(e[k]! > 0)) issues.push({ key: k, expected: 'a number > 0', found: renderValue(e[k]) });
    if (e.m !== undefined && !(Number.isInteger(e.m) && e.m >= 1))
      issues.push({ key: 'm', expected: 'an integer ≥ 1', found: renderValue(e.m) });
    if (e.alpha !== undefined && !(e.alpha > 0 && e.alpha < 0.5))
      issues.push({ key: 'alpha', expected: 'a significance level in (0, 0.5)', found: renderValue(e.alpha) });
    return issues;
  },
  run(e, { scenario: s, plan, result: r, potential }) {
    const alpha = e.alpha ?? 0.05;
    const every = (name: string) => planEvent(plan, name)?.every ?? 1;
    const uDyn = coordinateDynamics(plan, 0);
    const yDyn = coordinateDynamics(plan, Math.min(1, potential.dim - 1));
    const mem = eventTimes(r, e.memorized, every(e.memorized));
    const grok = eventTimes(r, e.grokked, every(e.grokked));
    const memEst = estimate(mem, uDyn.lr, false, alpha);
    const grokEst = estimate(grok, yDyn.lr, true, alpha);

    // Per replica: the delay t_grok − t_mem among replicas with both, and the order of the two.
    const delays: number[] = [];
    let grokBeforeMem = 0;
    for (let i = 0; i < r.count; i++) {
      if (mem.isEvent[i] && grok.isEvent[i]) {
        delays.push(grok.observed[i]! - mem.observed[i]!);
        if (grok.observed[i]! < mem.observed[i]!) grokBeforeMem++;
      }
    }
    delays.sort((a, b) => a - b);
    const q = (p: number) => (delays.length ? delays[Math.min(delays.length - 1, Math.floor(p * (delays.length - 1) + 0.5))]! : null);

    // Theory.
    const tp = theoryParams(e, s, potential);
    const notes: string[] = [];
    let memTheory: Record<string, unknown> | null = null;
    let grokTheory: Record<string, unknown> | null = null;
    let trainCurve: ((step: number) => number) | null = null;
    let testCurve: ((step: number) => number) | null = null;
    if (tp.L === undefined || tp.g === undefined)
      notes.push('no t_mem theory: L and g are needed (keys, or a zero-loss-manifold potential)');
    else if (tp.delta === undefined) notes.push(`no t_mem theory: the '${e.memorized}' event has no upper bound on u (δ)`);
    else if (!(tp.L > tp.delta)) notes.push(`no t_mem theory: needs L > δ (L = ${tp.L}, δ = ${tp.delta})`);
    else {
      const { L, g, delta } = tp;
      const steps = memorizationSteps(L, delta, g, uDyn.lr, uDyn.temperature);
      const sd = Math.sqrt(memorizationTimeVariance(L, delta, g, uDyn.temperature)) / uDyn.lr;
      memTheory = {
        formula: '(L − δ)/g in time; steps (L − δ + 0.5826·sqrt(2ηθ))/(ηg)',
        L,
        g,
        delta,
        deltaSource: `the '${e.memorized}' event's upper bound on u`,
        temperature: uDyn.temperature,
        lr: uDyn.lr,
        time: (L - delta) / g,
        steps,
        sdSteps: sd,
        ratio: memEst.steps === null ? null : finite(memEst.steps / steps),
        z: memEst.steps === null || !memEst.seSteps ? null : finite((memEst.steps - steps) / memEst.seSteps),
      };
      const dEff = L - delta + (uDyn.temperature > 0 ? discreteMonitoringShift(uDyn.lr, uDyn.temperature) : 0);
      trainCurve = (step) => inverseGaussianCdf(step * uDyn.lr, dEff, g, uDyn.temperature);
    }
    if (tp.R === undefined || tp.m === undefined)
      notes.push('no t_grok theory: R and m are needed (keys, or a zero-loss-manifold potential)');
    else if (!(yDyn.temperature > 0)) notes.push('no t_grok theory: the manifold coordinates run at θ = 0');
    else {
      const { R, m } = tp;
      const steps = grokkingSteps(R, m, yDyn.temperature, yDyn.lr);
      const Reff = R + discreteMonitoringShift(yDyn.lr, yDyn.temperature);
      grokTheory = {
        formula: 'R²/(2mθ) in time; steps R_eff²/(2mηθ), R_eff = R + 0.5826·sqrt(2ηθ)',
        R,
        Rsource: tp.Rsource,
        m,
        temperature: yDyn.temperature,
        lr: yDyn.lr,
        time: (R * R) / (2 * m * yDyn.temperature),
        steps,
        sdSteps: Math.sqrt(grokkingTimeVariance(Reff, m, yDyn.temperature)) / yDyn.lr,
        ratio: grokEst.steps === null ? null : finite(grokEst.steps / steps),
        z: grokEst.steps === null || !grokEst.seSteps ? null : finite((grokEst.steps - steps) / grokEst.seSteps),
      };
      if (m <= 12) {
        const S = ballExitSurvival(Reff, m, yDyn.temperature);
        testCurve = (step) => 1 - S(step * yDyn.lr);
      }
      if (memTheory && (grokTheory.steps as number) < 5 * (memTheory.steps as number))
        notes.push('t_grok is not ≫ t_mem: the grokked event (which needs the replica on the manifold) lags the free exit time');
    }

    // Curves on the observation grid.
    const grid = Array.from(r.traces.steps);
    const frac = (et: EventTimes) => {
      const sorted = Array.from(et.observed.filter((_, i) => et.isEvent[i] === 1)).sort((a, b) => a - b);
      let k = 0;
      return grid.map((st) => {
        while (k < sorted.length && sorted[k]! <= st) k++;
        return k / Math.max(1, r.count);
      });
    };
    return {
      memorized: e.memorized,
      grokked: e.grokked,
      replicas: r.count,
      perReplica: 'events.csv (first-entry step per replica; empty = censored)',
      tMem: memEst,
      tGrok: grokEst,
      ratioGrokToMem: memEst.steps && grokEst.steps ? grokEst.steps / memEst.steps : null,
      delay: { replicas: delays.length, q25: q(0.25), median: q(0.5), q75: q(0.75), grokBeforeMemorized: grokBeforeMem },
      theory: { tMem: memTheory, tGrok: grokTheory },
      curves: {
        steps: grid,
        time: grid.map(timeAtStep(planTime(plan))),
        train: frac(mem),
        test: frac(grok),
        theoryTrain: trainCurve ? grid.map((st) => trainCurve!(st)) : null,
        theoryTest: testCurve ? grid.map((st) => testCurve!(st)) : null,
        note: 'fraction of replicas whose first entry is at or before the grid step (train = memorized, test = grokked); theory: inverse-Gaussian CDF of t_mem and the exact ball-exit CDF of t_grok',
      },
      notes,
    };
  },
  text(res) {
    const f = (v: unknown) => (typeof v === 'number' ? v.toPrecision(4) : '—');
    const th = res.theory as {
      tMem: { steps: number; ratio: number | null } | null;
      tGrok: { steps: number; ratio: number | null } | null;
    };
    const m = res.tMem as Estimate;
    const g = res.tGrok as Estimate;
    return (
      `grokking times (steps): t_mem ${f(m.steps)} ± ${f(m.seSteps)}${th.tMem ? ` (theory ${f(th.tMem.steps)}, ratio ${f(th.tMem.ratio)})` : ''}; ` +
      `t_grok ${f(g.steps)} ± ${f(g.seSteps)}${th.tGrok ? ` (theory ${f(th.tGrok.steps)}, ratio ${f(th.tGrok.ratio)})` : ''}`
    );
  },
});
