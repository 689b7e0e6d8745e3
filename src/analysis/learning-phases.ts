/**
 * `learning-phases` (run scope; docs/models.md §3.2, Liu et al. 2022 Table 1,
 * GenEFT Table 4): the four phases of learning per replica from two events —
 * `train` ("train accuracy > 0.9") and `test` ("test accuracy > 0.9") — with
 *
 *   t_train, t_test = the first step at which the event holds (events.csv),
 *   reached = that step exists and is ≤ t_max, gap = t_test − t_train:
 *
 *   comprehension  both reached and gap < t_gap
 *   grokking       both reached and gap ≥ t_gap
 *   memorization   train reached, test not
 *   confusion      neither reached
 *
 * Edge cases (the paper's table leaves them open; this is the rule):
 *  - test at or before train (gap ≤ 0) is comprehension: generalization was
 *    not delayed after memorization;
 *  - test reached but train not ("test only") is also comprehension — the
 *    same rule, with t_train > t_max, so gap < 0 — and is counted in
 *    `testOnly` so it can be seen (with a 75 % training fraction it should
 *    essentially never happen);
 *  - replicas that diverged at or before t_max are excluded from the
 *    classification and counted in `diverged` (a divergence after t_max does
 *    not change what happened up to t_max).
 * Defaults: t_max = the run's steps, t_gap = 1000 (the papers' 10³ with
 * t_max = 10⁵; scale both when a scenario runs fewer steps). Event steps are
 * multiples of the event's `every`, so times and gaps have that resolution.
 *
 * Results: counts and fractions per phase with Wilson 95 % intervals (among
 * the classified replicas; also as sweep.csv columns
 * `learning_phases_<phase>`, `learning_phases_phase_index`,
 * `learning_phases_excluded`), the majority phase (ties go to the earlier phase
 * in the order above) and its `phaseIndex` 0…3 (comprehension, grokking,
 * memorization, confusion) for sweep `phase` analyses (metric
 * `analyses.learning-phases.phaseIndex`, thresholds [0.5, 1.5, 2.5]); the
 * mean phase index; first-passage summaries of both events (censored at
 * t_max: Kaplan–Meier median with its 95 % CI, the KM mean restricted to
 * t_max); the delay from train to test among replicas that reached train
 * (max(0, gap), censored at t_max − t_train when test was not reached; KM
 * median with CI) and the plain gap among replicas that reached both
 * (quantiles, mean ± SE, including negative gaps).
 */
import { renderValue } from '../scenario/index.js';
import { wilsonInterval } from '../stats/compare.js';
import { kaplanMeier } from '../stats/first-passage.js';
import { checkEventName, finite, type CheckIssue } from './free-energy-profile.js';
import { kmMedian, restrictedMean } from './first-passage.js';
import { registerAnalysis } from './registry.js';

export const LEARNING_PHASES = ['comprehension', 'grokking', 'memorization', 'confusion'] as const;
export type LearningPhase = (typeof LEARNING_PHASES)[number];

export interface LearningPhaseOptions {
  tMax: number;
  tGap: number;
  /** Per replica: the divergence step (≥ 0) or −1 / NaN when it did not diverge. */
  divergedAt?: ArrayLike<number>;
}

export interface LearningPhaseClassification {
  /** Per replica: the phase, or null when excluded (diverged at or before t_max). */
  phase: Array<LearningPhase | null>;
  /** Per replica: whether each event was reached within t_max (false for excluded replicas). */
  trainReached: boolean[];
  testReached: boolean[];
  counts: Record<LearningPhase, number>;
  classified: number;
  diverged: number;
  testOnly: number;
}

const reachedBy = (t: number, tMax: number) => Number.isFinite(t) && t >= 0 && t <= tMax;

/** Classify each replica from its first-entry steps of the two events (NaN / negative = never). */
export function classifyLearningPhases(
  trainStep: ArrayLike<number>,
  testStep: ArrayLike<number>,
  o: LearningPhaseOptions,
): LearningPhaseClassification {
  const n = trainStep.length;
  if (testStep.length !== n) throw new RangeError('classifyLearningPhases: the two events have different replica counts');
  if (!(o.tMax > 0) || !(o.tGap > 0))
    throw new RangeError(`classifyLearningPhases: t_max and t_gap must be > 0 (got ${o.tMax}, ${o.tGap})`);
  const counts = { comprehension: 0, grokking: 0, memorization: 0, confusion: 0 };
  const phase: Array<LearningPhase | null> = [];
  const trainReached: boolean[] = [];
  const testReached: boolean[] = [];
  let diverged = 0;
  let testOnly = 0;
  for (let i = 0; i < n; i++) {
    const d = o.divergedAt ? o.divergedAt[i]! : -1;
    if (Number.isFinite(d) && d >= 0 && d <= o.tMax) {
      diverged++;
      phase.push(null);
      trainReached.push(false);
      testReached.push(false);
      continue;
    }
    const tr = reachedBy(trainStep[i]!, o.tMax);
    const te = reachedBy(testStep[i]!, o.tMax);
    trainReached.push(tr);
    testReached.push(te);
    let p: LearningPhase;
    if (tr && te) p = testStep[i]! - trainStep[i]! < o.tGap ? 'comprehension' : 'grokking';
    else if (tr) p = 'memorization';
    else if (te) {
      p = 'comprehension';
      testOnly++;
    } else p = 'confusion';
    counts[p]++;
    phase.push(p);
  }
  return { phase, trainReached, testReached, counts, classified: n - diverged, diverged, testOnly };
}

/** Counts, fractions with Wilson intervals, the majority phase and its index. */
export function phaseFractions(c: Pick<LearningPhaseClassification, 'counts' | 'classified'>, confidence = 0.95) {
  const fractions: Record<string, number | null> = {};
  const ci95: Record<string, [number, number] | null> = {};
  let majority: LearningPhase | null = null;
  for (const p of LEARNING_PHASES) {
    fractions[p] = c.classified > 0 ? c.counts[p] / c.classified : null;
    ci95[p] = c.classified > 0 ? wilsonInterval(c.counts[p], c.classified, confidence) : null;
    if (c.classified > 0 && (majority === null || c.counts[p] > c.counts[majority])) majority = p;
  }
  const phaseIndex = majority === null ? null : LEARNING_PHASES.indexOf(majority);
  let meanIndex: number | null = null;
  if (c.classified > 0) meanIndex = LEARNING_PHASES.reduce((acc, p, k) => acc + k * c.counts[p], 0) / c.classified;
  return { fractions, ci95, majority, phaseIndex, meanPhaseIndex: meanIndex };
}

/** KM summary of first-passage times (steps) censored at per-replica horizons. */
function kmSummary(observed: number[], isEvent: number[], tau: number) {
  if (observed.length === 0)
    return { replicas: 0, reached: 0, censored: 0, median: null, ci95: [null, null], restrictedMean: null, restrictedMeanSE: null };
  const km = kaplanMeier(observed, isEvent);
  const med = kmMedian(km);
  const rm = restrictedMean(km, tau);
  const reached = isEvent.reduce((a, b) => a + b, 0);
  return {
    replicas: observed.length,
    reached,
    censored: observed.length - reached,
    median: med.median,
    ci95: med.ci95,
    restrictedMean: finite(rm.mean),
    restrictedMeanSE: finite(rm.se),
  };
}

/** First-passage summaries of the two events, the censored delay and the plain gap (see the header). */
export function learningPhaseTimes(
  trainStep: ArrayLike<number>,
  testStep: ArrayLike<number>,
  c: LearningPhaseClassification,
  tMax: number,
) {
  const event = (steps: ArrayLike<number>, reached: boolean[]) => {
    const obs: number[] = [];
    const ev: number[] = [];
    for (let i = 0; i < c.phase.length; i++) {
      if (c.phase[i] === null) continue;
      obs.push(reached[i] ? steps[i]! : tMax);
      ev.push(reached[i] ? 1 : 0);
    }
    return kmSummary(obs, ev, tMax);
  };
  const dObs: number[] = [];
  const dEv: number[] = [];
  const gaps: number[] = [];
  for (let i = 0; i < c.phase.length; i++) {
    if (c.phase[i] === null || !c.trainReached[i]) continue;
    if (c.testReached[i]) {
      const g = testStep[i]! - trainStep[i]!;
      gaps.push(g);
      dObs.push(Math.max(0, g));
      dEv.push(1);
    } else {
      dObs.push(tMax - trainStep[i]!);
      dEv.push(0);
    }
  }
  gaps.sort((a, b) => a - b);
  const q = (p: number) => (gaps.length ? gaps[Math.min(gaps.length - 1, Math.floor(p * (gaps.length - 1) + 0.5))]! : null);
  const mean = gaps.length ? gaps.reduce((a, b) => a + b, 0) / gaps.length : null;
  const sd = gaps.length > 1 && mean !== null ? Math.sqrt(gaps.reduce((a, g) => a + (g - mean) ** 2, 0) / (gaps.length - 1)) : null;
  return {
    train: event(trainStep, c.trainReached),
    test: event(testStep, c.testReached),
    delay: {
      ...kmSummary(dObs, dEv, tMax),
      note: 'max(0, t_test − t_train) among replicas that reached train, censored at t_max − t_train when test was not reached',
    },
    gap: {
      replicas: gaps.length,
      min: gaps.length ? gaps[0]! : null,
      q25: q(0.25),
      median: q(0.5),
      q75: q(0.75),
      max: gaps.length ? gaps[gaps.length - 1]! : null,
      mean,
      se: sd === null ? null : sd / Math.sqrt(gaps.length),
      testFirst: gaps.filter((g) => g <= 0).length,
      note: 't_test − t_train among replicas that reached both (≤ 0: test at or before train)',
    },
  };
}

interface Entry {
  train?: string;
  test?: string;
  t_max?: number;
  t_gap?: number;
}

registerAnalysis<Entry>({
  kind: 'learning-phases',
  scope: 'run',
  description:
    'comprehension / grokking / memorization / confusion per replica from a train and a test event (t_max, t_gap): fractions with Wilson CIs, majority phase and phaseIndex 0…3, censored first-passage medians',
  keys: { train: 'string', test: 'string', t_max: 'number', t_gap: 'number' },
  check(e, s, _potential, plan) {
    const issues: CheckIssue[] = [...checkEventName(s, 'train', e.train ?? 'train'), ...checkEventName(s, 'test', e.test ?? 'test')];
    if (e.t_max !== undefined && !(e.t_max > 0 && e.t_max <= plan.steps))
      issues.push({ key: 't_max', expected: `a step count in (0, dynamics.steps = ${plan.steps}]`, found: renderValue(e.t_max) });
    if (e.t_gap !== undefined && !(e.t_gap > 0))
      issues.push({ key: 't_gap', expected: 'a number of steps > 0', found: renderValue(e.t_gap) });
    if ((e.train ?? 'train') === (e.test ?? 'test'))
      issues.push({ key: 'test', expected: 'an event other than the train event', found: renderValue(e.test ?? 'test') });
    return issues;
  },
  run(e, { result: r }) {
    const trainName = e.train ?? 'train';
    const testName = e.test ?? 'test';
    const tMax = e.t_max ?? r.steps;
    const tGap = e.t_gap ?? 1000;
    const find = (name: string) => {
      const ev = r.events.find((x) => x.name === name);
      if (!ev) throw new Error(`learning-phases: event '${name}' was not recorded`);
      return ev.firstStep;
    };
    const train = find(trainName);
    const test = find(testName);
    const c = classifyLearningPhases(train, test, { tMax, tGap, divergedAt: r.divergedAt });
    const f = phaseFractions(c);
    return {
      train: trainName,
      test: testName,
      tMax,
      tGap,
      replicas: c.phase.length,
      classified: c.classified,
      diverged: c.diverged,
      testOnly: c.testOnly,
      counts: c.counts,
      fractions: f.fractions,
      ci95: f.ci95,
      majority: f.majority,
      phaseIndex: f.phaseIndex,
      meanPhaseIndex: f.meanPhaseIndex,
      phases: [...LEARNING_PHASES],
      times: learningPhaseTimes(train, test, c, tMax),
      // sweep.csv columns learning_phases_<key> (see sweep-outputs.ts).
      columns: {
        comprehension: f.fractions.comprehension,
        grokking: f.fractions.grokking,
        memorization: f.fractions.memorization,
        confusion: f.fractions.confusion,
        phase_index: f.phaseIndex,
        excluded: c.diverged,
      },
      rule: 'comprehension: both events within t_max and t_test − t_train < t_gap (test at or before train, or test only, counts here); grokking: both, gap ≥ t_gap; memorization: train only; confusion: neither; replicas diverged by t_max excluded',
    };
  },
  text(res) {
    const fr = res.fractions as Record<string, number | null>;
    const pct = (v: number | null) => (v === null ? '—' : `${(100 * v).toFixed(0)}%`);
    return (
      `learning phases (t_max ${res.tMax}, t_gap ${res.tGap}): majority ${res.majority ?? '—'}; ` +
      LEARNING_PHASES.map((p) => `${p} ${pct(fr[p] ?? null)}`).join(', ') +
      (res.diverged ? `; ${res.diverged} diverged (excluded)` : '')
    );
  },
});
