/**
 * Helpers shared by the built-in plots: the time axis of traces, Kaplan–Meier
 * curves from events.csv, figure sizes and thinning.
 */
import { kaplanMeier } from '../../stats/first-passage.js';
import { column } from '../../results/read.js';
import type { RunData, TraceRow } from '../../results/types.js';

/** Default figure size (the drawing area, in px). */
export const WIDTH = 520;
export const HEIGHT = 230;

/** Format a number for titles and captions (4 significant digits). */
export const fmt = (v: number | null | undefined, digits = 4): string =>
  v === null || v === undefined || !Number.isFinite(v) ? '—' : Number(v.toPrecision(digits)).toString();

/** The observation grid kind of a run: from scenario.resolved.json, else inferred from the spacing of the steps. */
export function gridKind(run: RunData): 'log' | 'linear' {
  const k = run.scenario?.observe?.grid?.kind;
  if (k === 'log' || k === 'linear') return k;
  const steps = [...new Set(run.traces.map((t) => t.step))].filter((s) => s > 0).sort((a, b) => a - b);
  if (steps.length < 4) return 'linear';
  const d = steps.slice(1).map((s, i) => s - steps[i]);
  return Math.max(...d) / Math.max(1, Math.min(...d)) > 4 ? 'log' : 'linear';
}

/** Observables of a run's traces, in first-appearance order. */
export function traceObservables(run: RunData): string[] {
  return [...new Set(run.traces.map((t) => t.observable))];
}

/** Trace rows of one observable that can go on the time axis (time > 0 on a log axis). */
export function traceRows(run: RunData, observable: string, log: boolean): TraceRow[] {
  return run.traces.filter((t) => t.observable === observable && (!log || t.time > 0));
}

export interface SurvivalCurve {
  /** Step-function points (time, S), starting at (0, 1) and ending at the censoring horizon. */
  points: Array<{ time: number; s: number; lower: number; upper: number }>;
  replicas: number;
  entered: number;
  /** Physical time of the last step (the censoring horizon). */
  horizon: number;
}

/**
 * Kaplan–Meier survival of an event from events.csv (physical time t = step·η).
 * Replicas that never entered are censored at the last step `run.steps`;
 * replicas that diverged first (finals.csv `diverged_step`) at their divergence
 * step, as in summary.json.
 */
export function survivalCurve(run: RunData, event: string, maxPoints = 1500): SurvivalCurve | null {
  const ev = run.events;
  const e = ev ? ev.names.indexOf(event) : -1;
  if (!ev || e < 0) return null;
  const steps = run.summary.run.steps;
  const lr = run.summary.run.lr;
  const first = ev.firstStep[e];
  const diverged = run.finals ? column(run.finals, 'diverged_step') : [];
  const n = first.length;
  const observed = new Float64Array(n);
  const isEvent = new Uint8Array(n);
  let entered = 0;
  for (let i = 0; i < n; i++) {
    const d = diverged[i];
    const censor = d !== null && d !== undefined && d >= 0 ? Math.min(d, steps) : steps;
    const t = first[i];
    if (t !== null && t >= 0 && t <= censor) {
      observed[i] = t;
      isEvent[i] = 1;
      entered++;
    } else observed[i] = censor;
  }
  const km = kaplanMeier(observed, isEvent);
  const pts: SurvivalCurve['points'] = [{ time: 0, s: 1, lower: 1, upper: 1 }];
  // Thin to about maxPoints steps: keep a point when S moved by ≥ 1/maxPoints since the last kept one.
  const tol = 1 / maxPoints;
  let last = 1;
  for (let k = 0; k < km.times.length; k++) {
    const s = km.survival[k];
    const isLast = k === km.times.length - 1;
    if (Math.abs(last - s) >= tol || isLast) {
      pts.push({ time: km.times[k] * lr, s, lower: km.lower[k], upper: km.upper[k] });
      last = s;
    }
  }
  const end = pts[pts.length - 1];
  if (end.time < steps * lr) pts.push({ ...end, time: steps * lr });
  return { points: pts, replicas: n, entered, horizon: steps * lr };
}

/** The mfpt-1d theory entry of an event in summary.json, if any. */
export function mfptTheory(run: RunData, event: string): { exactTime?: number; kramersTime?: number } | null {
  for (const t of run.summary.theory as Array<Record<string, unknown>>) {
    if (t && t.kind === 'mfpt-1d' && t.event === event) return t as { exactTime?: number; kramersTime?: number };
  }
  return null;
}

/** Whether positive values span enough decades to deserve a log axis. */
export function wantsLog(values: Array<number | null>): boolean {
  const v = values.filter((x): x is number => x !== null && Number.isFinite(x));
  if (v.length < 3 || v.some((x) => x <= 0)) return false;
  return Math.max(...v) / Math.min(...v) >= 20;
}

/** Evaluate f on n+1 evenly spaced points of [a, b]. */
export function sample(a: number, b: number, n: number, f: (x: number) => number): Array<{ x: number; y: number }> {
  return Array.from({ length: n + 1 }, (_, i) => {
    const x = a + ((b - a) * i) / n;
    return { x, y: f(x) };
  });
}
