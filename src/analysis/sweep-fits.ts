/**
 * Sweep-level fits of the Brownian-motion picture (MODELS.md 1.2–1.5), each a
 * `scope: 'sweep'` analysis whose result goes into the sweep's analyses.json:
 *
 *   arrhenius       ln τ = ln τ₀ + ΔE·(1/θ) over a temperature sweep: the fitted
 *                   barrier vs the potential's barrier, and per point the
 *                   measured MFPT vs the exact 1-D integral and Kramers.
 *   scaling         log–log slope of a metric vs a swept key or another metric
 *                   (t_mem ∝ L, t_grok ∝ L², t_grok ∝ t_mem²).
 *   exponential-fit ln y = a + b·x (t_grok vs the sample count n; b ≈ ln(a/A)).
 *   crossover       where a metric (the occupancy of a well) crosses a level
 *                   along a temperature sweep, vs θ* = 2(D₁ − D₂)/Σ ln(k₁/k₂)
 *                   and the exact crossing by quadrature.
 *
 * Every result has the headline fields `quantity`, `measured`, `measuredCi`,
 * `theory`, `ratio` (= measured/theory) and `text`, then the details.
 *
 * Weights. A metric's uncertainty is read from summary.json next to it: a
 * `ci95<Name>` sibling (e.g. `mfpt.ci95Time` for `mfpt.time`) or `sem` for a
 * `mean`. On a log scale σ_ln y = (ln hi − ln lo)/(2·1.96): for the censored
 * exponential MLE of summary.json the chi-square CI is, to O(1/k), ln τ̂ ± 1.96/√k
 * with k the number of entries, so this is the standard error of ln τ̂ (for
 * exactly exponential passage times). Fits are weighted least squares with
 * w = 1/σ²; the slope's standard error is the known-variance one, inflated by
 * the Birge ratio √(χ²/dof) when that exceeds 1 (scatter beyond the stated
 * errors — model curvature, non-exponential times), and then the CI uses
 * Student t with n − 2 dof, else the normal quantile. The unweighted OLS fit
 * (t-based CIs, stats/regression.ts) is reported alongside.
 */
import { scalarEnergy } from './energy.js';
import { getPotentialFamily, resolveTwoWells, type TwoWellsParams } from '../potentials/index.js';
import type { Potential } from '../engine/types.js';
import { parsePath, renderValue } from '../scenario/index.js';
import { sweepKeys, valueAtPath } from '../scenario/sweep.js';
import type { EventSpec, Scenario } from '../scenario/types.js';
import { olsFit, studentTQuantile } from '../stats/regression.js';
import { chiSquareSf } from '../stats/special.js';
import { grokkingSteps, memorizationSteps, sampleSizeGrokkingTime, sampleSizeSlope } from '../theory/grokking.js';
import { logKramersRate, meanFirstPassageTimeDetailed } from '../theory/mfpt.js';
import { minimizeOnInterval } from '../theory/quadrature.js';
import { twoWellsCrossoverTemperature, twoWellsHarmonicOccupancies, twoWellsOccupanciesRadial } from '../theory/two-wells.js';
import { registerAnalysis, type SweepAnalysisContext, type SweepPointData } from './registry.js';
import { initialValue } from '../engine/schedule.js';

type Obj = Record<string, unknown>;
type Issue = { key: string; expected: string; found: string; hint?: string };

const Z95 = 1.959963984540054;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const fmt = (v: number | null | undefined, d = 4): string => (v === null || v === undefined || !Number.isFinite(v) ? '—' : Number(v.toPrecision(d)).toString());
const fmtCi = (ci: [number, number] | null | undefined, d = 3): string => (ci ? `[${fmt(ci[0], d)}, ${fmt(ci[1], d)}]` : '');

// ------------------------------------------------------------------ metrics

/** A value read from a summary with its uncertainty (a 95 % CI and/or a standard error). */
export interface Measured {
  value: number | null;
  ci: [number, number] | null;
  se: number | null;
}

const pairOf = (v: unknown): [number, number] | null => (Array.isArray(v) && v.length === 2 && finite(v[0]) && finite(v[1]) ? [v[0], v[1]] : null);

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
  for (const seg of segs.slice(0, -1)) parent = Array.isArray(parent) && typeof seg === 'number' ? parent[seg] : isObj(parent) ? parent[String(seg)] : undefined;
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
function logSigma(m: Measured): number | null {
  if (m.value === null || !(m.value > 0)) return null;
  if (m.ci && m.ci[0] > 0 && m.ci[1] > m.ci[0]) return (Math.log(m.ci[1]) - Math.log(m.ci[0])) / (2 * Z95);
  if (m.se !== null && m.se > 0) return m.se / m.value;
  return null;
}

/** The abscissa of a point: a swept key's value, or a summary path (then with its uncertainty). */
function readX(p: SweepPointData, key: string, keys: string[]): Measured {
  if (keys.includes(key)) {
    const v = p.values[key];
    return { value: finite(v) ? v : null, ci: null, se: null };
  }
  return readMetric(p.summary, key);
}

// ------------------------------------------------------------------ fits

export interface LineFit {
  n: number;
  slope: number;
  intercept: number;
  slopeSe: number | null;
  interceptSe: number | null;
  /** Covariance of (intercept, slope), after the Birge scaling. */
  covariance: number | null;
  slopeCi: [number, number] | null;
  interceptCi: [number, number] | null;
  weighted: boolean;
  /** Σ w r² (weighted) and its dof n − 2, with the χ² p-value; null unweighted. */
  chi2: number | null;
  dof: number;
  pValue: number | null;
  /** Birge ratio √(χ²/dof) applied to the standard errors (1 when not inflated). */
  scale: number | null;
  r2: number | null;
}

/**
 * Line fit y = intercept + slope·x. With `sigma` (all finite and > 0) a
 * weighted fit, w = 1/σ²; `sigmaX` adds errors in x by effective variance
 * σ² + slope²σ_x² (iterated). Without, OLS with t-based CIs.
 */
export function lineFit(x: number[], y: number[], sigma?: Array<number | null>, sigmaX?: Array<number | null>): LineFit {
  const n = x.length;
  const weighted = !!sigma && sigma.length === n && sigma.every((s) => s !== null && s > 0) && n >= 2;
  if (!weighted) {
    const f = olsFit(x, y, 0.95);
    const cov = f.slopeSe !== null && f.residualStd !== null ? -(x.reduce((a, b) => a + b, 0) / n) * f.slopeSe ** 2 : null;
    return {
      n,
      slope: f.slope,
      intercept: f.intercept,
      slopeSe: f.slopeSe,
      interceptSe: f.interceptSe,
      covariance: cov,
      slopeCi: f.slopeCi,
      interceptCi: f.interceptCi,
      weighted: false,
      chi2: null,
      dof: f.dof,
      pValue: null,
      scale: null,
      r2: f.r2,
    };
  }
  let slope = olsFit(x, y).slope;
  let w: number[] = [];
  let a = 0, b = 0, Sw = 0, Swx = 0, Swxx = 0, det = 0;
  const iterations = sigmaX && sigmaX.some((s) => s !== null && s > 0) ? 6 : 1;
  for (let it = 0; it < iterations; it++) {
    w = sigma!.map((s, i) => 1 / (s! * s! + (sigmaX?.[i] ? slope * slope * sigmaX[i]! * sigmaX[i]! : 0)));
    Sw = 0;
    Swx = 0;
    Swxx = 0;
    let Swy = 0, Swxy = 0;
    for (let i = 0; i < n; i++) {
      Sw += w[i];
      Swx += w[i] * x[i];
      Swy += w[i] * y[i];
      Swxx += w[i] * x[i] * x[i];
      Swxy += w[i] * x[i] * y[i];
    }
    det = Sw * Swxx - Swx * Swx;
    if (!(det > 0)) throw new Error('lineFit: all x are equal; the slope is undetermined');
    b = (Sw * Swxy - Swx * Swy) / det;
    a = (Swxx * Swy - Swx * Swxy) / det;
    slope = b;
  }
  let chi2 = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    chi2 += w[i] * (y[i] - a - b * x[i]) ** 2;
    my += w[i] * y[i];
  }
  my /= Sw;
  let syy = 0;
  for (let i = 0; i < n; i++) syy += w[i] * (y[i] - my) ** 2;
  const dof = n - 2;
  const red = dof > 0 ? chi2 / dof : null;
  const scale = red !== null && red > 1 ? Math.sqrt(red) : 1;
  const q = red !== null && red > 1 ? studentTQuantile(0.975, dof) : Z95;
  const slopeSe = scale * Math.sqrt(Sw / det);
  const interceptSe = scale * Math.sqrt(Swxx / det);
  return {
    n,
    slope: b,
    intercept: a,
    slopeSe,
    interceptSe,
    covariance: (scale * scale * -Swx) / det,
    slopeCi: [b - q * slopeSe, b + q * slopeSe],
    interceptCi: [a - q * interceptSe, a + q * interceptSe],
    weighted: true,
    chi2,
    dof,
    pValue: dof > 0 ? chiSquareSf(chi2, dof) : null,
    scale,
    r2: syy > 0 ? Math.max(0, 1 - chi2 / syy) : null,
  };
}

// ------------------------------------------------------------------ the potential and scenario of a point

function setAtPath(doc: unknown, path: string, value: unknown): void {
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
function pointScenario(s: Scenario, p: SweepPointData): Scenario {
  const { sweep: _s, ...rest } = s;
  const doc = structuredClone(rest) as Scenario;
  for (const [k, v] of Object.entries(p.values)) setAtPath(doc, k, v);
  return doc;
}

/** Registered-family parameters with their schema defaults filled in (null when the potential is a module or expression). */
function familyParams(s: Scenario): { kind: string; params: Obj } | null {
  if (!('kind' in s.potential)) return null;
  const fam = getPotentialFamily(s.potential.kind);
  if (!fam) return null;
  const params: Obj = { ...(s.potential.params ?? {}) };
  const props = (fam.paramsSchema.properties ?? {}) as Record<string, { default?: unknown }>;
  for (const [k, d] of Object.entries(props)) if (params[k] === undefined && d.default !== undefined) params[k] = structuredClone(d.default);
  return { kind: s.potential.kind, params };
}

/** The potential of a point (registered families only: built synchronously). */
function buildSync(s: Scenario, run: number): Potential | null {
  const fp = familyParams(s);
  if (!fp) return null;
  try {
    return getPotentialFamily(fp.kind)!.create(fp.params, { seed: s.seed, run });
  } catch {
    return null;
  }
}


/** 'steps' when the metric is counted in steps (…steps, …Steps, medianSteps), else physical time. */
function unitOf(path: string): 'steps' | 'time' {
  return /steps$/i.test(path) ? 'steps' : 'time';
}

/** The event a metric path goes through (`events.<name>.…`). */
function eventOfPath(path: string): string | null {
  const segs = parsePath(path);
  return segs[0] === 'events' && typeof segs[1] === 'string' ? segs[1] : null;
}

function groupTemperature(s: Scenario, group: string): number {
  return initialValue(s.dynamics.groups?.[group]?.temperature) ?? initialValue(s.dynamics.temperature);
}

function groupLr(s: Scenario, group: string): number {
  return initialValue(s.dynamics.groups?.[group]?.lr) ?? initialValue(s.dynamics.lr);
}

/**
 * Closed-form mean of an event's first-passage time for the grokking
 * potentials (theory/grokking.ts), in the unit of the metric, or null:
 * zero-loss-manifold `enter {u: {le: δ}}` → memorization (L − δ)/(ηg) + overshoot;
 * `enter {radius: {ge: R}, …}` → ball exit R_eff²/(2mηθ) of the manifold walk
 * (valid when memorization is much faster); sample-size-box `enter {radius: {le: ρ}}`
 * → narrow escape V/(θ Cap(ρ_eff)).
 */
function eventTheory(s: Scenario, event: string, unit: 'steps' | 'time'): { value: number; model: string } | null {
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
        const eta = groupLr(s, 'u');
        return { value: toUnit(memorizationSteps(L, delta, g, eta, groupTemperature(s, 'u')), eta), model: `memorization (L − δ)/(ηg) + overshoot, δ = ${delta}` };
      }
      const r = ev.enter.radius;
      if (r && finite(r.ge ?? r.gt)) {
        const Rg = (r.ge ?? r.gt)!;
        const eta = groupLr(s, 'y');
        return { value: toUnit(grokkingSteps(Rg, m, groupTemperature(s, 'y'), eta), eta), model: `ball exit R_eff²/(2mηθ) on the manifold, R = ${Rg}${Rg !== R ? ` (potential R = ${R})` : ''}` };
      }
    } else if (fp.kind === 'sample-size-box') {
      const r = ev.enter.radius;
      if (keys.length === 1 && r && finite(r.le ?? r.lt)) {
        const rho = (r.le ?? r.lt)!;
        const eta = initialValue(s.dynamics.lr);
        const box = { n: fp.params.n as number, D: fp.params.D as number, a: fp.params.a as number, A: fp.params.A as number };
        const t = sampleSizeGrokkingTime(box, rho, initialValue(s.dynamics.temperature), fp.params.wall as number, eta);
        return { value: unit === 'steps' ? t / eta : t, model: `narrow escape V/(θ·Cap(ρ_eff)), ρ = ${rho}` };
      }
    }
  } catch {
    return null;
  }
  return null;
}

// ------------------------------------------------------------------ checks shared by the kinds

const SECTIONS = ['observables', 'events', 'divergence', 'run', 'theory', 'histograms', 'analyses'];

function checkPath(entry: object, key: string, s: Scenario, opts: { sweptOk?: boolean; metricOk?: boolean } = {}): Issue[] {
  const v = (entry as Obj)[key];
  if (v === undefined) return [];
  const path = String(v);
  const swept = s.sweep ? sweepKeys(s.sweep as Obj) : [];
  if (opts.sweptOk && swept.includes(path)) return [];
  if (!opts.metricOk)
    return [{ key, expected: `a swept key (${swept.length ? swept.join(', ') : 'none'})`, found: renderValue(v) }];
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
    const names = s.observe.events.map((e) => e.name);
    if (typeof segs[1] !== 'string' || !names.includes(segs[1]))
      return [{ key, expected: `a path through an event of observe.events (${names.join(', ') || 'none'})`, found: renderValue(v) }];
  }
  if (head === 'observables' && (typeof segs[1] !== 'string' || !s.observe.observables.includes(segs[1])))
    return [{ key, expected: `a path through an observable of observe.observables (${s.observe.observables.join(', ')})`, found: renderValue(v) }];
  return [];
}

function numericPoints(ctx: SweepAnalysisContext): SweepPointData[] {
  return [...ctx.points].sort((a, b) => a.index - b.index);
}

// ------------------------------------------------------------------ arrhenius

interface ArrheniusEntry {
  x?: string;
  y?: string;
  event?: string;
  barrier?: number;
  from?: number;
  to?: number;
  weighted?: boolean;
}

function arrheniusEvent(e: ArrheniusEntry, s: Scenario): string | null {
  if (e.event) return e.event;
  if (e.y) return eventOfPath(e.y);
  return s.observe.events.length === 1 ? s.observe.events[0].name : null;
}

/** from → to of the MFPT: the entry, else the scenario's mfpt-1d overlay for the event, else the start point and the event's lower x bound. */
function mfptEnds(e: ArrheniusEntry, s: Scenario, event: string | null): { from: number; to: number } | null {
  const t = s.theory.find((t) => t.kind === 'mfpt-1d' && (t.event === undefined || t.event === event));
  const from = e.from ?? (t && finite(t.from) ? t.from : s.ensemble.init.kind === 'point' && s.ensemble.init.x.length === 1 ? s.ensemble.init.x[0] : undefined);
  const ev: EventSpec | undefined = s.observe.events.find((x) => x.name === event);
  const b = ev ? Object.values(ev.enter)[0] : undefined;
  const to = e.to ?? (t && finite(t.to) ? t.to : b && Object.keys(ev!.enter).length === 1 ? (b.ge ?? b.gt) : undefined);
  return finite(from) && finite(to) && to > from ? { from, to } : null;
}

/** Barrier and curvatures of a 1-D potential between `from` (a minimum's basin) and `to`. */
function barrierOf(f: (x: number) => number, from: number, to: number) {
  const s = minimizeOnInterval((x) => -f(x), from, to, 2001);
  const xs = s.x;
  const w = Math.max(xs - from, 1e-3);
  const a = minimizeOnInterval(f, from - w, xs, 2001);
  const h = 1e-4 * Math.max(1, Math.abs(w));
  const fpp = (x: number) => (f(x + h) - 2 * f(x) + f(x - h)) / (h * h);
  return { saddle: xs, minimum: a.x, barrier: f(xs) - a.f, fppMin: fpp(a.x), fppSaddle: fpp(xs) };
}

registerAnalysis<ArrheniusEntry>({
  kind: 'arrhenius',
  scope: 'sweep',
  description: 'ln τ vs 1/θ over a temperature sweep: fitted barrier with CI vs the potential’s barrier; per point the MFPT vs the exact 1-D integral and Kramers',
  keys: { x: 'string', y: 'string', event: 'string', barrier: 'number', from: 'number', to: 'number', weighted: 'boolean' },
  check(e, s) {
    const issues: Issue[] = [...checkPath(e, 'x', s, { sweptOk: true }), ...checkPath(e, 'y', s, { metricOk: true })];
    const swept = s.sweep ? sweepKeys(s.sweep as Obj) : [];
    if (e.x === undefined && !swept.includes('dynamics.temperature'))
      issues.push({ key: 'x', expected: 'the swept temperature key (default dynamics.temperature, which is not swept here)', found: 'nothing' });
    const names = s.observe.events.map((x) => x.name);
    if (e.event !== undefined && !names.includes(e.event)) issues.push({ key: 'event', expected: `an event of observe.events (${names.join(', ') || 'none'})`, found: renderValue(e.event) });
    if (e.y === undefined && e.event === undefined && names.length !== 1)
      issues.push({ key: 'event', expected: `the event whose escape time to fit (${names.join(', ') || 'none defined'}), or y`, found: 'nothing' });
    if (e.barrier !== undefined && !(e.barrier > 0)) issues.push({ key: 'barrier', expected: 'a barrier > 0', found: renderValue(e.barrier) });
    return issues;
  },
  text: (r) => String(r.text ?? ''),
  run(e, ctx) {
    const s = ctx.scenario;
    const xKey = e.x ?? 'dynamics.temperature';
    const event = arrheniusEvent(e, s);
    const yPath = e.y ?? `events.${event}.mfpt.time`;
    const unit = unitOf(yPath);
    const ends = mfptEnds(e, s, event);
    const notes: string[] = [];
    const rows = numericPoints(ctx).map((p) => {
      const theta = readX(p, xKey, ctx.keys).value;
      const m = readMetric(p.summary, yPath);
      const eta = p.summary.run.lr;
      const ps = pointScenario(s, p);
      let exact: number | null = null, kramers: number | null = null, barrier: number | null = null, lnTau0: number | null = null;
      const pot = ends ? buildSync(ps, p.index) : null;
      if (pot && pot.dim === 1 && ends && theta !== null && theta > 0) {
        const f = scalarEnergy(pot);
        try {
          const d = meanFirstPassageTimeDetailed(f, ends.from, ends.to, theta);
          exact = unit === 'steps' ? d.time / eta : d.time;
          const b = barrierOf(f, ends.from, ends.to);
          barrier = b.barrier;
          const logK = logKramersRate(b.fppMin, b.fppSaddle, b.barrier, theta);
          kramers = Math.exp(-logK) / (unit === 'steps' ? eta : 1);
          lnTau0 = -(logK + b.barrier / theta) - (unit === 'steps' ? Math.log(eta) : 0);
        } catch (err) {
          notes.push(`point ${p.index}: no exact MFPT (${(err as Error).message})`);
        }
      }
      const fp = familyParams(ps);
      if (fp?.kind === 'double-well' && finite(fp.params.h)) barrier = fp.params.h as number;
      const ls = logSigma(m);
      const se = m.se;
      return {
        index: p.index,
        theta,
        invTheta: theta !== null && theta > 0 ? 1 / theta : null,
        measured: m.value,
        measuredCi: m.ci,
        logSe: ls,
        exact,
        kramers,
        ratio: m.value !== null && exact ? m.value / exact : null,
        z: m.value !== null && exact !== null && se ? (m.value - exact) / se : null,
        zLog: m.value !== null && m.value > 0 && exact && ls ? (Math.log(m.value) - Math.log(exact)) / ls : null,
        kramersRatio: m.value !== null && kramers ? m.value / kramers : null,
        barrier,
        lnTau0,
        fractionEntered: event ? (p.summary.events[event]?.fractionEntered ?? null) : null,
      };
    });
    const used = rows.filter((r) => r.invTheta !== null && r.measured !== null && r.measured > 0);
    if (used.length < rows.length) notes.push(`${rows.length - used.length} point(s) without a positive ${yPath} or θ were left out`);
    const barriers = rows.map((r) => r.barrier).filter((b): b is number => b !== null);
    let theory: number | null = e.barrier ?? null;
    let barrierSource = e.barrier !== undefined ? 'entry' : '';
    if (theory === null && barriers.length === rows.length && barriers.length > 0) {
      if (barriers.every((b) => Math.abs(b - barriers[0]) <= 1e-6 * Math.abs(barriers[0]))) {
        theory = barriers[0];
        const fp = familyParams(s);
        barrierSource = fp?.kind === 'double-well' ? 'potential parameter h' : `max of f between the minimum and ${ends?.to} (grid search) minus the minimum`;
      } else notes.push('the barrier differs between points (a potential parameter is swept): no single barrier to compare the slope with');
    }
    const weighted = e.weighted !== false && used.every((r) => r.logSe !== null);
    if (e.weighted !== false && !weighted) notes.push(`no CI for ${yPath} at every point: unweighted fit`);
    let fit: LineFit | null = null, ols: LineFit | null = null, exactFit: LineFit | null = null;
    if (used.length >= 2) {
      const X = used.map((r) => r.invTheta!);
      const Y = used.map((r) => Math.log(r.measured!));
      fit = lineFit(X, Y, weighted ? used.map((r) => r.logSe) : undefined);
      ols = lineFit(X, Y);
      if (used.every((r) => r.exact !== null && r.exact > 0)) exactFit = lineFit(X, used.map((r) => Math.log(r.exact!)));
    } else notes.push(`only ${used.length} usable point(s): no fit (needs 2, and 3 for a CI)`);
    const lnTau0s = rows.map((r) => r.lnTau0).filter((v): v is number => v !== null);
    const kramersLnTau0 = lnTau0s.length === rows.length && lnTau0s.every((v) => Math.abs(v - lnTau0s[0]) < 1e-9) ? lnTau0s[0] : null;
    const zs = used.map((r) => r.z).filter((z): z is number => z !== null);
    const measured = fit?.slope ?? null;
    const ratio = measured !== null && theory ? measured / theory : null;
    // A dense exact-MFPT and Kramers curve over the swept temperatures (for plots), when the potential is not swept.
    const curve: Array<{ theta: number; invTheta: number; exact: number; kramers: number }> = [];
    const base = ends && !ctx.keys.some((k) => k.startsWith('potential.')) && xKey === 'dynamics.temperature' ? buildSync(s, 0) : null;
    const thetas = used.map((r) => r.theta!).sort((a, b) => a - b);
    if (base && base.dim === 1 && ends && thetas.length >= 2) {
      const f = scalarEnergy(base);
      const b = barrierOf(f, ends.from, ends.to);
      const eta = initialValue(s.dynamics.lr);
      for (let k = 0; k <= 24; k++) {
        const th = 1 / (1 / thetas[thetas.length - 1] + ((1 / thetas[0] - 1 / thetas[thetas.length - 1]) * k) / 24);
        try {
          const t = meanFirstPassageTimeDetailed(f, ends.from, ends.to, th).time;
          const kt = Math.exp(-logKramersRate(b.fppMin, b.fppSaddle, b.barrier, th));
          curve.push({ theta: th, invTheta: 1 / th, exact: unit === 'steps' ? t / eta : t, kramers: unit === 'steps' ? kt / eta : kt });
        } catch {
          break;
        }
      }
    }
    return {
      quantity: `barrier ΔE = slope of ln τ vs 1/θ (${xKey})`,
      measured,
      measuredCi: fit?.slopeCi ?? null,
      theory,
      ratio,
      theorySource: barrierSource || null,
      x: xKey,
      y: yPath,
      event,
      unit,
      from: ends?.from ?? null,
      to: ends?.to ?? null,
      model: 'ln τ = ln τ₀ + ΔE · (1/θ)',
      fit,
      ols,
      exactSlope: exactFit
        ? {
            slope: exactFit.slope,
            intercept: exactFit.intercept,
            ratio: measured !== null ? measured / exactFit.slope : null,
            z: measured !== null && fit?.slopeSe ? (measured - exactFit.slope) / fit.slopeSe : null,
            note: 'the same fit to the exact MFPT integral at the same temperatures: the slope the data should show (prefactor corrections make it differ from ΔE at finite θ)',
          }
        : null,
      prefactor: { measured: fit ? Math.exp(fit.intercept) : null, kramers: kramersLnTau0 !== null ? Math.exp(kramersLnTau0) : null, ratio: fit && kramersLnTau0 !== null ? Math.exp(fit.intercept - kramersLnTau0) : null },
      maxAbsZ: zs.length ? Math.max(...zs.map(Math.abs)) : null,
      points: rows,
      curve,
      notes,
      text:
        `Arrhenius (${yPath} vs 1/θ, ${used.length} points${fit?.weighted ? ', weighted' : ''}): ΔE = ${fmt(measured)} ${fmtCi(fit?.slopeCi)}` +
        (theory !== null ? ` vs barrier ${fmt(theory)} (ratio ${fmt(ratio, 3)})` : '') +
        (exactFit ? `; exact-MFPT slope ${fmt(exactFit.slope)}` : '') +
        (zs.length ? `; MFPT vs exact: max |z| = ${fmt(Math.max(...zs.map(Math.abs)), 2)}` : ''),
    };
  },
});

// ------------------------------------------------------------------ scaling and exponential fits

interface ScalingEntry {
  x?: string;
  x_metric?: string;
  y: string;
  expect?: number;
  weighted?: boolean;
}

interface FitPoint {
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
function analysisTheory(summary: unknown, path: string): { value: number; model: string } | null {
  const m = /^analyses\[(\d+)\]\.([A-Za-z0-9_]+)\.([A-Za-z0-9_]+)$/.exec(path);
  if (!m) return null;
  const v = valueAtPath(summary, `analyses[${m[1]}].theory.${m[2]}.${m[3]}`);
  const formula = valueAtPath(summary, `analyses[${m[1]}].theory.${m[2]}.formula`);
  return finite(v) ? { value: v, model: typeof formula === 'string' ? formula : `analyses[${m[1]}].theory.${m[2]}.${m[3]}` } : null;
}

/** Points for scaling / exponential fits, with per-point theory for the grokking potentials when it applies. */
function fitPoints(ctx: SweepAnalysisContext, xPath: string, yPath: string): FitPoint[] {
  const swept = ctx.keys.includes(xPath);
  return numericPoints(ctx).map((p) => {
    const xm = readX(p, xPath, ctx.keys);
    const ym = readMetric(p.summary, yPath);
    const ps = pointScenario(ctx.scenario, p);
    const evY = eventOfPath(yPath);
    const yT = evY ? eventTheory(ps, evY, unitOf(yPath)) : analysisTheory(p.summary, yPath);
    const evX = swept ? null : eventOfPath(xPath);
    const xT = swept ? null : evX ? eventTheory(ps, evX, unitOf(xPath)) : analysisTheory(p.summary, xPath);
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

function stripPrivate(p: FitPoint): FitPoint {
  return Object.fromEntries(Object.entries(p).filter(([k]) => !k.startsWith('_'))) as unknown as FitPoint;
}

registerAnalysis<ScalingEntry>({
  kind: 'scaling',
  scope: 'sweep',
  description: 'log–log slope of a metric vs a swept key (x) or another metric (x_metric), with CI, vs an expected exponent (t_mem ∝ L: 1, t_grok ∝ L²: 2)',
  keys: { x: 'string', x_metric: 'string', y: 'string', expect: 'number', weighted: 'boolean' },
  required: ['y'],
  check(e, s) {
    const issues: Issue[] = [...checkPath(e, 'x', s, { sweptOk: true, metricOk: true }), ...checkPath(e, 'x_metric', s, { metricOk: true }), ...checkPath(e, 'y', s, { metricOk: true })];
    if (e.x === undefined && e.x_metric === undefined) issues.push({ key: 'x', expected: 'a swept key (or x_metric: a summary path)', found: 'nothing' });
    if (e.x !== undefined && e.x_metric !== undefined) issues.push({ key: 'x_metric', expected: 'either x or x_metric, not both', found: 'both' });
    return issues;
  },
  text: (r) => String(r.text ?? ''),
  run(e, ctx) {
    const xPath = (e.x_metric ?? e.x)!;
    const pts = fitPoints(ctx, xPath, e.y) as Array<FitPoint & { _xs: number | null; _ys: number | null; _model: string | null }>;
    const used = pts.filter((p) => p.x !== null && p.x > 0 && p.y !== null && p.y > 0);
    const notes: string[] = [];
    if (used.length < pts.length) notes.push(`${pts.length - used.length} point(s) without positive x and y were left out`);
    const weighted = e.weighted !== false && used.every((p) => p._ys !== null);
    if (e.weighted !== false && !weighted) notes.push(`no CI for ${e.y} at every point: unweighted fit`);
    let fit: LineFit | null = null, ols: LineFit | null = null, theoryFit: LineFit | null = null;
    if (used.length >= 2) {
      const X = used.map((p) => Math.log(p.x!));
      const Y = used.map((p) => Math.log(p.y!));
      fit = lineFit(X, Y, weighted ? used.map((p) => p._ys) : undefined, weighted && e.x_metric ? used.map((p) => p._xs) : undefined);
      ols = lineFit(X, Y);
      if (used.every((p) => p.xTheory !== null && p.xTheory > 0 && p.yTheory !== null && p.yTheory > 0))
        theoryFit = lineFit(used.map((p) => Math.log(p.xTheory!)), used.map((p) => Math.log(p.yTheory!)));
    } else notes.push(`only ${used.length} usable point(s): no fit`);
    const measured = fit?.slope ?? null;
    const theory = e.expect ?? null;
    const zs = used.map((p) => p.z).filter((z): z is number => z !== null);
    return {
      quantity: `exponent of ${e.y} ∝ ${xPath}^b (log–log slope)`,
      measured,
      measuredCi: fit?.slopeCi ?? null,
      theory,
      ratio: measured !== null && theory ? measured / theory : null,
      difference: measured !== null && theory !== null ? measured - theory : null,
      x: xPath,
      y: e.y,
      model: 'ln y = ln c + b · ln x',
      fit,
      ols,
      theorySlope: theoryFit ? { slope: theoryFit.slope, model: used[0]?._model ?? null, note: 'the same fit to the closed-form means at these points (theory/grokking.ts)' } : null,
      maxAbsZ: zs.length ? Math.max(...zs.map(Math.abs)) : null,
      points: pts.map(stripPrivate),
      notes,
      text:
        `scaling ${e.y} ∝ ${xPath}^b (${used.length} points${fit?.weighted ? ', weighted' : ''}): b = ${fmt(measured)} ${fmtCi(fit?.slopeCi)}` +
        (theory !== null ? ` vs ${fmt(theory)}` : '') +
        (theoryFit ? `; closed-form means give ${fmt(theoryFit.slope)}` : ''),
    };
  },
});

interface ExponentialEntry {
  x: string;
  y: string;
  expect?: number;
  weighted?: boolean;
}

registerAnalysis<ExponentialEntry>({
  kind: 'exponential-fit',
  scope: 'sweep',
  description: 'ln y = a + b·x over a sweep (t_grok vs the sample count n), slope with CI vs an expected one (default ln(a/A) for sample-size-box)',
  keys: { x: 'string', y: 'string', expect: 'number', weighted: 'boolean' },
  required: ['x', 'y'],
  check(e, s) {
    return [...checkPath(e, 'x', s, { sweptOk: true, metricOk: true }), ...checkPath(e, 'y', s, { metricOk: true })];
  },
  text: (r) => String(r.text ?? ''),
  run(e, ctx) {
    const pts = fitPoints(ctx, e.x, e.y) as Array<FitPoint & { _ys: number | null; _model: string | null }>;
    const used = pts.filter((p) => p.x !== null && p.y !== null && p.y > 0);
    const notes: string[] = [];
    if (used.length < pts.length) notes.push(`${pts.length - used.length} point(s) without x or a positive y were left out`);
    const weighted = e.weighted !== false && used.every((p) => p._ys !== null);
    if (e.weighted !== false && !weighted) notes.push(`no CI for ${e.y} at every point: unweighted fit`);
    let fit: LineFit | null = null, ols: LineFit | null = null, theoryFit: LineFit | null = null;
    if (used.length >= 2) {
      const X = used.map((p) => p.x!);
      const Y = used.map((p) => Math.log(p.y!));
      fit = lineFit(X, Y, weighted ? used.map((p) => p._ys) : undefined);
      ols = lineFit(X, Y);
      if (used.every((p) => p.yTheory !== null && p.yTheory > 0)) theoryFit = lineFit(X, used.map((p) => Math.log(p.yTheory!)));
    } else notes.push(`only ${used.length} usable point(s): no fit`);
    // Default expectation: the sample-size-box slope ln((2a + w)/(2A + w)), w = sqrt(2πθ/κ), when n is the abscissa.
    let theory = e.expect ?? null;
    let theorySource: string | null = e.expect !== undefined ? 'entry' : null;
    const fp = familyParams(ctx.scenario);
    if (theory === null && fp?.kind === 'sample-size-box' && e.x === 'potential.params.n') {
      const p = fp.params;
      theory = sampleSizeSlope(p.a as number, p.A as number, initialValue(ctx.scenario.dynamics.temperature), p.wall as number);
      theorySource = `ln((2a + w)/(2A + w)), w = sqrt(2πθ/κ) = ${fmt(Math.sqrt((2 * Math.PI * initialValue(ctx.scenario.dynamics.temperature)) / (p.wall as number)))} (ln(a/A) = ${fmt(Math.log((p.a as number) / (p.A as number)))})`;
    }
    const measured = fit?.slope ?? null;
    const zs = used.map((p) => p.z).filter((z): z is number => z !== null);
    return {
      quantity: `slope b of ln ${e.y} = a + b · ${e.x}`,
      measured,
      measuredCi: fit?.slopeCi ?? null,
      theory,
      ratio: measured !== null && theory ? measured / theory : null,
      theorySource,
      x: e.x,
      y: e.y,
      model: 'ln y = a + b · x',
      fit,
      ols,
      theorySlope: theoryFit ? { slope: theoryFit.slope, intercept: theoryFit.intercept, model: used[0]?._model ?? null, note: 'the same fit to the closed-form means at these points (theory/grokking.ts)' } : null,
      maxAbsZ: zs.length ? Math.max(...zs.map(Math.abs)) : null,
      points: pts.map(stripPrivate),
      notes,
      text:
        `exponential fit ln ${e.y} = a + b·${e.x} (${used.length} points${fit?.weighted ? ', weighted' : ''}): b = ${fmt(measured)} ${fmtCi(fit?.slopeCi)}` +
        (theory !== null ? ` vs ${fmt(theory)} (ratio ${fmt(measured !== null && theory ? measured / theory : null, 3)})` : ''),
    };
  },
});

// ------------------------------------------------------------------ crossover

interface CrossoverEntry {
  x?: string;
  y?: string;
  level?: number;
  well?: number;
  expect?: number;
  log?: boolean;
}

/** mulberry32: a small seeded generator for the deterministic parametric bootstrap. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** First crossing of `level` by linear interpolation of y against u (u = ln x or x), or null. */
function firstCrossing(u: number[], y: number[], level: number): { u: number; i: number } | null {
  for (let i = 0; i + 1 < u.length; i++) {
    const a = y[i] - level, b = y[i + 1] - level;
    if (a === 0) return { u: u[i], i };
    if (a * b < 0) return { u: u[i] + ((level - y[i]) / (y[i + 1] - y[i])) * (u[i + 1] - u[i]), i };
  }
  if (y.length > 0 && y[y.length - 1] === level) return { u: u[u.length - 1], i: u.length - 1 };
  return null;
}

/** The two-wells spec of a scenario, if that is its potential. */
function twoWellsSpec(s: Scenario) {
  const fp = familyParams(s);
  if (fp?.kind !== 'two-wells') return null;
  try {
    return resolveTwoWells(fp.params as TwoWellsParams);
  } catch {
    return null;
  }
}

const logit = (p: number) => Math.log(p / (1 - p));

registerAnalysis<CrossoverEntry>({
  kind: 'crossover',
  scope: 'sweep',
  description: 'where a metric (a well occupancy) crosses a level along a temperature sweep, with a CI; vs θ* = 2(D₁ − D₂)/Σ ln(k₁/k₂) and the exact crossing (two-wells)',
  keys: { x: 'string', y: 'string', level: 'number', well: 'number', expect: 'number', log: 'boolean' },
  check(e, s) {
    const issues: Issue[] = [...checkPath(e, 'x', s, { sweptOk: true }), ...checkPath(e, 'y', s, { metricOk: true })];
    const swept = s.sweep ? sweepKeys(s.sweep as Obj) : [];
    if (e.x === undefined && !swept.includes('dynamics.temperature'))
      issues.push({ key: 'x', expected: 'the swept temperature key (default dynamics.temperature, which is not swept here)', found: 'nothing' });
    if (e.y === undefined && !s.observe.observables.includes('well'))
      issues.push({ key: 'y', expected: 'a metric path (default observables.well.final.mean needs the `well` observable)', found: 'nothing', hint: 'Add well to observe.observables, or give y.' });
    if (e.well !== undefined && !(Number.isInteger(e.well) && e.well >= 0 && e.well <= 1)) issues.push({ key: 'well', expected: 'well index 0 or 1', found: renderValue(e.well) });
    return issues;
  },
  text: (r) => String(r.text ?? ''),
  run(e, ctx) {
    const s = ctx.scenario;
    const xKey = e.x ?? 'dynamics.temperature';
    const yPath = e.y ?? 'observables.well.final.mean';
    const level = e.level ?? 0.5;
    const well = e.well ?? 1;
    const useLog = e.log !== false;
    const notes: string[] = [];
    const spec = twoWellsSpec(s);
    const isotropic = spec !== null && spec.k1.every((k) => k === spec.k1[0]) && spec.k2.every((k) => k === spec.k2[0]) && spec.centre1.every((c, j) => j === 0 || c === 0) && spec.centre2.every((c, j) => j === 0 || c === 0);
    const exactOcc = (sp: typeof spec, th: number): number | null => {
      if (!sp) return null;
      try {
        return twoWellsOccupanciesRadial(sp, th).occupancies[well];
      } catch {
        return null;
      }
    };
    const rows = numericPoints(ctx)
      .map((p) => {
        const x = readX(p, xKey, ctx.keys).value;
        const m = readMetric(p.summary, yPath);
        const ps = pointScenario(s, p);
        const sp = twoWellsSpec(ps);
        const exact = x !== null && x > 0 && isotropic ? exactOcc(sp, x) : null;
        const harmonic = x !== null && x > 0 && sp ? twoWellsHarmonicOccupancies(sp.depth1, sp.k1, sp.depth2, sp.k2, x)[well] : null;
        return {
          index: p.index,
          x,
          measured: m.value,
          se: m.se,
          measuredCi: m.ci ?? (m.value !== null && m.se !== null ? ([m.value - Z95 * m.se, m.value + Z95 * m.se] as [number, number]) : null),
          exact,
          harmonic,
          ratio: m.value !== null && exact ? m.value / exact : null,
          z: m.value !== null && exact !== null && m.se ? (m.value - exact) / m.se : null,
        };
      })
      .filter((r) => r.x !== null && (!useLog || r.x > 0))
      .sort((a, b) => a.x! - b.x!);
    const used = rows.filter((r) => r.measured !== null);
    const U = used.map((r) => (useLog ? Math.log(r.x!) : r.x!));
    const back = (u: number) => (useLog ? Math.exp(u) : u);
    const Y = used.map((r) => r.measured!);
    const c = firstCrossing(U, Y, level);
    let measured: number | null = null, deltaCi: [number, number] | null = null, bootCi: [number, number] | null = null, bootMissing: number | null = null;
    if (c) {
      measured = back(c.u);
      const i = c.i;
      if (i + 1 < used.length) {
        const dy = Y[i + 1] - Y[i];
        const du = U[i + 1] - U[i];
        const s0 = used[i].se ?? 0, s1 = used[i + 1].se ?? 0;
        const varU = (du * du * ((level - Y[i + 1]) ** 2 * s0 * s0 + (level - Y[i]) ** 2 * s1 * s1)) / dy ** 4;
        deltaCi = [back(c.u - Z95 * Math.sqrt(varU)), back(c.u + Z95 * Math.sqrt(varU))];
      }
      if (used.every((r) => r.se !== null)) {
        // Parametric bootstrap: y_i ~ N(y_i, se_i) independently (points are independent runs); seeded, so deterministic.
        const rng = mulberry32(0x5eed + used.length);
        const B = 2000;
        const us: number[] = [];
        let missing = 0;
        for (let b = 0; b < B; b++) {
          const yb = Y.map((y, k) => {
            const u1 = Math.max(rng(), 1e-300), u2 = rng();
            return y + used[k].se! * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
          });
          const cb = firstCrossing(U, yb, level);
          if (cb) us.push(cb.u);
          else missing++;
        }
        us.sort((a, b) => a - b);
        if (us.length >= 0.9 * B) bootCi = [back(us[Math.floor(0.025 * (us.length - 1))]), back(us[Math.ceil(0.975 * (us.length - 1))])];
        bootMissing = missing / B;
      }
      const crossings = Y.slice(0, -1).filter((y, k) => (y - level) * (Y[k + 1] - level) < 0).length;
      if (crossings > 1) notes.push(`${yPath} crosses ${level} ${crossings} times; the first crossing is reported`);
    } else if (used.length > 0) {
      const above = Y.every((y) => y > level);
      notes.push(`${yPath} stays ${above ? 'above' : 'below'} ${level} over ${xKey} ∈ [${fmt(used[0].x)}, ${fmt(used[used.length - 1].x)}]: no crossing in the swept range`);
    }
    // Logit fit: logit P = a + b/θ (harmonic wells: a = ΔS, the entropy difference ½Σ ln(k_other/k_this); b = −ΔE).
    let logitFit: Record<string, unknown> | null = null;
    const lu = used.filter((r) => r.measured! > 0 && r.measured! < 1 && r.x! > 0);
    if (lu.length >= 3 && lu.every((r) => r.se !== null && r.se > 0)) {
      const f = lineFit(
        lu.map((r) => 1 / r.x!),
        lu.map((r) => logit(r.measured!)),
        lu.map((r) => r.se! / (r.measured! * (1 - r.measured!))),
      );
      const L0 = logit(level);
      // θ_c = b/(L0 − a); delta method with cov(a, b).
      const thc = f.slope / (L0 - f.intercept);
      let ci: [number, number] | null = null;
      if (f.slopeSe !== null && f.interceptSe !== null && f.covariance !== null) {
        const ga = f.slope / (L0 - f.intercept) ** 2;
        const gb = 1 / (L0 - f.intercept);
        const v = ga * ga * f.interceptSe ** 2 + gb * gb * f.slopeSe ** 2 + 2 * ga * gb * f.covariance;
        ci = v >= 0 ? [thc - Z95 * Math.sqrt(v), thc + Z95 * Math.sqrt(v)] : null;
      }
      const other = 1 - well;
      const th =
        spec !== null
          ? {
              energy: -([spec.depth1, spec.depth2][other] - [spec.depth1, spec.depth2][well]),
              entropy: 0.5 * [spec.k1, spec.k2][other].reduce((acc, k, j) => acc + Math.log(k / [spec.k1, spec.k2][well][j]), 0),
            }
          : null;
      logitFit = {
        model: 'logit y = a + b/θ  (harmonic wells: a = ΔS = ½ Σ ln(k_other/k_this), b = −(D_other − D_this))',
        intercept: f.intercept,
        interceptCi: f.interceptCi,
        slope: f.slope,
        slopeCi: f.slopeCi,
        chi2: f.chi2,
        dof: f.dof,
        pValue: f.pValue,
        crossing: thc > 0 ? thc : null,
        crossingCi: ci,
        harmonic: th ? { intercept: th.entropy, slope: th.energy } : null,
      };
    }
    // Theory: the harmonic θ* (MODELS.md 1.3) and the exact crossing of the quadrature occupancy.
    let theory: number | null = e.expect ?? null;
    let theorySource: string | null = e.expect !== undefined ? 'entry' : null;
    let exactCrossing: number | null = null;
    if (spec) {
      if (theory === null) {
        const t = twoWellsCrossoverTemperature(spec.depth1, spec.k1, spec.depth2, spec.k2);
        theory = Number.isFinite(t) ? t : null;
        theorySource = `harmonic θ* = 2(D₁ − D₂)/Σ_j ln(k₁ⱼ/k₂ⱼ) (d = ${spec.k1.length})`;
      }
      if (isotropic && xKey === 'dynamics.temperature' && level > 0 && level < 1) {
        // Bisection on ln θ of exact occupancy − level, over a bracket found by scanning.
        const g = (lt: number) => (exactOcc(spec, Math.exp(lt)) ?? NaN) - level;
        const lo0 = Math.log(Math.max(1e-3, (used[0]?.x ?? 0.1) / 8));
        const hi0 = Math.log((used[used.length - 1]?.x ?? 1) * 8);
        let a = NaN, b = NaN;
        let prev = g(lo0);
        for (let k = 1; k <= 48; k++) {
          const u = lo0 + ((hi0 - lo0) * k) / 48;
          const gu = g(u);
          if (prev * gu <= 0) {
            a = lo0 + ((hi0 - lo0) * (k - 1)) / 48;
            b = u;
            break;
          }
          prev = gu;
        }
        if (Number.isFinite(a)) {
          let ga = g(a);
          for (let it = 0; it < 40 && b - a > 1e-7; it++) {
            const m = 0.5 * (a + b);
            const gm = g(m);
            if (ga * gm <= 0) b = m;
            else {
              a = m;
              ga = gm;
            }
          }
          exactCrossing = Math.exp(0.5 * (a + b));
        }
      } else if (!isotropic) notes.push('exact occupancies need isotropic wells with centres on the x0 axis: only the harmonic theory');
    }
    // Dense theory curves over the swept range (for plots), when the potential is not swept.
    const curve: Array<{ x: number; exact: number | null; harmonic: number }> = [];
    if (spec && xKey === 'dynamics.temperature' && !ctx.keys.some((k) => k.startsWith('potential.')) && used.length >= 2) {
      const x0 = used[0].x!, x1 = used[used.length - 1].x!;
      for (let k = 0; k <= 24; k++) {
        const th = useLog ? x0 * Math.pow(x1 / x0, k / 24) : x0 + ((x1 - x0) * k) / 24;
        if (!(th > 0)) continue;
        curve.push({ x: th, exact: isotropic ? exactOcc(spec, th) : null, harmonic: twoWellsHarmonicOccupancies(spec.depth1, spec.k1, spec.depth2, spec.k2, th)[well] });
      }
    }
    // The exact occupancy interpolated at the same points: separates interpolation bias from statistics.
    const ex = used.every((r) => r.exact !== null) ? firstCrossing(U, used.map((r) => r.exact!), level) : null;
    const zs = used.map((r) => r.z).filter((z): z is number => z !== null);
    const ci = bootCi ?? deltaCi;
    return {
      quantity: `${xKey} where ${yPath} crosses ${level}`,
      measured,
      measuredCi: ci,
      ciMethod: bootCi ? 'parametric bootstrap of the points (y_i ~ N(y_i, se_i)), 2000 draws' : deltaCi ? 'delta method on the bracketing points' : null,
      theory,
      ratio: measured !== null && theory ? measured / theory : null,
      theorySource,
      exact: exactCrossing !== null ? { crossing: exactCrossing, ratio: measured !== null ? measured / exactCrossing : null, interpolated: ex ? back(ex.u) : null, note: 'root of the quadrature occupancy (theory/two-wells.ts); interpolated = the same interpolation applied to the exact occupancies at the swept points' } : null,
      x: xKey,
      y: yPath,
      level,
      well,
      interpolation: useLog ? `linear in ln ${xKey}` : `linear in ${xKey}`,
      deltaCi,
      bootstrapCi: bootCi,
      bootstrapNoCrossing: bootMissing,
      logitFit,
      maxAbsZ: zs.length ? Math.max(...zs.map(Math.abs)) : null,
      points: rows,
      curve,
      notes,
      text:
        `crossover of ${yPath} through ${level}: ${xKey} = ${fmt(measured)} ${fmtCi(ci)}` +
        (theory !== null ? ` vs θ* ${fmt(theory)} (ratio ${fmt(measured !== null && theory ? measured / theory : null, 3)})` : '') +
        (exactCrossing !== null ? `, exact ${fmt(exactCrossing)}` : '') +
        (zs.length ? `; occupancy vs quadrature max |z| = ${fmt(Math.max(...zs.map(Math.abs)), 2)}` : '') +
        (measured === null && notes.length ? ` (${notes[notes.length - 1]})` : ''),
    };
  },
});

