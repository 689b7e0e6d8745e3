/**
 * Phase diagram: phases.csv (index,x,y,metric,phase) as a heatmap on log–log
 * axes, with the fitted boundary line of phase-boundary.json
 * (log y = intercept + slope · log x; base 10 unless the file says `base: "e"`).
 */
import { COLOR, figure, fmt, keyLabel, logAxis, WIDTH } from './common.js';
import { wilsonInterval } from '../../stats/compare.js';
import { column } from '../../results/read.js';
import { registerPlot } from './registry.js';
import type { ReportContext, VegaLiteSpec } from './types.js';

/** Okabe–Ito members light enough for the metric printed in each cell to stay readable. */
const PHASE_COLORS = [COLOR.sky, COLOR.orange, COLOR.green, COLOR.purple, COLOR.yellow, COLOR.vermillion, COLOR.grey];

export interface PhaseBoundary {
  slope: number;
  intercept: number;
  slopeCi: [number, number] | null;
  interceptCi: [number, number] | null;
  base: number;
  /** The phases it separates, when the file says (`between`). */
  between: [string, string] | null;
  /** The boundary points the line was fitted to (`points[].x/y`), if listed. */
  points: Array<{ x: number; y: number }>;
}

const pair = (v: unknown): [number, number] | null =>
  Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'number' && Number.isFinite(x)) ? [v[0], v[1]] : null;

function readOne(entry: Record<string, unknown>, top: Record<string, unknown>): PhaseBoundary | null {
  const src = (entry.fit && typeof entry.fit === 'object' ? entry.fit : entry) as Record<string, unknown>;
  const slope = src.slope,
    intercept = src.intercept;
  if (typeof slope !== 'number' || typeof intercept !== 'number' || !Number.isFinite(slope) || !Number.isFinite(intercept)) return null;
  const ci = (name: string) => {
    for (const [k, v] of Object.entries(src)) if (k.toLowerCase().includes(name) && /ci|interval/i.test(k) && pair(v)) return pair(v);
    const nested = src[name];
    return nested && typeof nested === 'object'
      ? pair((nested as Record<string, unknown>).ci95 ?? (nested as Record<string, unknown>).ci)
      : null;
  };
  const b = src.base ?? entry.base ?? top.base ?? src.logBase ?? top.logBase;
  const form = String(src.form ?? src.model ?? entry.model ?? top.model ?? top.form ?? '');
  const base =
    b === 'e' ||
    b === 'ln' ||
    b === 'natural' ||
    (typeof b === 'number' && Math.abs(b - Math.E) < 1e-9) ||
    (b === undefined && /\bln\b/.test(form))
      ? Math.E
      : typeof b === 'number' && b > 1
        ? b
        : 10;
  const between =
    Array.isArray(entry.between) && entry.between.length === 2
      ? ([String(entry.between[0]), String(entry.between[1])] as [string, string])
      : null;
  const points = Array.isArray(entry.points)
    ? (entry.points as Array<Record<string, unknown>>)
        .filter((p) => p && typeof p.x === 'number' && typeof p.y === 'number')
        .map((p) => ({ x: p.x as number, y: p.y as number }))
    : [];
  return { slope, intercept, slopeCi: ci('slope'), interceptCi: ci('intercept'), base, between, points };
}

/**
 * Every fitted boundary of phase-boundary.json (a `boundaries` list, else the
 * file itself), tolerant of field names: `slope`/`intercept` at the top or in
 * `fit`, CIs as `slopeCi`/`slope_ci95`/…, `base` 10 unless it says e.
 */
export function readPhaseBoundaries(pb: Record<string, unknown> | null): PhaseBoundary[] {
  if (!pb) return [];
  const list = Array.isArray(pb.boundaries) && pb.boundaries.length > 0 ? (pb.boundaries as Array<Record<string, unknown>>) : [pb];
  return list.map((e) => (e && typeof e === 'object' ? readOne(e, pb) : null)).filter((b): b is PhaseBoundary => b !== null);
}

/** The first fitted boundary, or null. */
export function readPhaseBoundary(pb: Record<string, unknown> | null): PhaseBoundary | null {
  return readPhaseBoundaries(pb)[0] ?? null;
}

/** Cell edges around sorted distinct centres: geometric midpoints on a log axis, arithmetic otherwise. */
function edges(centres: number[], log: boolean): Map<number, [number, number]> {
  const m = new Map<number, [number, number]>();
  const mid = (a: number, b: number) => (log ? Math.sqrt(a * b) : (a + b) / 2);
  for (let i = 0; i < centres.length; i++) {
    const c = centres[i];
    const lo =
      i > 0
        ? mid(centres[i - 1], c)
        : centres.length > 1
          ? log
            ? (c * c) / mid(c, centres[1])
            : 2 * c - mid(c, centres[1])
          : log
            ? c / 1.5
            : c - 0.5;
    const hi =
      i < centres.length - 1
        ? mid(c, centres[i + 1])
        : centres.length > 1
          ? log
            ? (c * c) / mid(centres[i - 1], c)
            : 2 * c - mid(centres[i - 1], c)
          : log
            ? c * 1.5
            : c + 0.5;
    m.set(c, [lo, hi]);
  }
  return m;
}

/** The first `phase` analysis of the sweep's scenario (sweep.json), if any. */
function phaseAnalysis(ctx: ReportContext): { metric: string; thresholds: number[]; labels: string[] } | null {
  const list = (ctx.sweep?.meta?.scenario as { analysis?: unknown } | undefined)?.analysis;
  if (!Array.isArray(list)) return null;
  const a = list.find((e) => e && typeof e === 'object' && (e as { kind?: unknown }).kind === 'phase') as
    { metric?: unknown; thresholds?: unknown; labels?: unknown } | undefined;
  if (!a || typeof a.metric !== 'string' || !Array.isArray(a.thresholds)) return null;
  return {
    metric: a.metric,
    thresholds: a.thresholds.filter((t): t is number => typeof t === 'number'),
    labels: Array.isArray(a.labels) ? a.labels.map(String) : [],
  };
}

/**
 * The number of replicas behind a cell's metric when the metric is a
 * fraction of replicas (`events.<e>.fractionEntered`, `divergence.fraction`,
 * or another `…fraction…` path with values in [0, 1]), else null.
 */
function replicasBehind(ctx: ReportContext, metric: string, index: string): number | null {
  if (!/fraction/i.test(metric)) return null;
  const run = ctx.sweep?.points.find((p) => p.label === index);
  if (!run) return null;
  const ev = /^events\.([^.]+)\.fractionEntered$/.exec(metric);
  const n = ev ? run.summary.events?.[ev[1]]?.replicas : (run.summary.run.completedReplicas ?? run.summary.run.replicas);
  return typeof n === 'number' && n > 0 ? n : null;
}

/**
 * A cell of a learning-phases sweep (each point's summary has a
 * `learning-phases` result): the majority phase's share of the classified
 * replicas with its Wilson 95 % interval, labelled `k/n`. The majority is
 * significant when the interval's lower end is above ½ (most replicas are in
 * that phase, not only more than in any other).
 */
function learningPhasesMajority(
  ctx: ReportContext,
  index: string,
): { lo: number; hi: number; n: number; significant: boolean; label: string } | null {
  const run = ctx.sweep?.points.find((p) => p.label === index);
  const analyses = (run?.summary as { analyses?: unknown } | undefined)?.analyses;
  if (!Array.isArray(analyses)) return null;
  const lp = analyses.find((a) => a && typeof a === 'object' && (a as { kind?: unknown }).kind === 'learning-phases') as
    { counts?: Record<string, unknown>; classified?: unknown; majority?: unknown } | undefined;
  if (!lp || typeof lp.classified !== 'number' || !(lp.classified > 0) || typeof lp.majority !== 'string' || !lp.counts) return null;
  const k = lp.counts[lp.majority];
  if (typeof k !== 'number') return null;
  const n = lp.classified;
  const [lo, hi] = wilsonInterval(k, n);
  return { lo, hi, n, significant: lo > 0.5, label: `${k}/${n}` };
}

/**
 * Per cell: the metric's Wilson 95 % interval when it is a fraction of
 * replicas, and whether the phase is significant (no threshold inside the
 * interval). Cells without a count are significant by default (nothing to test).
 */
export function phaseCellConfidence(
  ctx: ReportContext,
  cells: Array<{ index: string; metric: number | null }>,
): Array<{ lo: number | null; hi: number | null; n: number | null; significant: boolean; label?: string }> {
  const pa = phaseAnalysis(ctx);
  return cells.map((c) => {
    const lp = learningPhasesMajority(ctx, c.index);
    if (lp) return lp;
    const n = pa && c.metric !== null && c.metric >= 0 && c.metric <= 1 ? replicasBehind(ctx, pa.metric, c.index) : null;
    if (!pa || n === null || c.metric === null) return { lo: null, hi: null, n: null, significant: true };
    const [lo, hi] = wilsonInterval(Math.round(c.metric * n), n);
    return { lo, hi, n, significant: !pa.thresholds.some((t) => lo < t && t < hi) };
  });
}

function axisNames(ctx: ReportContext): [string, string] {
  const pb = ctx.sweep?.phaseBoundary ?? {};
  const keys = ctx.sweep?.keys ?? [];
  const name = (v: unknown, fallback: string) => (typeof v === 'string' && v ? v : fallback);
  return [name(pb.x ?? pb.xKey, keys.length === 2 ? keys[0] : 'x'), name(pb.y ?? pb.yKey, keys.length === 2 ? keys[1] : 'y')];
}

registerPlot({
  kind: 'phase-diagram',
  title: 'Phase diagram',
  caption: (ctx) => {
    const bs = readPhaseBoundaries(ctx.sweep?.phaseBoundary ?? null);
    return (
      'Each sweep point as a cell coloured by its phase (phases.csv; by the metric where no phase is given), on log–log axes when all coordinates are positive.' +
      bs
        .map((b) => {
          const lg = b.base === Math.E ? 'ln' : 'log₁₀';
          return (
            ` Dashed line${b.between ? ` (${b.between[0]} | ${b.between[1]})` : ''}: the fitted boundary ${lg} y = ${fmt(b.intercept)} + ${fmt(b.slope)} · ${lg} x` +
            (b.slopeCi ? `, slope 95 % CI ${fmt(b.slopeCi[0])} – ${fmt(b.slopeCi[1])}` : '') +
            (b.interceptCi ? `, intercept 95 % CI ${fmt(b.interceptCi[0])} – ${fmt(b.interceptCi[1])}` : '') +
            (b.points.length ? `; black points: the ${b.points.length} boundary points it was fitted to` : '') +
            '.'
          );
        })
        .join('') +
      (bs.length ? ' (phase-boundary.json)' : '')
    );
  },
  applies: (ctx) => {
    const p = ctx.sweep?.phases;
    return !!p && p.header.includes('x') && p.header.includes('y') && column(p, 'x').some((v) => v !== null);
  },
  build: (ctx) => {
    const p = ctx.sweep!.phases!;
    const xs = column(p, 'x'),
      ys = column(p, 'y'),
      ms = column(p, 'metric');
    const kPhase = p.header.indexOf('phase');
    const phase = p.rows.map((r) => (kPhase >= 0 ? (r[kPhase] ?? '') : ''));
    const kIndex = p.header.indexOf('index');
    const pts = p.rows
      .map((r, i) => ({ x: xs[i], y: ys[i], metric: ms[i], phase: phase[i], index: kIndex >= 0 ? (r[kIndex] ?? '') : String(i) }))
      .filter((d): d is { x: number; y: number; metric: number | null; phase: string; index: string } => d.x !== null && d.y !== null);
    const logX = pts.every((d) => d.x > 0),
      logY = pts.every((d) => d.y > 0);
    const ex = edges(
      [...new Set(pts.map((d) => d.x))].sort((a, b) => a - b),
      logX,
    );
    const ey = edges(
      [...new Set(pts.map((d) => d.y))].sort((a, b) => a - b),
      logY,
    );
    const conf = phaseCellConfidence(ctx, pts);
    const cells = pts.map((d, i) => ({
      ...d,
      x0: ex.get(d.x)![0],
      x1: ex.get(d.x)![1],
      y0: ey.get(d.y)![0],
      y1: ey.get(d.y)![1],
      lo: conf[i].lo,
      hi: conf[i].hi,
      n: conf[i].n,
      significant: conf[i].significant,
      alpha: conf[i].significant ? 0.9 : 0.35,
      label: conf[i].label ?? (d.metric === null ? '' : `${fmt(d.metric, 2)}${conf[i].significant ? '' : '?'}`),
      ci: conf[i].lo !== null ? `${fmt(conf[i].lo, 2)} – ${fmt(conf[i].hi, 2)} (n = ${conf[i].n})` : '',
    }));
    const uncertain = cells.filter((c) => !c.significant).length;
    const withCi = cells.some((c) => c.n !== null);
    const lpCells = conf.some((c) => c.label !== undefined);
    const pa = phaseAnalysis(ctx);
    const byPhase = cells.some((c) => c.phase !== '');
    const [xName, yName] = axisNames(ctx);
    const xDomain = [Math.min(...cells.map((c) => c.x0)), Math.max(...cells.map((c) => c.x1))];
    const yDomain = [Math.min(...cells.map((c) => c.y0)), Math.max(...cells.map((c) => c.y1))];
    // Ticks at the swept values (the cell centres) when there are few, else at decades on a log axis.
    const ticks = (centres: number[], log: boolean, domain: number[]) =>
      centres.length <= 10 ? { values: centres, format: '.3~g' } : log ? logAxis(domain[0], domain[1]) : { tickCount: 6 };
    const xc = [...new Set(pts.map((d) => d.x))].sort((a, b) => a - b);
    const yc = [...new Set(pts.map((d) => d.y))].sort((a, b) => a - b);
    const x = {
      field: 'x0',
      type: 'quantitative' as const,
      title: keyLabel(xName),
      scale: { type: logX ? ('log' as const) : ('linear' as const), domain: xDomain, nice: false },
      axis: { ...ticks(xc, logX, xDomain), grid: false },
    };
    const y = {
      field: 'y0',
      type: 'quantitative' as const,
      title: keyLabel(yName),
      scale: { type: logY ? ('log' as const) : ('linear' as const), domain: yDomain, nice: false },
      axis: { ...ticks(yc, logY, yDomain), grid: false },
    };
    const phaseOrder = [
      ...(pa?.labels ?? []).filter((l) => cells.some((c) => c.phase === l)),
      ...[...new Set(cells.map((c) => c.phase))].filter((l) => !(pa?.labels ?? []).includes(l)),
    ];
    const layer: unknown[] = [
      {
        data: { values: cells },
        mark: { type: 'rect', stroke: 'white', strokeWidth: 0.5 },
        encoding: {
          x,
          x2: { field: 'x1' },
          y,
          y2: { field: 'y1' },
          color: byPhase
            ? { field: 'phase', type: 'nominal', title: 'phase', sort: phaseOrder, scale: { domain: phaseOrder, range: PHASE_COLORS } }
            : { field: 'metric', type: 'quantitative', title: 'metric', scale: { scheme: 'viridis' } },
          // A cell whose interval holds a threshold is drawn lighter: its phase is not significant.
          opacity: { field: 'alpha', type: 'quantitative', scale: null, legend: null },
          tooltip: [
            { field: 'x', type: 'quantitative', title: keyLabel(xName) },
            { field: 'y', type: 'quantitative', title: keyLabel(yName) },
            { field: 'phase', type: 'nominal' },
            { field: 'metric', type: 'quantitative' },
            { field: 'ci', type: 'nominal', title: 'Wilson 95 % CI' },
          ],
        },
      },
    ];
    if (cells.length <= 100)
      layer.push({
        data: { values: cells },
        transform: [
          { calculate: logX ? 'sqrt(datum.x0 * datum.x1)' : '(datum.x0 + datum.x1) / 2', as: 'xm' },
          { calculate: logY ? 'sqrt(datum.y0 * datum.y1)' : '(datum.y0 + datum.y1) / 2', as: 'ym' },
        ],
        mark: { type: 'text', fontSize: 10, color: '#222222' },
        encoding: { x: { field: 'xm', type: 'quantitative' }, y: { field: 'ym', type: 'quantitative' }, text: { field: 'label' } },
      });
    const bs = readPhaseBoundaries(ctx.sweep!.phaseBoundary);
    for (const b of logX && logY ? bs : []) {
      const n = 60;
      const line = Array.from({ length: n + 1 }, (_, i) => {
        const xv = xDomain[0] * Math.pow(xDomain[1] / xDomain[0], i / n);
        return { x0: xv, y0: Math.pow(b.base, b.intercept + b.slope * (Math.log(xv) / Math.log(b.base))) };
      }).filter((d) => d.y0 >= yDomain[0] && d.y0 <= yDomain[1]);
      if (line.length > 1)
        layer.push({
          data: { values: line },
          mark: { type: 'line', color: COLOR.black, strokeWidth: 2, strokeDash: [6, 3], clip: true },
          encoding: { x: { field: 'x0', type: 'quantitative' }, y: { field: 'y0', type: 'quantitative' } },
        });
      const pts = b.points.filter((p) => p.x > 0 && p.y > 0).map((p) => ({ x0: p.x, y0: p.y }));
      if (pts.length)
        layer.push({
          data: { values: pts },
          mark: { type: 'point', filled: true, color: COLOR.black, size: 30, clip: true },
          encoding: { x: { field: 'x0', type: 'quantitative' }, y: { field: 'y0', type: 'quantitative' } },
        });
    }
    const b = bs[0];
    return [
      figure({
        description:
          `${cells.length} sweep points; ${byPhase ? `phases: ${phaseOrder.join(', ')}` : 'coloured by the metric'}${lpCells ? '' : `; each cell shows its metric${pa ? ` (${pa.metric})` : ''}`}` +
          (withCi
            ? lpCells
              ? `; each cell shows how many of its classified replicas are in its majority phase; ${uncertain} of ${cells.length} cells drawn lighter: the Wilson 95 % interval of that share reaches ½ or below`
              : `; ${uncertain} of ${cells.length} cells drawn lighter: a threshold lies inside the Wilson 95 % interval of their fraction, so their phase is not significant`
            : '') +
          `${b ? `; dashed: fitted boundary, slope ${fmt(b.slope)}` : ''}.`,
        title: { text: `phases over ${keyLabel(xName)} × ${keyLabel(yName)}`, anchor: 'start' },
        width: WIDTH,
        height: Math.round(WIDTH * 0.7),
        layer,
      }) as VegaLiteSpec,
    ];
  },
});
