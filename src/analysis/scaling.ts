/**
 * Sweep analysis `scaling` (docs/models.md §1.4–1.5): the log–log slope of a metric
 * vs a swept key or another metric (t_mem ∝ L, t_grok ∝ L², t_grok ∝ t_mem²),
 * with the same fit to the closed-form means of the grokking potentials at the
 * θ and η each point integrated (read from its summary.json).
 */
import { lineFit, type LineFit } from '../stats/regression.js';
import { registerAnalysis } from './registry.js';
import { checkPath, fitPoints, fmt, fmtCi, stripPrivate, type FitPoint, type Issue } from './sweep-points.js';

interface ScalingEntry {
  x?: string;
  x_metric?: string;
  y: string;
  expect?: number;
  weighted?: boolean;
}

registerAnalysis<ScalingEntry>({
  kind: 'scaling',
  scope: 'sweep',
  description:
    'log–log slope of a metric vs a swept key (x) or another metric (x_metric), with CI, vs an expected exponent (t_mem ∝ L: 1, t_grok ∝ L²: 2)',
  keys: { x: 'string', x_metric: 'string', y: 'string', expect: 'number', weighted: 'boolean' },
  required: ['y'],
  check(e, s, _potential, plan) {
    const issues: Issue[] = [
      ...checkPath(e, 'x', s, plan, { sweptOk: true, metricOk: true }),
      ...checkPath(e, 'x_metric', s, plan, { metricOk: true }),
      ...checkPath(e, 'y', s, plan, { metricOk: true }),
    ];
    if (e.x === undefined && e.x_metric === undefined)
      issues.push({ key: 'x', expected: 'a swept key (or x_metric: a summary path)', found: 'nothing' });
    if (e.x !== undefined && e.x_metric !== undefined)
      issues.push({ key: 'x_metric', expected: 'either x or x_metric, not both', found: 'both' });
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
    let fit: LineFit | null = null,
      ols: LineFit | null = null,
      theoryFit: LineFit | null = null;
    if (used.length >= 2) {
      const X = used.map((p) => Math.log(p.x!));
      const Y = used.map((p) => Math.log(p.y!));
      fit = lineFit(X, Y, weighted ? used.map((p) => p._ys) : undefined, weighted && e.x_metric ? used.map((p) => p._xs) : undefined);
      ols = lineFit(X, Y);
      if (used.every((p) => p.xTheory !== null && p.xTheory > 0 && p.yTheory !== null && p.yTheory > 0))
        theoryFit = lineFit(
          used.map((p) => Math.log(p.xTheory!)),
          used.map((p) => Math.log(p.yTheory!)),
        );
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
      theorySlope: theoryFit
        ? {
            slope: theoryFit.slope,
            model: used[0]?._model ?? null,
            note: 'the same fit to the closed-form means at these points (theory/grokking.ts)',
          }
        : null,
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
