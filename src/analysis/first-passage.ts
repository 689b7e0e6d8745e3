/**
 * `first-passage` (run scope; docs/models.md §1.2: first-passage times are
 * exponential, the measured mean matches the exact MFPT): for one event,
 *  - the censored maximum-likelihood exponential rate and MFPT with the exact
 *    (Garwood chi-square) 95 % CI, as in summary.events (stats/first-passage.ts);
 *  - the Kaplan–Meier median with a 95 % CI (where the log(−log) band crosses ½);
 *  - an exponentiality check: one-sample Kolmogorov–Smirnov test of the entry
 *    steps against the exponential CDF with the fitted rate λ̂, truncated at the
 *    censoring horizon C (the last step): F(t) = (1 − e^{−λ̂t})/(1 − e^{−λ̂C}).
 *    Because λ̂ is estimated from the same data, the tabulated p-value is
 *    conservative (Lilliefors): a rejection is trustworthy, an acceptance is
 *    weaker than its p-value says. Entry steps are multiples of the event's
 *    `every`; the CDF is evaluated at the middle of the monitoring interval
 *    (t − every/2). Replicas censored early (diverged) are left out of the test;
 *  - a lag-corrected fit T = t₀ + Exp(λ): t₀ = the first entry step (its MLE),
 *    λ = entries / Σ(observed − t₀), likelihood-ratio statistic
 *    2(ℓ_shifted − ℓ_exp) = 2d ln(E/E₀) and the same KS test; it is reported as
 *    `better` ("clearly better") when the plain exponential is rejected by KS,
 *    the shifted one is not, and the statistic exceeds 10.83 (χ²₁ at 0.001; the
 *    shift is a boundary parameter, so read it as a guide). A short transit lag
 *    (e.g. from one minimum over the barrier to the other) gives a large
 *    statistic without mattering: compare `lagSteps` with the MFPT;
 *  - theory: when the scenario has an `mfpt-1d` overlay for this event, the
 *    ratio measured/exact MFPT with its CI and z = (measured − exact)/SE,
 *    SE = τ̂/√d (d entries).
 *
 * The helpers at the top (event times with censoring, restricted mean,
 * truncated-exponential KS) are shared with `grokking-times`.
 */
import type { RunResult } from '../parallel/merge.js';
import { renderValue } from '../scenario/index.js';
import { analyzeFirstPassage, kaplanMeier, type FirstPassageSummary, type KaplanMeier } from '../stats/first-passage.js';
import { ksTest, type KsResult } from '../stats/tests.js';
import { checkEventName, finite, type CheckIssue } from './free-energy-profile.js';
import { registerAnalysis } from './registry.js';
import { planEvent } from '../plan/run-plan.js';

// ---------------------------------------------------------------- shared helpers

export interface EventTimes {
  /** First-entry step per replica (NaN = censored). */
  firstStep: Float64Array;
  /** Censoring step per replica: the last step, or the divergence step for replicas that diverged first. */
  censorStep: Float64Array;
  /** min(entry, censoring) and the event flag. */
  observed: Float64Array;
  isEvent: Uint8Array;
  /** The event check cadence (steps). */
  every: number;
  horizon: number;
}

/** Entry steps of an event with the censoring used in summary.events. */
export function eventTimes(r: RunResult, name: string, every = 1): EventTimes {
  const ev = r.events.find((e) => e.name === name);
  if (!ev) throw new Error(`event '${name}' was not recorded`);
  const n = ev.firstStep.length;
  const censorStep = new Float64Array(n);
  const observed = new Float64Array(n);
  const isEvent = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const t = ev.firstStep[i]!;
    const d = r.divergedAt[i]!;
    censorStep[i] = d >= 0 && !(t <= d) ? d : r.steps;
    if (t === t && t >= 0 && t <= censorStep[i]!) {
      observed[i] = t;
      isEvent[i] = 1;
    } else observed[i] = censorStep[i]!;
  }
  return { firstStep: ev.firstStep, censorStep, observed, isEvent, every, horizon: r.steps };
}

/**
 * Kaplan–Meier restricted mean ∫_0^τ S(t) dt with its standard error
 * Var = Σ_{t_k ≤ τ} A_k² d_k/(n_k(n_k − d_k)), A_k = ∫_{t_k}^τ S (Klein &
 * Moeschberger 4.5). Equals the sample mean when nothing is censored before τ.
 */
export function restrictedMean(km: KaplanMeier, tau: number): { mean: number; se: number } {
  let mean = 0;
  let prevT = 0;
  let prevS = 1;
  const areaAfter: number[] = [];
  for (let k = 0; k < km.times.length && km.times[k]! <= tau; k++) {
    mean += prevS * (km.times[k]! - prevT);
    prevT = km.times[k]!;
    prevS = km.survival[k]!;
  }
  mean += prevS * (tau - prevT);
  // A_k = ∫_{t_k}^τ S, from the right.
  const K = km.times.filter((t) => t <= tau).length;
  let acc = 0;
  for (let k = K - 1; k >= 0; k--) {
    const next = k + 1 < K ? km.times[k + 1]! : tau;
    acc += km.survival[k]! * (next - km.times[k]!);
    areaAfter[k] = acc;
  }
  let v = 0;
  for (let k = 0; k < K; k++) {
    const A = areaAfter[k]!;
    if (A === 0) continue;
    const n = km.atRisk[k]!;
    const d = km.events[k]!;
    v += n > d ? (A * A * d) / (n * (n - d)) : Infinity;
  }
  return { mean, se: Math.sqrt(v) };
}

/** KS test of entry steps ≥ t₀ against t₀ + Exp(λ) truncated at `horizon`, evaluated at t − every/2. */
export function truncatedExponentialKs(et: EventTimes, rate: number, t0 = 0): KsResult | null {
  const xs: number[] = [];
  for (let i = 0; i < et.observed.length; i++) if (et.isEvent[i] && et.censorStep[i] === et.horizon) xs.push(et.observed[i]!);
  if (xs.length < 2 || !(rate > 0)) return null;
  const C = et.horizon - t0;
  const norm = -Math.expm1(-rate * C);
  return ksTest(xs, (t) => {
    const x = Math.max(0, t - et.every / 2 - t0);
    return Math.min(1, -Math.expm1(-rate * Math.min(x, C)) / norm);
  });
}

/** The Kaplan–Meier median and the 95 % CI where the pointwise band crosses ½ (null when not reached). */
export function kmMedian(km: KaplanMeier): { median: number | null; ci95: [number | null, number | null] } {
  const cross = (s: number[]): number | null => {
    for (let k = 0; k < km.times.length; k++) if (s[k]! <= 0.5) return km.times[k]!;
    return null;
  };
  return { median: cross(km.survival), ci95: [cross(km.lower), cross(km.upper)] };
}

/** Exponential fit summary of a first-passage analysis, in steps and physical time. */
export function rateFields(fp: FirstPassageSummary, lr: number): Record<string, unknown> {
  return {
    rate: {
      perStep: finite(fp.rate),
      ci95PerStep: [finite(fp.rateCI[0]), finite(fp.rateCI[1])],
      perTime: finite(fp.rate / lr),
      ci95PerTime: [finite(fp.rateCI[0] / lr), finite(fp.rateCI[1] / lr)],
    },
    mfpt: {
      steps: finite(fp.meanTime),
      ci95Steps: [finite(fp.meanTimeCI[0]), finite(fp.meanTimeCI[1])],
      time: finite(fp.meanTime * lr),
      ci95Time: [finite(fp.meanTimeCI[0] * lr), finite(fp.meanTimeCI[1] * lr)],
    },
  };
}

const ksFields = (ks: KsResult | null, alpha: number) =>
  ks ? { statistic: ks.statistic, n: ks.n, pValue: ks.pValue, method: ks.method, rejected: ks.pValue < alpha } : null;

/** Exponentiality check and lag-corrected fit of an event's entry steps (see the header). */
export function exponentiality(et: EventTimes, fp: FirstPassageSummary, alpha: number): Record<string, unknown> {
  const ks = truncatedExponentialKs(et, fp.rate);
  let t0 = Infinity;
  for (let i = 0; i < et.observed.length; i++) if (et.isEvent[i]) t0 = Math.min(t0, et.observed[i]!);
  let shifted: Record<string, unknown> | null = null;
  if (fp.entered >= 2 && Number.isFinite(t0)) {
    let E0 = 0;
    for (let i = 0; i < et.observed.length; i++) E0 += Math.max(0, et.observed[i]! - t0);
    const rate = fp.entered / E0;
    const lr = 2 * fp.entered * Math.log(fp.exposure / E0);
    const sks = truncatedExponentialKs(et, rate, t0);
    shifted = {
      lagSteps: t0,
      ratePerStep: rate,
      meanSteps: t0 + 1 / rate,
      likelihoodRatio: lr,
      ks: ksFields(sks, alpha),
      better: lr > 10.83 && !!sks && sks.pValue >= alpha && !!ks && ks.pValue < alpha,
    };
  }
  return {
    test: `one-sample Kolmogorov–Smirnov of the entry steps against the exponential CDF with the fitted rate λ̂, truncated at the last step (${et.horizon}); λ̂ is estimated from the same data, so the p-value is conservative (rejections are reliable)`,
    alpha,
    ks: ksFields(ks, alpha),
    exponential: ks ? ks.pValue >= alpha : null,
    shifted,
  };
}

// ---------------------------------------------------------------- the analysis

interface Entry {
  event: string;
  alpha?: number;
}

registerAnalysis<Entry>({
  kind: 'first-passage',
  scope: 'run',
  description:
    'censored MLE rate and MFPT with CIs, Kaplan–Meier median, KS exponentiality check (+ lag fit), vs the exact MFPT of an mfpt-1d overlay',
  keys: { event: 'string', alpha: 'number' },
  required: ['event'],
  check(e, s) {
    const issues: CheckIssue[] = checkEventName(s, 'event', e.event);
    if (e.alpha !== undefined && !(e.alpha > 0 && e.alpha < 0.5))
      issues.push({ key: 'alpha', expected: 'a significance level in (0, 0.5)', found: renderValue(e.alpha) });
    return issues;
  },
  run(e, { plan, result: r, summary }) {
    const alpha = e.alpha ?? 0.05;
    const lr = plan.timeStep;
    const every = planEvent(plan, e.event)?.every ?? 1;
    const et = eventTimes(r, e.event, every);
    const fp = analyzeFirstPassage(et.firstStep, r.steps, { censorTimes: et.censorStep });
    const km = kaplanMeier(et.observed, et.isEvent);
    const med = kmMedian(km);
    const expo = exponentiality(et, fp, alpha);
    let theory: Record<string, unknown> | null = null;
    const overlay = (summary.theory as Array<Record<string, unknown>>).find((t) => t && t.kind === 'mfpt-1d' && t.event === e.event);
    if (overlay && typeof overlay.exactTime === 'number') {
      const exact = overlay.exactTime;
      const measured = fp.meanTime * lr;
      const se = measured / Math.sqrt(Math.max(1, fp.entered));
      theory = {
        kind: 'mfpt-1d',
        from: overlay.from,
        to: overlay.to,
        exactTime: exact,
        kramersTime: overlay.kramersTime ?? null,
        measuredTime: finite(measured),
        ratio: finite(measured / exact),
        ratioCi95: [finite((fp.meanTimeCI[0] * lr) / exact), finite((fp.meanTimeCI[1] * lr) / exact)],
        z: finite((measured - exact) / se),
      };
    }
    return {
      event: e.event,
      every,
      replicas: fp.n,
      entered: fp.entered,
      censored: fp.censored,
      fractionEntered: fp.n > 0 ? fp.entered / fp.n : 0,
      horizonSteps: r.steps,
      ...rateFields(fp, lr),
      median: {
        steps: med.median,
        ci95Steps: med.ci95,
        time: med.median === null ? null : med.median * lr,
        note: 'Kaplan–Meier; CI where the log(−log) 95 % band crosses ½; null while survival stays above ½',
      },
      exponentiality: expo,
      theory,
    };
  },
  text(res) {
    const m = res.mfpt as { time: number | null; ci95Time: [number | null, number | null] };
    const x = res.exponentiality as { ks: { pValue: number } | null; exponential: boolean | null; alpha?: number };
    const t = res.theory as { exactTime: number; ratio: number | null } | null;
    const f = (v: number | null) => (v === null ? '—' : v.toPrecision(4));
    return (
      `first passage '${res.event}': ${res.entered}/${res.replicas} entered; MFPT ${f(m.time)} (95% CI ${f(m.ci95Time[0])} – ${f(m.ci95Time[1])})` +
      (x.ks
        ? `; KS vs exponential p = ${x.ks.pValue.toPrecision(3)} (${x.exponential ? 'consistent' : 'rejected'}${x.alpha !== undefined ? ` at the ${x.alpha} level, the analysis's alpha` : ''})`
        : '') +
      (t ? `; exact ${t.exactTime.toPrecision(4)}, ratio ${f(t.ratio)}` : '')
    );
  },
});
