/**
 * Plots of the Brownian-picture sweep analyses (analyses.json of a sweep
 * directory, written by the sweep analyses src/analysis/arrhenius.ts, scaling.ts, exponential-fit.ts, crossover.ts):
 *
 *   arrhenius  ln τ against 1/θ with the points' 95 % CIs, the fitted line,
 *              the exact-MFPT curve and the Kramers line;
 *   scaling    log–log metric against the swept key (or another metric) with
 *              CIs, the fitted power law and the closed-form means; the
 *              exponential fits on semi-log axes;
 *   crossover  occupancy against θ with CIs, the exact and harmonic curves, the
 *              level, and rules at the measured crossing, θ* and the exact crossing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { COLOR, FIGURE_CONFIG, fmt, HEIGHT, metricLabel, quantScale, WIDTH } from './common.js';
import { registerPlot } from './registry.js';
import type { ReportContext, VegaLiteSpec } from './types.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const pair = (v: unknown): [number, number] | null =>
  Array.isArray(v) && v.length === 2 && num(v[0]) !== null && num(v[1]) !== null ? [v[0] as number, v[1] as number] : null;

/** The sweep analyses of a directory (analyses.json), or [] when absent or unreadable. */
export function readSweepAnalyses(ctx: ReportContext): Obj[] {
  if (ctx.layout !== 'sweep') return [];
  const f = join(ctx.dir, 'analyses.json');
  if (!existsSync(f)) return [];
  try {
    const doc = JSON.parse(readFileSync(f, 'utf8')) as Obj;
    return Array.isArray(doc.analyses) ? (doc.analyses as unknown[]).filter(isObj) : [];
  } catch {
    return [];
  }
}

const ofKind = (ctx: ReportContext, ...kinds: string[]) => readSweepAnalyses(ctx).filter((a) => kinds.includes(String(a.kind)));
const fitOf = (a: Obj): { slope: number; intercept: number } | null => {
  const f = a.fit;
  return isObj(f) && num(f.slope) !== null && num(f.intercept) !== null
    ? { slope: f.slope as number, intercept: f.intercept as number }
    : null;
};
const points = (a: Obj): Obj[] => (Array.isArray(a.points) ? (a.points as unknown[]).filter(isObj) : []);
const curve = (a: Obj): Obj[] => (Array.isArray(a.curve) ? (a.curve as unknown[]).filter(isObj) : []);
const ciText = (a: Obj) => {
  const ci = pair(a.measuredCi);
  return ci ? ` (95 % CI ${fmt(ci[0])} – ${fmt(ci[1])})` : '';
};

const SERIES = ['measured', 'fit', 'exact', 'Kramers', 'harmonic', 'closed form', 'expected slope'];
const SERIES_RANGE = [COLOR.blue, COLOR.blue, COLOR.vermillion, COLOR.purple, COLOR.purple, COLOR.vermillion, COLOR.black];
/** The colour scale of the series present in the data (the legend lists only those). */
function seriesScale(...data: Array<Array<{ series: string }>>): { domain: string[]; range: string[] } {
  const present = new Set(data.flat().map((d) => d.series));
  const idx = SERIES.map((_, i) => i).filter((i) => present.has(SERIES[i]));
  return { domain: idx.map((i) => SERIES[i]), range: idx.map((i) => SERIES_RANGE[i]) };
}

/** The dash of each series: the exact curve dotted, Kramers dashed, the rest solid. */
const dashOf = (series: string): number[] => (series === 'Kramers' ? [6, 3] : series === 'exact' ? [2, 2] : [1, 0]);

// ------------------------------------------------------------------ Arrhenius

function arrheniusSpec(a: Obj): VegaLiteSpec | null {
  const pts = points(a)
    .filter((p) => num(p.invTheta) !== null && num(p.measured) !== null && (p.measured as number) > 0)
    .map((p) => {
      const ci = pair(p.measuredCi);
      return {
        x: p.invTheta as number,
        y: Math.log(p.measured as number),
        lo: ci && ci[0] > 0 ? Math.log(ci[0]) : null,
        hi: ci && ci[1] > 0 ? Math.log(ci[1]) : null,
        series: 'measured',
      };
    });
  if (pts.length === 0) return null;
  const xs = pts.map((p) => p.x);
  const x0 = Math.min(...xs),
    x1 = Math.max(...xs);
  const lines: Array<{ x: number; y: number; series: string }> = [];
  const fit = fitOf(a);
  if (fit) for (const x of [x0, x1]) lines.push({ x, y: fit.intercept + fit.slope * x, series: 'fit' });
  for (const c of curve(a)) {
    if (num(c.invTheta) === null) continue;
    if (num(c.exact) !== null && (c.exact as number) > 0)
      lines.push({ x: c.invTheta as number, y: Math.log(c.exact as number), series: 'exact' });
    if (num(c.kramers) !== null && (c.kramers as number) > 0)
      lines.push({ x: c.invTheta as number, y: Math.log(c.kramers as number), series: 'Kramers' });
  }
  if (curve(a).length === 0)
    for (const p of points(a))
      if (num(p.invTheta) !== null && num(p.exact) !== null && (p.exact as number) > 0)
        lines.push({ x: p.invTheta as number, y: Math.log(p.exact as number), series: 'exact' });
  const x = { field: 'x', type: 'quantitative' as const, title: '1/θ', scale: { zero: false } };
  const y = { field: 'y', type: 'quantitative' as const, title: `ln ${a.y ? metricLabel(String(a.y)) : 'τ'}`, scale: { zero: false } };
  const colorScale = seriesScale(pts, lines);
  const legend = { symbolType: 'stroke', orient: 'top' as const };
  const color = { field: 'series', type: 'nominal' as const, title: '', scale: colorScale, legend };
  // The dash scale shares the colour scale's domain and title, so the one legend shows each line's dash.
  const dash = {
    field: 'series',
    type: 'nominal' as const,
    title: '',
    scale: { domain: colorScale.domain, range: colorScale.domain.map(dashOf) },
    legend,
  };
  const layer: unknown[] = [
    {
      data: { values: lines },
      mark: { type: 'line', strokeWidth: 1.5 },
      encoding: { x, y, color, strokeDash: dash },
    },
    {
      data: { values: pts.filter((p) => p.lo !== null && p.hi !== null) },
      mark: { type: 'rule' },
      encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color },
    },
    { data: { values: pts }, mark: { type: 'point', filled: true, size: 40 }, encoding: { x, y, color } },
  ];
  return {
    description:
      `Arrhenius plot of ${String(a.y)}: fitted ΔE = ${fmt(num(a.measured))}${ciText(a)}` +
      (num(a.theory) !== null ? ` against the barrier ${fmt(num(a.theory))} (ratio ${fmt(num(a.ratio), 3)})` : '') +
      (isObj(a.exactSlope) ? `; the exact MFPT has slope ${fmt(num(a.exactSlope.slope))} over these temperatures` : '') +
      '. Error bars: 95 % CIs of the censored-MLE MFPT; exact: the 1-D MFPT integral; Kramers: sqrt(f″(a)|f″(s)|)/(2π)·e^{−ΔE/θ}.',
    title: { text: `Arrhenius: ln τ vs 1/θ (${String(a.event ?? a.y)})`, anchor: 'start' },
    width: WIDTH,
    height: HEIGHT,
    config: FIGURE_CONFIG,
    layer,
  } as VegaLiteSpec;
}

registerPlot({
  kind: 'arrhenius',
  title: 'Arrhenius plot',
  caption:
    'ln of the mean first-passage time against 1/θ across the temperature sweep (analyses.json, kind arrhenius): the slope is the barrier.',
  applies: (ctx) => ofKind(ctx, 'arrhenius').length > 0,
  build: (ctx) =>
    ofKind(ctx, 'arrhenius')
      .map(arrheniusSpec)
      .filter((s): s is VegaLiteSpec => s !== null),
});

// ------------------------------------------------------------------ scaling and exponential fits

function scalingSpec(a: Obj): VegaLiteSpec | null {
  const exp = a.kind === 'exponential-fit';
  const pts = points(a)
    .filter((p) => num(p.x) !== null && num(p.y) !== null && (p.y as number) > 0 && (exp || (p.x as number) > 0))
    .map((p) => {
      const ci = pair(p.yCi);
      return { x: p.x as number, y: p.y as number, lo: ci ? ci[0] : null, hi: ci ? ci[1] : null, series: 'measured' };
    });
  if (pts.length === 0) return null;
  const xs = pts.map((p) => p.x);
  const x0 = Math.min(...xs),
    x1 = Math.max(...xs);
  const lines: Array<{ x: number; y: number; series: string }> = [];
  const fit = fitOf(a);
  if (fit) {
    for (let k = 0; k <= 20; k++) {
      const x = exp ? x0 + ((x1 - x0) * k) / 20 : x0 * Math.pow(x1 / x0, k / 20);
      lines.push({ x, y: Math.exp(fit.intercept + fit.slope * (exp ? x : Math.log(x))), series: 'fit' });
    }
  }
  // The expected law (the analysis' `expect`) drawn through the fitted line's value at the centre of the
  // range, so a measured slope is seen against the one it is tested with.
  const expected: Array<{ x: number; y: number; series: string }> = [];
  const b0 = num(a.theory);
  if (fit && b0 !== null && x1 > x0) {
    const xc = exp ? (x0 + x1) / 2 : Math.sqrt(x0 * x1);
    const at = (x: number) => (exp ? x : Math.log(x));
    const yc = fit.intercept + fit.slope * at(xc);
    for (let k = 0; k <= 20; k++) {
      const x = exp ? x0 + ((x1 - x0) * k) / 20 : x0 * Math.pow(x1 / x0, k / 20);
      expected.push({ x, y: Math.exp(yc + b0 * (at(x) - at(xc))), series: 'expected slope' });
    }
  }
  const theory = points(a)
    .filter((p) => num(p.xTheory) !== null && num(p.yTheory) !== null && (p.yTheory as number) > 0)
    .map((p) => ({ x: p.xTheory as number, y: p.yTheory as number, series: 'closed form' }));
  const x = {
    field: 'x',
    type: 'quantitative' as const,
    title: metricLabel(String(a.x)),
    ...quantScale(
      [...pts, ...lines].map((p) => p.x),
      !exp,
    ),
  };
  const y = {
    field: 'y',
    type: 'quantitative' as const,
    title: metricLabel(String(a.y)),
    ...quantScale([...pts.flatMap((p) => [p.y, p.lo, p.hi]), ...lines.map((p) => p.y), ...expected.map((p) => p.y)], true),
  };
  const color = { field: 'series', type: 'nominal' as const, title: '', scale: seriesScale(pts, lines, theory, expected) };
  const layer: unknown[] = [
    { data: { values: lines }, mark: { type: 'line', strokeWidth: 1.5 }, encoding: { x, y, color } },
    ...(expected.length
      ? [{ data: { values: expected }, mark: { type: 'line', strokeWidth: 1.5, strokeDash: [6, 3] }, encoding: { x, y, color } }]
      : []),
    {
      data: { values: pts.filter((p) => p.lo !== null && p.hi !== null && p.lo > 0) },
      mark: { type: 'rule' },
      encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color },
    },
    { data: { values: pts }, mark: { type: 'point', filled: true, size: 40 }, encoding: { x, y, color } },
  ];
  if (theory.length)
    layer.push({ data: { values: theory }, mark: { type: 'point', shape: 'diamond', size: 50 }, encoding: { x, y, color } });
  const what = exp ? `slope of ln y against x` : 'log–log slope';
  return {
    description:
      `${metricLabel(String(a.y))} against ${metricLabel(String(a.x))}: ${what} ${fmt(num(a.measured))}${ciText(a)}` +
      (num(a.theory) !== null ? ` vs ${fmt(num(a.theory))}` : '') +
      (isObj(a.theorySlope) ? `; closed-form means (diamonds) give ${fmt(num(a.theorySlope.slope))}` : '') +
      (expected.length ? `; dashed: the expected slope ${fmt(b0)} through the fit at the centre of the range` : '') +
      '. Error bars: 95 % CIs from summary.json.',
    title: { text: `${exp ? 'exponential fit' : 'scaling'}: ${metricLabel(String(a.y))} vs ${metricLabel(String(a.x))}`, anchor: 'start' },
    width: WIDTH,
    height: HEIGHT,
    config: FIGURE_CONFIG,
    layer,
  } as VegaLiteSpec;
}

registerPlot({
  kind: 'scaling',
  title: 'Scaling fits',
  caption:
    'Power laws (log–log, kind scaling) and exponential laws (semi-log, kind exponential-fit) fitted across the sweep (analyses.json), with the closed-form means of theory/grokking.ts where they apply.',
  applies: (ctx) => ofKind(ctx, 'scaling', 'exponential-fit').length > 0,
  build: (ctx) =>
    ofKind(ctx, 'scaling', 'exponential-fit')
      .map(scalingSpec)
      .filter((s): s is VegaLiteSpec => s !== null),
});

// ------------------------------------------------------------------ crossover

function crossoverSpec(a: Obj): VegaLiteSpec | null {
  const pts = points(a)
    .filter((p) => num(p.x) !== null && num(p.measured) !== null)
    .map((p) => {
      const ci = pair(p.measuredCi);
      return { x: p.x as number, y: p.measured as number, lo: ci ? ci[0] : null, hi: ci ? ci[1] : null, series: 'measured' };
    });
  if (pts.length === 0) return null;
  const lines: Array<{ x: number; y: number; series: string }> = [];
  for (const c of curve(a)) {
    if (num(c.x) === null) continue;
    if (num(c.exact) !== null) lines.push({ x: c.x as number, y: c.exact as number, series: 'exact' });
    if (num(c.harmonic) !== null) lines.push({ x: c.x as number, y: c.harmonic as number, series: 'harmonic' });
  }
  if (curve(a).length === 0)
    for (const p of points(a))
      if (num(p.x) !== null && num(p.exact) !== null) lines.push({ x: p.x as number, y: p.exact as number, series: 'exact' });
  const logX = pts.every((p) => p.x > 0) && a.interpolation !== undefined && String(a.interpolation).includes('ln');
  const x = {
    field: 'x',
    type: 'quantitative' as const,
    title: metricLabel(String(a.x)),
    ...quantScale(
      pts.map((p) => p.x),
      logX,
    ),
  };
  const y = { field: 'y', type: 'quantitative' as const, title: metricLabel(String(a.y)), scale: { zero: false } };
  const color = { field: 'series', type: 'nominal' as const, title: '', scale: seriesScale(pts, lines) };
  const xs = pts.map((p) => p.x);
  const inRange = (v: number | null) => v !== null && v >= Math.min(...xs) && v <= Math.max(...xs);
  const rules = [
    { v: num(a.measured), label: 'measured crossing', color: COLOR.blue, dash: [1, 0] },
    { v: num(a.theory), label: 'θ* (harmonic)', color: COLOR.purple, dash: [6, 3] },
    { v: isObj(a.exact) ? num(a.exact.crossing) : null, label: 'exact crossing', color: COLOR.vermillion, dash: [2, 2] },
  ].filter((r) => inRange(r.v));
  const layer: unknown[] = [
    { data: { values: lines }, mark: { type: 'line', strokeWidth: 1.5 }, encoding: { x, y, color } },
    {
      data: { values: pts.filter((p) => p.lo !== null && p.hi !== null) },
      mark: { type: 'rule' },
      encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color },
    },
    { data: { values: pts }, mark: { type: 'point', filled: true, size: 40 }, encoding: { x, y, color } },
    {
      data: { values: [{ level: num(a.level) ?? 0.5 }] },
      mark: { type: 'rule', color: 'grey', strokeDash: [4, 4] },
      encoding: { y: { field: 'level', type: 'quantitative' } },
    },
    ...rules.map((r) => ({
      data: { values: [{ v: r.v }] },
      mark: { type: 'rule', color: r.color, strokeDash: r.dash },
      encoding: { x: { field: 'v', type: 'quantitative' } },
    })),
  ];
  return {
    description:
      `${String(a.y)} against ${String(a.x)} (95 % CIs); grey: the level ${fmt(num(a.level))}. ` +
      `Measured crossing ${fmt(num(a.measured))}${ciText(a)}; θ* (harmonic, dashed) ${fmt(num(a.theory))}` +
      (isObj(a.exact) ? `; exact crossing (dotted) ${fmt(num(a.exact.crossing))}` : '') +
      (rules.length < 3 ? ' (vertical rules only where inside the swept range)' : '') +
      '.',
    title: { text: `crossover: ${metricLabel(String(a.y))} vs ${metricLabel(String(a.x))}`, anchor: 'start' },
    width: WIDTH,
    height: HEIGHT,
    config: FIGURE_CONFIG,
    layer,
  } as VegaLiteSpec;
}

registerPlot({
  kind: 'crossover',
  title: 'Crossover',
  caption:
    'A well occupancy against temperature across the sweep (analyses.json, kind crossover), with the exact (quadrature) and harmonic occupancies, and where it crosses the level.',
  applies: (ctx) => ofKind(ctx, 'crossover').length > 0,
  build: (ctx) =>
    ofKind(ctx, 'crossover')
      .map(crossoverSpec)
      .filter((s): s is VegaLiteSpec => s !== null),
});
