/**
 * Theory overlay `teacher-student-gp` (docs/models.md §2.2): the Gaussian-
 * process (NNGP) limit of the run's erf network on the run's own data set —
 * the same teacher, training set and test set — next to the network's
 * posterior-mean predictor.
 *
 *   gp        — the GP posterior mean (erf arcsine kernel with the network's
 *               s_w² and c = N s_a², noise σ²) trained on the run's n samples:
 *               test error and the linear, cubic (He₃) and cubic-harmonic
 *               (Y₃) overlaps, defined as the potential's observables
 *   measured  — the same four metrics of the network's posterior-mean
 *               predictor (`sampling.predictive`)
 *   curve     — the GP metrics at the sample sizes `gp_n` on the same data
 *               set (the run's training set extended by the same stream, so
 *               the first n samples are the run's)
 *   equivalent — per overlap (cubic, cubic_harmonic): the GP sample size at
 *               which the GP's overlap reaches the network's, interpolated
 *               linearly in ln n between the first bracketing pair of `curve`,
 *               and its ratio to the run's n ("the network learns it with
 *               n/ratio of the samples the GP needs"). Outside the curve the
 *               value is null and `above`/`below` says which bound it passed.
 *
 * The GP metrics of a data set depend only on the data and the priors, so
 * they are computed once per process for each (seed, dataset, sizes, σ²,
 * priors) and reused by the sweep's other points on the same data set.
 * `columns` holds the scalars that sweep.csv writes as `teacher_student_gp_<key>`.
 */
import type { Potential } from '../engine/types.js';
import type { RunResult } from '../parallel/merge.js';
import type { RunPlan } from '../plan/run-plan.js';
import { resolveTeacherStudent, teacherStudentData, type TeacherStudentParams } from '../potentials/neural/teacher-student/index.js';
import type { Scenario } from '../scenario/types.js';
import { renderValue, type ScenarioIssue } from '../scenario/index.js';
import { erfNngp, nestedGpMetrics, type TeacherStudentMetrics } from '../theory/nngp.js';
import { posteriorMeanMetrics, posteriorThermostatIssue, potentialKindIssue } from './posterior-mean.js';

const KIND = 'teacher-student-erf';
const NAME = 'teacher-student-gp';

/** The largest GP training set the overlay factorises (a dense Cholesky of nMax² entries, nMax³/3 operations). */
export const GP_N_LIMIT = 8000;

function params(s: Scenario): Record<string, unknown> {
  return (s.potential.params ?? {}) as Record<string, unknown>;
}

/** The GP sizes of an entry: `gp_n` sorted with the run's n, duplicates removed. */
function gpSizes(t: Record<string, unknown>, n: number): number[] {
  const extra = Array.isArray(t.gp_n) ? (t.gp_n as number[]) : [];
  return [...new Set([n, ...extra])].sort((a, b) => a - b);
}

export function checkTeacherStudentTheory(s: Scenario, plan: RunPlan, t: Record<string, unknown>, at: string): ScenarioIssue[] {
  const wrongKind = potentialKindIssue(s, KIND, NAME, at);
  if (wrongKind) return [wrongKind];
  const issues: ScenarioIssue[] = [];
  const q = params(s);
  for (const key of ['prior_w', 'prior_a'])
    if (q[key] === 'flat')
      issues.push({
        path: `potential.params.${key}`,
        expected: `a Gaussian prior (a number or null) for '${NAME}' (the GP limit is the prior's)`,
        found: renderValue(q[key]),
      });
  const notPosterior = posteriorThermostatIssue(plan, NAME, 'the GP is the limit of the posterior');
  if (notPosterior) issues.push(notPosterior);
  if (!s.sampling?.predictive)
    issues.push({
      path: `${at}.kind`,
      expected: `sampling.predictive: true for '${NAME}' (it compares the posterior-mean predictor)`,
      found: s.sampling ? 'predictive off' : 'no sampling section',
    });
  if (t.gp_n !== undefined) {
    const list = t.gp_n;
    if (!Array.isArray(list) || list.length === 0 || list.some((v) => !Number.isInteger(v) || (v as number) < 1))
      issues.push({ path: `${at}.gp_n`, expected: 'a non-empty list of integers ≥ 1 (GP training-set sizes)', found: renderValue(list) });
    else if (Math.max(...(list as number[])) > GP_N_LIMIT)
      issues.push({
        path: `${at}.gp_n`,
        expected: `sizes ≤ ${GP_N_LIMIT} (a dense Cholesky factorisation of n × n)`,
        found: renderValue(list),
      });
  }
  return issues;
}

const cache = new Map<string, TeacherStudentMetrics[]>();
const CACHE_LIMIT = 64;

/** The GP metrics at `sizes` on the data set of these params and seed (memoised: a pure function of its inputs). */
export function teacherStudentGpMetrics(p: TeacherStudentParams, seed: number, sizes: readonly number[]): TeacherStudentMetrics[] {
  const sw = typeof p.prior_w === 'number' ? p.prior_w : 1 / p.d;
  const sa = typeof p.prior_a === 'number' ? p.prior_a : 1 / p.N;
  const key = JSON.stringify([seed, p.d, p.N, p.dataset, p.n_test, p.epsilon, p.sigma2, sw, sa, sizes]);
  const hit = cache.get(key);
  if (hit) return hit;
  const nMax = Math.max(...sizes);
  const data = teacherStudentData({ ...p, n: nMax }, { seed, run: 0 });
  const metrics = nestedGpMetrics(
    { d: p.d, X: data.X, y: data.y, Xtest: data.Xtest, ztest: data.ztest, ytest: data.ytest },
    sizes,
    erfNngp({ d: p.d, sigmaW2: sw, c: p.N * sa }),
    p.sigma2,
  );
  if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(key, metrics);
  return metrics;
}

/** Where an increasing-ish curve first reaches `value`, interpolated in ln n; null with the bound it passed outside the curve. */
export function equivalentSampleSize(
  curve: ReadonlyArray<{ n: number; value: number }>,
  value: number,
): { n: number | null; below?: number; above?: number } {
  if (curve.length === 0 || !Number.isFinite(value)) return { n: null };
  if (value < curve[0].value) return { n: null, below: curve[0].n };
  for (let i = 0; i + 1 < curve.length; i++) {
    const a = curve[i];
    const b = curve[i + 1];
    if (value === a.value) return { n: a.n };
    if (value > a.value && value <= b.value) {
      const f = (value - a.value) / (b.value - a.value);
      return { n: f === 1 ? b.n : Math.exp(Math.log(a.n) + f * (Math.log(b.n) - Math.log(a.n))) };
    }
  }
  if (value === curve[curve.length - 1].value) return { n: curve[curve.length - 1].n };
  return { n: null, above: curve[curve.length - 1].n };
}

const fin = (v: number | null | undefined): number | null => (v !== null && v !== undefined && Number.isFinite(v) ? v : null);

export function teacherStudentTheoryOverlay(
  s: Scenario,
  r: RunResult,
  potential: Potential,
  t: Record<string, unknown>,
): Record<string, unknown> {
  const p = resolveTeacherStudent(params(s));
  const sizes = gpSizes(t, p.n);
  const curve = teacherStudentGpMetrics(p, s.seed, sizes);
  const gp = curve.find((m) => m.n === p.n)!;
  const m = posteriorMeanMetrics(r, potential);
  const measured = m ? { error: m.error, linear: m.linear_overlap, cubic: m.cubic_overlap, cubicHarmonic: m.cubic_harmonic_overlap } : null;
  const equivalent = (which: 'cubic' | 'cubicHarmonic') => {
    if (!measured) return { n: null, ratio: null };
    const e = equivalentSampleSize(
      curve.map((c) => ({ n: c.n, value: c[which] })),
      measured[which],
    );
    return { ...e, ratio: e.n !== null ? e.n / p.n : null };
  };
  const eqH = equivalent('cubicHarmonic');
  const eqC = equivalent('cubic');
  const bound = (e: { n: number | null; ratio: number | null; above?: number; below?: number }) =>
    e.n !== null
      ? `${e.n.toPrecision(3)} (${e.ratio!.toPrecision(3)}× n)`
      : e.above !== undefined
        ? `> ${e.above} (beyond the GP curve)`
        : e.below !== undefined
          ? `< ${e.below}`
          : '—';
  const f3 = (v: number) => v.toPrecision(3);
  return {
    kind: NAME,
    d: p.d,
    N: p.N,
    n: p.n,
    dataset: p.dataset,
    sigma2: p.sigma2,
    epsilon: p.epsilon,
    gp: { error: gp.error, linear: gp.linear, cubic: gp.cubic, cubicHarmonic: gp.cubicHarmonic },
    measured,
    curve,
    equivalent: { cubicHarmonic: eqH, cubic: eqC },
    columns: {
      gp_error: gp.error,
      gp_linear: gp.linear,
      gp_cubic: gp.cubic,
      gp_cubic_harmonic: gp.cubicHarmonic,
      error_measured: fin(measured?.error),
      linear_measured: fin(measured?.linear),
      cubic_measured: fin(measured?.cubic),
      cubic_harmonic_measured: fin(measured?.cubicHarmonic),
      n_equivalent: fin(eqH.n),
      n_ratio: fin(eqH.ratio),
      ln_n_ratio: eqH.ratio !== null ? Math.log(eqH.ratio) : null,
      n_equivalent_cubic: fin(eqC.n),
    },
    text:
      `GP (NNGP) limit on this data set (d = ${p.d}, n = ${p.n}, σ² = ${p.sigma2}, dataset ${p.dataset}): ` +
      `test error ${f3(gp.error)}, linear overlap ${f3(gp.linear)}, cubic ${f3(gp.cubic)}, cubic harmonic ${f3(gp.cubicHarmonic)}` +
      (measured
        ? `; network posterior mean: ${f3(measured.error)}, ${f3(measured.linear)}, ${f3(measured.cubic)}, ${f3(measured.cubicHarmonic)}` +
          `; the GP reaches the network's cubic-harmonic overlap at n = ${bound(eqH)}, its cubic overlap at n = ${bound(eqC)}`
        : '; the run has no posterior-mean predictor'),
  };
}
