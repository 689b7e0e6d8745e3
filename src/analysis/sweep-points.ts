/**
 * What the sweep-scope analyses (arrhenius.ts, scaling.ts, exponential-fit.ts,
 * crossover.ts) share: reading a metric and its uncertainty from a point's
 * summary.json, the scenario and potential of a point, the closed-form event
 * means of the grokking potentials, the checks of metric paths, and the
 * dynamics each point integrated.
 *
 * The temperature, step size and weight decay of a point are read from its
 * summary.json (`run.temperature`, `run.lr`, `run.weightDecay`, and
 * `run.groups` when the groups differ), which the run plan wrote: the values
 * the point integrated, not the swept key's value before group overrides.
 *
 * Weights. A metric's uncertainty is read from summary.json next to it: a
 * `ci95<Name>` sibling (e.g. `mfpt.ci95Time` for `mfpt.time`) or `sem` for a
 * `mean`. On a log scale σ_ln y = (ln hi − ln lo)/(2·1.96): for the censored
 * exponential MLE of summary.json the chi-square CI is, to O(1/k), ln τ̂ ± 1.96/√k
 * with k the number of entries, so this is the standard error of ln τ̂ (for
 * exactly exponential passage times). Fits are weighted least squares
 * (lineFit, stats/regression.ts).
 */
import { getPotentialFamily } from '../potentials/index.js';
import type { Potential } from '../engine/types.js';
import { parsePath, renderValue } from '../scenario/index.js';
import { sweepKeys, valueAtPath } from '../scenario/sweep.js';
import type { Scenario } from '../scenario/types.js';
import { grokkingSteps, memorizationSteps, sampleSizeGrokkingTime } from '../theory/grokking.js';
import { eventNames, type RunPlan } from '../plan/run-plan.js';
import type { SweepAnalysisContext, SweepPointData } from './registry.js';
import type { Summary } from './summary.js';

export type Obj = Record<string, unknown>;
export type Issue = { key: string; expected: string; found: string; hint?: string };

export const Z95 = 1.959963984540054;
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
export const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
export const fmt = (v: number | null | undefined, d = 4): string =>
  v === null || v === undefined || !Number.isFinite(v) ? '—' : Number(v.toPrecision(d)).toString();
export const fmtCi = (ci: [number, number] | null | undefined, d = 3): string => (ci ? `[${fmt(ci[0], d)}, ${fmt(ci[1], d)}]` : '');

// ------------------------------------------------------------------ metrics

/** A value read from a summary with its uncertainty (a 95 % CI and/or a standard error). */
export interface Measured {
  value: number | null;
  ci: [number, number] | null;
  se: number | null;
}

const pairOf = (v: unknown): [number, number] | null =>
  Array.isArray(v) && v.length === 2 && finite(v[0]) && finite(v[1]) ? [v[0], v[1]] : null;

/**
 * The value at `path` and its uncertainty: `ciPath` if given, else a sibling
 * `ci95<Last>` / `<last>Ci95` / `<last>Ci` / `ci95` (a [lo, hi] pair), or a
 * standard error `sem` (for `mean`) / `<last>Se` / `<last>Sem` / `se`.
 */
export function readMetric(summary: unknown, path: string, ciPath?: string): Measured {
  const raw = valueAtPath(summary, path);
  const value = finite(raw) ? raw : null;
  let ci: [number, number] | null = ciPath ? pairOf(valueAtPath(summary, ciPath)) : null;
  let se: number | null = null;
  const segs = parsePath(path);
  const last = segs[segs.length - 1];
  let parent: unknown = summary;
  for (const seg of segs.slice(0, -1))
    parent = Array.isArray(parent) && typeof seg === 'number' ? parent[seg] : isObj(parent) ? parent[String(seg)] : undefined;
  if (!ciPath && isObj(parent) && typeof last === 'string') {
    const cap = last.charAt(0).toUpperCase() + last.slice(1);
    for (const k of [`ci95${cap}`, `${last}Ci95`, `${last}Ci`, 'ci95']) {
      const p = pairOf(parent[k]);
      if (p) {
        ci = p;
        break;
      }
    }
    for (const k of [last === 'mean' ? 'sem' : '', `se${cap}`, `${last}Se`, `${last}Sem`, last === 'mean' ? 'se' : ''].filter(Boolean)) {
      if (finite(parent[k])) {
        se = parent[k] as number;
        break;
      }
    }
  }
  if (se === null && ci) se = (ci[1] - ci[0]) / (2 * Z95);
  return { value, ci, se };
}

/** σ of ln y: from the CI on the log scale when there is one, else se/y. */
export function logSigma(m: Measured): number | null {
  if (m.value === null || !(m.value > 0)) return null;
  if (m.ci && m.ci[0] > 0 && m.ci[1] > m.ci[0]) return (Math.log(m.ci[1]) - Math.log(m.ci[0])) / (2 * Z95);
  if (m.se !== null && m.se > 0) return m.se / m.value;
  return null;
}

/** The abscissa of a point: a swept key's value, or a summary path (then with its uncertainty). */
export function readX(p: SweepPointData, key: string, keys: string[]): Measured {
  if (keys.includes(key)) {
    const v = p.values[key];
    return { value: finite(v) ? v : null, ci: null, se: null };
  }
  return readMetric(p.summary, key);
}

// ------------------------------------------------------------------ the potential and scenario of a point

export function setAtPath(doc: unknown, path: string, value: unknown): void {
  const segs = parsePath(path);
  let cur = doc as Obj | unknown[];
  for (let i = 0; i < segs.length - 1; i++) {
    const next = (cur as Obj)[segs[i] as string];
    if (!isObj(next) && !Array.isArray(next)) return;
    cur = next as Obj;
  }
  (cur as Obj)[segs[segs.length - 1] as string] = structuredClone(value);
}

/** The scenario of a sweep point: the sweep scenario with the point's values applied (no re-validation: values were validated when the sweep ran). */
export function pointScenario(s: Scenario, p: SweepPointData): Scenario {
  const { sweep: _s, ...rest } = s;
  const doc = structuredClone(rest) as Scenario;
  for (const [k, v] of Object.entries(p.values)) setAtPath(doc, k, v);
  return doc;
}

/** Registered-family parameters with their schema defaults filled in (null when the potential is a module or expression). */
export function familyParams(s: Scenario): { kind: string; params: Obj } | null {
  if (!('kind' in s.potential)) return null;
  const fam = getPotentialFamily(s.potential.kind);
  if (!fam) return null;
  const params: Obj = { ...(s.potential.params ?? {}) };
  const props = (fam.paramsSchema.properties ?? {}) as Record<string, { default?: unknown }>;
  for (const [k, d] of Object.entries(props))
    if (params[k] === undefined && d.default !== undefined) params[k] = structuredClone(d.default);
  return { kind: s.potential.kind, params };
}

/** The potential of a point (registered families only: built synchronously). */
export function buildSync(s: Scenario, run: number): Potential | null {
  const fp = familyParams(s);
  if (!fp) return null;
  try {
    return getPotentialFamily(fp.kind)!.create(fp.params, { seed: s.seed, run });
  } catch {
    return null;
  }
}

/** 'steps' when the metric is counted in steps (…steps, …Steps, medianSteps), else physical time. */
export function unitOf(path: string): 'steps' | 'time' {
  return /steps$/i.test(path) ? 'steps' : 'time';
}

/** The event a metric path goes through (`events.<name>.…`). */
export function eventOfPath(path: string): string | null {
  const segs = parsePath(path);
  return segs[0] === 'events' && typeof segs[1] === 'string' ? segs[1] : null;
}

/** The group of a `dynamics.groups.<g>.<key>` path, or undefined for `dynamics.<key>`; null for any other path. */
function dynamicsKeyGroup(path: string, key: string): string | undefined | null {
  if (path === `dynamics.${key}`) return undefined;
  const m = new RegExp(`^dynamics\\.groups\\.([^.]+)\\.${key}$`).exec(path);
  return m ? m[1] : null;
}

function pointValue(summary: Summary, key: 'temperature' | 'lr' | 'weightDecay', group?: string): number | null {
  const run = summary.run;
  const g = group !== undefined ? run.groups?.[group] : undefined;
  if (g) return g[key];
  // With per-group values and no group named, the point has one value only when every group has it
  // (θ set once for the run while the groups differ in η).
  if (run.groups && group === undefined) {
    const vs = Object.values(run.groups).map((x) => x[key]);
    return vs.length > 0 && finite(vs[0]) && vs.every((v) => v === vs[0]) ? vs[0] : null;
  }
  const v = key === 'weightDecay' ? (run.weightDecay ?? 0) : run[key];
  return finite(v) ? v : null;
}

/** θ a point integrated (of `group`, else the one θ of the point; null when its groups differ), from its summary. */
export const pointTemperature = (summary: Summary, group?: string): number | null => pointValue(summary, 'temperature', group);
/** η a point integrated (of `group`, else the one η), from its summary. */
export const pointLr = (summary: Summary, group?: string): number | null => pointValue(summary, 'lr', group);
/** λ a point integrated (of `group`, else the one λ), from its summary. */
export const pointWeightDecay = (summary: Summary, group?: string): number | null => pointValue(summary, 'weightDecay', group);

/** Physical time per step of a point (summary.json `physicalTime / steps`; `run.lr` for a run of 0 steps). */
export function pointTimeStep(summary: Summary): number {
  const run = summary.run;
  return run.stepSizes && run.steps > 0 ? run.physicalTime / run.steps : run.lr;
}

/**
 * Whether `key` is a temperature key (`dynamics.temperature` or
 * `dynamics.groups.<g>.temperature`): such an abscissa is read as the θ the
 * point integrated (from its summary), not as the swept value.
 */
export const isTemperatureKey = (key: string): boolean => dynamicsKeyGroup(key, 'temperature') !== null;

/** The abscissa of a point; a temperature key gives the θ integrated there (see isTemperatureKey). */
export function readPointX(p: SweepPointData, key: string, keys: string[]): Measured {
  const group = dynamicsKeyGroup(key, 'temperature');
  if (group === null) return readX(p, key, keys);
  return { value: pointTemperature(p.summary, group), ci: null, se: null };
}

/**
 * Closed-form mean of an event's first-passage time for the grokking
 * potentials (theory/grokking.ts), in the unit of the metric, or null:
 * zero-loss-manifold `enter {u: {le: δ}}` → memorization (L − δ)/(ηg) + overshoot;
 * `enter {radius: {ge: R}, …}` → ball exit R_eff²/(2mηθ) of the manifold walk
 * (valid when memorization is much faster); sample-size-box `enter {radius: {le: ρ}}`
 * → narrow escape V/(θ Cap(ρ_eff)).
 */
export function eventTheory(s: Scenario, summary: Summary, event: string, unit: 'steps' | 'time'): { value: number; model: string } | null {
  const fp = familyParams(s);
  const ev = s.observe.events.find((e) => e.name === event);
  if (!fp || !ev) return null;
  const toUnit = (steps: number, eta: number) => (unit === 'steps' ? steps : steps * eta);
  const keys = Object.keys(ev.enter);
  try {
    if (fp.kind === 'zero-loss-manifold') {
      const L = fp.params.L as number;
      const g = fp.params.g as number;
      const m = fp.params.m as number;
      const R = (fp.params.R as number | null) ?? L;
      const uBound = ev.enter.u;
      if (keys.length === 1 && uBound && finite(uBound.le ?? uBound.lt)) {
        const delta = (uBound.le ?? uBound.lt)!;
        const eta = pointLr(summary, 'u') ?? Number.NaN;
        return {
          value: toUnit(memorizationSteps(L, delta, g, eta, pointTemperature(summary, 'u') ?? Number.NaN), eta),
          model: `memorization (L − δ)/(ηg) + overshoot, δ = ${delta}`,
        };
      }
      const r = ev.enter.radius;
      if (r && finite(r.ge ?? r.gt)) {
        const Rg = (r.ge ?? r.gt)!;
        const eta = pointLr(summary, 'y') ?? Number.NaN;
        return {
          value: toUnit(grokkingSteps(Rg, m, pointTemperature(summary, 'y') ?? Number.NaN, eta), eta),
          model: `ball exit R_eff²/(2mηθ) on the manifold, R = ${Rg}${Rg !== R ? ` (potential R = ${R})` : ''}`,
        };
      }
    } else if (fp.kind === 'sample-size-box') {
      const r = ev.enter.radius;
      if (keys.length === 1 && r && finite(r.le ?? r.lt)) {
        const rho = (r.le ?? r.lt)!;
        const eta = pointLr(summary) ?? Number.NaN;
        const box = { n: fp.params.n as number, D: fp.params.D as number, a: fp.params.a as number, A: fp.params.A as number };
        const t = sampleSizeGrokkingTime(box, rho, pointTemperature(summary) ?? Number.NaN, fp.params.wall as number, eta);
        return { value: unit === 'steps' ? t / eta : t, model: `narrow escape V/(θ·Cap(ρ_eff)), ρ = ${rho}` };
      }
    }
  } catch {
    return null;
  }
  return null;
}

// ------------------------------------------------------------------ checks shared by the kinds

export const SECTIONS = ['observables', 'events', 'divergence', 'run', 'theory', 'histograms', 'analyses', 'sampling'];

export function checkPath(
  entry: object,
  key: string,
  s: Scenario,
  plan: RunPlan,
  opts: { sweptOk?: boolean; metricOk?: boolean } = {},
): Issue[] {
  const v = (entry as Obj)[key];
  if (v === undefined) return [];
  const path = String(v);
  const swept = s.sweep ? sweepKeys(s.sweep as Obj) : [];
  if (opts.sweptOk && swept.includes(path)) return [];
  if (!opts.metricOk) return [{ key, expected: `a swept key (${swept.length ? swept.join(', ') : 'none'})`, found: renderValue(v) }];
  let segs: Array<string | number>;
  try {
    segs = parsePath(path);
  } catch {
    return [{ key, expected: 'a dotted path into summary.json, e.g. events.escape.mfpt.time', found: renderValue(v) }];
  }
  const head = String(segs[0]);
  if (!SECTIONS.includes(head))
    return [
      {
        key,
        expected: `${opts.sweptOk ? `a swept key (${swept.join(', ')}) or ` : ''}a summary.json path starting with ${SECTIONS.join(', ')}`,
        found: renderValue(v),
      },
    ];
  if (head === 'events') {
    const names = eventNames(plan);
    if (typeof segs[1] !== 'string' || !names.includes(segs[1]))
      return [{ key, expected: `a path through an event of observe.events (${names.join(', ') || 'none'})`, found: renderValue(v) }];
  }
  if (head === 'observables' && (typeof segs[1] !== 'string' || !s.observe.observables.includes(segs[1])))
    return [
      { key, expected: `a path through an observable of observe.observables (${s.observe.observables.join(', ')})`, found: renderValue(v) },
    ];
  return [];
}

export function numericPoints(ctx: SweepAnalysisContext): SweepPointData[] {
  return [...ctx.points].sort((a, b) => a.index - b.index);
}

// ------------------------------------------------------------------ points of the scaling and exponential fits

export interface FitPoint {
  index: number;
  x: number | null;
  xCi: [number, number] | null;
  y: number | null;
  yCi: [number, number] | null;
  xTheory: number | null;
  yTheory: number | null;
  ratio: number | null;
  z: number | null;
}

/**
 * The theory value next to a run-analysis result: for `analyses[i].<K>.<last>`
 * (e.g. `analyses[0].tGrok.steps` of grokking-times) the number at
 * `analyses[i].theory.<K>.<last>`, if there is one.
 */
export function analysisTheory(summary: unknown, path: string): { value: number; model: string } | null {
  const m = /^analyses\[(\d+)\]\.([A-Za-z0-9_]+)\.([A-Za-z0-9_]+)$/.exec(path);
  if (!m) return null;
  const v = valueAtPath(summary, `analyses[${m[1]}].theory.${m[2]}.${m[3]}`);
  const formula = valueAtPath(summary, `analyses[${m[1]}].theory.${m[2]}.formula`);
  return finite(v) ? { value: v, model: typeof formula === 'string' ? formula : `analyses[${m[1]}].theory.${m[2]}.${m[3]}` } : null;
}

/** Points for scaling / exponential fits, with per-point theory for the grokking potentials when it applies. */
export function fitPoints(ctx: SweepAnalysisContext, xPath: string, yPath: string): FitPoint[] {
  const swept = ctx.keys.includes(xPath);
  return numericPoints(ctx).map((p) => {
    const xm = readPointX(p, xPath, ctx.keys);
    const ym = readMetric(p.summary, yPath);
    const ps = pointScenario(ctx.scenario, p);
    const evY = eventOfPath(yPath);
    const yT = evY ? eventTheory(ps, p.summary, evY, unitOf(yPath)) : analysisTheory(p.summary, yPath);
    const evX = swept ? null : eventOfPath(xPath);
    const xT = swept ? null : evX ? eventTheory(ps, p.summary, evX, unitOf(xPath)) : analysisTheory(p.summary, xPath);
    return {
      index: p.index,
      x: xm.value,
      xCi: xm.ci,
      y: ym.value,
      yCi: ym.ci,
      xTheory: swept ? xm.value : (xT?.value ?? null),
      yTheory: yT?.value ?? null,
      ratio: ym.value !== null && yT ? ym.value / yT.value : null,
      z: ym.value !== null && yT && ym.se ? (ym.value - yT.value) / ym.se : null,
      _xs: logSigma(xm),
      _ys: logSigma(ym),
      _yse: ym.se,
      _model: yT?.model ?? null,
    } as FitPoint & { _xs: number | null; _ys: number | null; _yse: number | null; _model: string | null };
  });
}

export function stripPrivate(p: FitPoint): FitPoint {
  return Object.fromEntries(Object.entries(p).filter(([k]) => !k.startsWith('_'))) as unknown as FitPoint;
}
