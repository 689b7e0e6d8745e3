/**
 * Phase diagram: phases.csv (index,x,y,metric,phase) as a heatmap on log–log
 * axes, with the fitted boundary line of phase-boundary.json
 * (log y = intercept + slope · log x; base 10 unless the file says `base: "e"`).
 */
import { fmt, WIDTH } from './common.js';
import { column } from '../../results/read.js';
import { registerPlot } from './registry.js';
import type { ReportContext, VegaLiteSpec } from './types.js';

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
    const pts = p.rows
      .map((_, i) => ({ x: xs[i], y: ys[i], metric: ms[i], phase: phase[i] }))
      .filter((d): d is { x: number; y: number; metric: number | null; phase: string } => d.x !== null && d.y !== null);
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
    const cells = pts.map((d) => ({ ...d, x0: ex.get(d.x)![0], x1: ex.get(d.x)![1], y0: ey.get(d.y)![0], y1: ey.get(d.y)![1] }));
    const byPhase = cells.some((c) => c.phase !== '');
    const [xName, yName] = axisNames(ctx);
    const xDomain = [Math.min(...cells.map((c) => c.x0)), Math.max(...cells.map((c) => c.x1))];
    const yDomain = [Math.min(...cells.map((c) => c.y0)), Math.max(...cells.map((c) => c.y1))];
    const x = {
      field: 'x0',
      type: 'quantitative' as const,
      title: xName,
      scale: { type: logX ? ('log' as const) : ('linear' as const), domain: xDomain, nice: false },
    };
    const y = {
      field: 'y0',
      type: 'quantitative' as const,
      title: yName,
      scale: { type: logY ? ('log' as const) : ('linear' as const), domain: yDomain, nice: false },
    };
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
            ? { field: 'phase', type: 'nominal', title: 'phase', scale: { scheme: 'set2' } }
            : { field: 'metric', type: 'quantitative', title: 'metric', scale: { scheme: 'viridis' } },
        },
      },
    ];
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
          mark: { type: 'line', color: 'black', strokeWidth: 2, strokeDash: [6, 3], clip: true },
          encoding: { x: { field: 'x0', type: 'quantitative' }, y: { field: 'y0', type: 'quantitative' } },
        });
      const pts = b.points.filter((p) => p.x > 0 && p.y > 0).map((p) => ({ x0: p.x, y0: p.y }));
      if (pts.length)
        layer.push({
          data: { values: pts },
          mark: { type: 'point', filled: true, color: 'black', size: 30, clip: true },
          encoding: { x: { field: 'x0', type: 'quantitative' }, y: { field: 'y0', type: 'quantitative' } },
        });
    }
    const b = bs[0];
    return [
      {
        description: `${cells.length} sweep points; ${byPhase ? `phases: ${[...new Set(cells.map((c) => c.phase))].join(', ')}` : 'coloured by the metric'}${b ? `; dashed: fitted boundary, slope ${fmt(b.slope)}` : ''}.`,
        title: { text: `phases over ${xName} × ${yName}`, anchor: 'start' },
        width: WIDTH,
        height: Math.round(WIDTH * 0.7),
        layer,
      } as VegaLiteSpec,
    ];
  },
});
