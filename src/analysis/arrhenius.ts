/**
 * Sweep analysis `arrhenius` (docs/models.md §1.2): ln τ = ln τ₀ + ΔE·(1/θ) over a
 * temperature sweep — the fitted barrier vs the potential's barrier, and per
 * point the measured MFPT vs the exact 1-D integral and Kramers, each at the
 * θ, η and λ the point integrated (read from its summary.json).
 *
 * Every sweep fit's result has the headline fields `quantity`, `measured`,
 * `measuredCi`, `theory`, `ratio` (= measured/theory) and `text`, then the details.
 */
import { scalarEnergy } from './energy.js';
import { sweepKeys } from '../scenario/sweep.js';
import type { Scenario } from '../scenario/types.js';
import { lineFit, type LineFit } from '../stats/regression.js';
import { logKramersRate, meanFirstPassageTimeDetailed } from '../theory/mfpt.js';
import { minimizeOnInterval } from '../theory/quadrature.js';
import { renderValue } from '../scenario/index.js';
import { eventNames, type PlanEvent } from '../plan/run-plan.js';
import { registerAnalysis } from './registry.js';
import {
  buildSync,
  checkPath,
  eventOfPath,
  familyParams,
  finite,
  fmt,
  fmtCi,
  logSigma,
  numericPoints,
  pointScenario,
  pointTimeStep,
  pointWeightDecay,
  readMetric,
  readPointX,
  unitOf,
  type Issue,
  type Obj,
} from './sweep-points.js';

interface ArrheniusEntry {
  x?: string;
  y?: string;
  event?: string;
  barrier?: number;
  from?: number;
  to?: number;
  weighted?: boolean;
}

function arrheniusEvent(e: ArrheniusEntry, events: PlanEvent[]): string | null {
  if (e.event) return e.event;
  if (e.y) return eventOfPath(e.y);
  return events.length === 1 ? events[0].name : null;
}

/** from → to of the MFPT: the entry, else the scenario's mfpt-1d overlay for the event, else the start point and the event's lower x bound. */
function mfptEnds(e: ArrheniusEntry, s: Scenario, events: PlanEvent[], event: string | null): { from: number; to: number } | null {
  const t = s.theory.find((t) => t.kind === 'mfpt-1d' && (t.event === undefined || t.event === event));
  const from =
    e.from ??
    (t && finite(t.from) ? t.from : s.ensemble.init.kind === 'point' && s.ensemble.init.x.length === 1 ? s.ensemble.init.x[0] : undefined);
  const ev = events.find((x) => x.name === event);
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
  description:
    'ln τ vs 1/θ over a temperature sweep: fitted barrier with CI vs the potential’s barrier; per point the MFPT vs the exact 1-D integral and Kramers',
  keys: { x: 'string', y: 'string', event: 'string', barrier: 'number', from: 'number', to: 'number', weighted: 'boolean' },
  check(e, s, _potential, plan) {
    const issues: Issue[] = [...checkPath(e, 'x', s, plan, { sweptOk: true }), ...checkPath(e, 'y', s, plan, { metricOk: true })];
    const swept = s.sweep ? sweepKeys(s.sweep as Obj) : [];
    if (e.x === undefined && !swept.includes('dynamics.temperature'))
      issues.push({
        key: 'x',
        expected: 'the swept temperature key (default dynamics.temperature, which is not swept here)',
        found: 'nothing',
      });
    const names = eventNames(plan);
    if (e.event !== undefined && !names.includes(e.event))
      issues.push({ key: 'event', expected: `an event of observe.events (${names.join(', ') || 'none'})`, found: renderValue(e.event) });
    if (e.y === undefined && e.event === undefined && names.length !== 1)
      issues.push({
        key: 'event',
        expected: `the event whose escape time to fit (${names.join(', ') || 'none defined'}), or y`,
        found: 'nothing',
      });
    if (e.barrier !== undefined && !(e.barrier > 0))
      issues.push({ key: 'barrier', expected: 'a barrier > 0', found: renderValue(e.barrier) });
    return issues;
  },
  text: (r) => String(r.text ?? ''),
  run(e, ctx) {
    const s = ctx.scenario;
    const xKey = e.x ?? 'dynamics.temperature';
    const event = arrheniusEvent(e, ctx.events);
    const yPath = e.y ?? `events.${event}.mfpt.time`;
    const unit = unitOf(yPath);
    const ends = mfptEnds(e, s, ctx.events, event);
    const notes: string[] = [];
    const rows = numericPoints(ctx).map((p) => {
      // θ as the point integrated it (its summary), so a group override is not mistaken for the swept value.
      const theta = readPointX(p, xKey, ctx.keys).value;
      const m = readMetric(p.summary, yPath);
      const eta = pointTimeStep(p.summary);
      const ps = pointScenario(s, p);
      let exact: number | null = null,
        kramers: number | null = null,
        barrier: number | null = null,
        lnTau0: number | null = null;
      const pot = ends ? buildSync(ps, p.index) : null;
      if (pot && pot.dim === 1 && ends && theta !== null && theta > 0) {
        const f = scalarEnergy(pot, pointWeightDecay(p.summary) ?? 0);
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
        barrierSource =
          fp?.kind === 'double-well'
            ? 'potential parameter h'
            : `max of f between the minimum and ${ends?.to} (grid search) minus the minimum`;
      } else notes.push('the barrier differs between points (a potential parameter is swept): no single barrier to compare the slope with');
    }
    const weighted = e.weighted !== false && used.every((r) => r.logSe !== null);
    if (e.weighted !== false && !weighted) notes.push(`no CI for ${yPath} at every point: unweighted fit`);
    let fit: LineFit | null = null,
      ols: LineFit | null = null,
      exactFit: LineFit | null = null;
    if (used.length >= 2) {
      const X = used.map((r) => r.invTheta!);
      const Y = used.map((r) => Math.log(r.measured!));
      fit = lineFit(X, Y, weighted ? used.map((r) => r.logSe) : undefined);
      ols = lineFit(X, Y);
      if (used.every((r) => r.exact !== null && r.exact > 0))
        exactFit = lineFit(
          X,
          used.map((r) => Math.log(r.exact!)),
        );
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
    // Time unit and weight decay of the curve: those of the points (the potential and everything but θ are not swept here).
    const eta = ctx.points.length > 0 ? pointTimeStep(ctx.points[0].summary) : Number.NaN;
    const lambda = ctx.points.length > 0 ? (pointWeightDecay(ctx.points[0].summary) ?? 0) : 0;
    if (base && base.dim === 1 && ends && thetas.length >= 2) {
      const f = scalarEnergy(base, lambda);
      const b = barrierOf(f, ends.from, ends.to);
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
      prefactor: {
        measured: fit ? Math.exp(fit.intercept) : null,
        kramers: kramersLnTau0 !== null ? Math.exp(kramersLnTau0) : null,
        ratio: fit && kramersLnTau0 !== null ? Math.exp(fit.intercept - kramersLnTau0) : null,
      },
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
