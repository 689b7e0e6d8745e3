/**
 * Sweep analysis `exponential-fit` (docs/models.md §1.5): ln y = a + b·x over a
 * sweep (t_grok vs the sample count n), the slope vs an expected one — by
 * default ln((2a + w)/(2A + w)) of the sample-size box at the θ the points
 * integrated (read from their summary.json).
 */
import { lineFit, type LineFit } from '../stats/regression.js';
import { sampleSizeSlope } from '../theory/grokking.js';
import { registerAnalysis } from './registry.js';
import { checkPath, familyParams, fitPoints, fmt, fmtCi, pointTemperature, stripPrivate, type FitPoint } from './sweep-points.js';

interface ExponentialEntry {
  x: string;
  y: string;
  expect?: number;
  weighted?: boolean;
}

registerAnalysis<ExponentialEntry>({
  kind: 'exponential-fit',
  scope: 'sweep',
  description:
    'ln y = a + b·x over a sweep (t_grok vs the sample count n), slope with CI vs an expected one (default ln(a/A) for sample-size-box)',
  keys: { x: 'string', y: 'string', expect: 'number', weighted: 'boolean' },
  required: ['x', 'y'],
  check(e, s, _potential, plan) {
    return [...checkPath(e, 'x', s, plan, { sweptOk: true, metricOk: true }), ...checkPath(e, 'y', s, plan, { metricOk: true })];
  },
  text: (r) => String(r.text ?? ''),
  run(e, ctx) {
    const pts = fitPoints(ctx, e.x, e.y) as Array<FitPoint & { _ys: number | null; _model: string | null }>;
    const used = pts.filter((p) => p.x !== null && p.y !== null && p.y > 0);
    const notes: string[] = [];
    if (used.length < pts.length) notes.push(`${pts.length - used.length} point(s) without x or a positive y were left out`);
    const weighted = e.weighted !== false && used.every((p) => p._ys !== null);
    if (e.weighted !== false && !weighted) notes.push(`no CI for ${e.y} at every point: unweighted fit`);
    let fit: LineFit | null = null,
      ols: LineFit | null = null,
      theoryFit: LineFit | null = null;
    if (used.length >= 2) {
      const X = used.map((p) => p.x!);
      const Y = used.map((p) => Math.log(p.y!));
      fit = lineFit(X, Y, weighted ? used.map((p) => p._ys) : undefined);
      ols = lineFit(X, Y);
      if (used.every((p) => p.yTheory !== null && p.yTheory > 0))
        theoryFit = lineFit(
          X,
          used.map((p) => Math.log(p.yTheory!)),
        );
    } else notes.push(`only ${used.length} usable point(s): no fit`);
    // Default expectation: the sample-size-box slope ln((2a + w)/(2A + w)), w = sqrt(2πθ/κ), when n is the abscissa.
    let theory = e.expect ?? null;
    let theorySource: string | null = e.expect !== undefined ? 'entry' : null;
    const fp = familyParams(ctx.scenario);
    // θ as the points integrated it (their summaries); one θ for all points, else no single slope to expect.
    const thetas = ctx.points.map((p) => pointTemperature(p.summary));
    const theta = thetas.length > 0 && thetas.every((t) => t !== null && t === thetas[0]) ? thetas[0] : null;
    if (theory === null && fp?.kind === 'sample-size-box' && e.x === 'potential.params.n') {
      const p = fp.params;
      if (theta === null) notes.push('the points differ in θ (or their groups do): no single expected slope');
      else {
        theory = sampleSizeSlope(p.a as number, p.A as number, theta, p.wall as number);
        theorySource = `ln((2a + w)/(2A + w)), w = sqrt(2πθ/κ) = ${fmt(Math.sqrt((2 * Math.PI * theta) / (p.wall as number)))} at θ = ${theta} (ln(a/A) = ${fmt(Math.log((p.a as number) / (p.A as number)))})`;
      }
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
      theorySlope: theoryFit
        ? {
            slope: theoryFit.slope,
            intercept: theoryFit.intercept,
            model: used[0]?._model ?? null,
            note: 'the same fit to the closed-form means at these points (theory/grokking.ts)',
          }
        : null,
      maxAbsZ: zs.length ? Math.max(...zs.map(Math.abs)) : null,
      points: pts.map(stripPrivate),
      notes,
      text:
        `exponential fit ln ${e.y} = a + b·${e.x} (${used.length} points${fit?.weighted ? ', weighted' : ''}): b = ${fmt(measured)} ${fmtCi(fit?.slopeCi)}` +
        (theory !== null ? ` vs ${fmt(theory)} (ratio ${fmt(measured !== null && theory ? measured / theory : null, 3)})` : ''),
    };
  },
});
