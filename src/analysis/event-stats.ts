/**
 * First-passage statistics of one event for summary.json: replicas that never
 * entered are censored at the last step, replicas that diverged first are
 * censored at their divergence step.
 */
import { analyzeFirstPassage } from '../stats/first-passage.js';
import { didYouMean, renderValue, type ScenarioIssue } from '../scenario/index.js';
import type { PlanEvent } from '../plan/run-plan.js';

/**
 * The one answer to "is this a defined event?": null when `name` is one of
 * the run's events (`plan.events`), else an issue at `path` listing the
 * events with a did-you-mean.
 */
export function eventIssue(events: readonly PlanEvent[], name: string, path: string): ScenarioIssue | null {
  const names = events.map((e) => e.name);
  if (names.includes(name)) return null;
  const guess = didYouMean(name, names);
  return {
    path,
    expected: names.length ? `an event of observe.events (${names.join(', ')})` : 'an event defined in observe.events',
    found: renderValue(name),
    hint: guess ? `Did you mean '${guess}'?` : 'Add it to observe.events: [{name, enter: {…}}].',
  };
}

export interface FirstPassageSummary {
  replicas: number;
  entered: number;
  censored: number;
  fractionEntered: number;
  /** Mean step of entry over the replicas that entered (biased low under censoring). */
  meanStepsEntered: number | null;
  rate: { perStep: number | null; ci95PerStep: [number, number] | null; perTime: number | null; ci95PerTime: [number, number] | null };
  mfpt: { steps: number | null; ci95Steps: [number, number] | null; time: number | null; ci95Time: [number, number] | null };
  /** Kaplan–Meier median first-passage step (null while survival stays above ½). */
  medianSteps: number | null;
}

const fin = (v: number) => (Number.isFinite(v) ? v : null);
const pair = (a: number, b: number): [number, number] | null => (Number.isFinite(a) && Number.isFinite(b) ? [a, b] : null);

/**
 * `time`: the time per step (a constant η: times are steps·η) or the time of
 * each step (a scheduled η, t_n = Σ η_k: rates and MFPT in time units are then
 * estimated on the times themselves, not rescaled steps).
 */
export function firstPassageSummary(
  firstStep: Float64Array,
  divergedAt: Float64Array,
  steps: number,
  time: number | ((step: number) => number),
): FirstPassageSummary {
  const n = firstStep.length;
  const censorTimes = new Float64Array(n);
  for (let i = 0; i < n; i++) censorTimes[i] = divergedAt[i] >= 0 && !(firstStep[i] <= divergedAt[i]) ? divergedAt[i] : steps;
  const fp = analyzeFirstPassage(firstStep, steps, { censorTimes });
  let sum = 0;
  for (let i = 0; i < n; i++) if (firstStep[i] === firstStep[i] && firstStep[i] <= censorTimes[i]) sum += firstStep[i];
  let median: number | null = null;
  for (let k = 0; k < fp.km.times.length; k++) {
    if (fp.km.survival[k] <= 0.5) {
      median = fp.km.times[k];
      break;
    }
  }
  const [rlo, rhi] = fp.rateCI;
  const [mlo, mhi] = fp.meanTimeCI;
  let perTime: Pick<FirstPassageSummary['rate'], 'perTime' | 'ci95PerTime'> & Pick<FirstPassageSummary['mfpt'], 'time' | 'ci95Time'>;
  if (typeof time === 'number') {
    const lr = time;
    perTime = {
      perTime: fin(fp.rate / lr),
      ci95PerTime: pair(rlo / lr, rhi / lr),
      time: fin(fp.meanTime * lr),
      ci95Time: pair(mlo * lr, mhi * lr),
    };
  } else {
    const at = (v: Float64Array) => v.map((x) => (x === x ? time(x) : NaN));
    const ft = analyzeFirstPassage(at(firstStep), time(steps), { censorTimes: at(censorTimes) });
    perTime = {
      perTime: fin(ft.rate),
      ci95PerTime: pair(ft.rateCI[0], ft.rateCI[1]),
      time: fin(ft.meanTime),
      ci95Time: pair(ft.meanTimeCI[0], ft.meanTimeCI[1]),
    };
  }
  return {
    replicas: n,
    entered: fp.entered,
    censored: fp.censored,
    fractionEntered: n > 0 ? fp.entered / n : 0,
    meanStepsEntered: fp.entered > 0 ? sum / fp.entered : null,
    rate: {
      perStep: fin(fp.rate),
      ci95PerStep: pair(rlo, rhi),
      perTime: perTime.perTime,
      ci95PerTime: perTime.ci95PerTime,
    },
    mfpt: {
      steps: fin(fp.meanTime),
      ci95Steps: pair(mlo, mhi),
      time: perTime.time,
      ci95Time: perTime.ci95Time,
    },
    medianSteps: median,
  };
}
