/**
 * Sweep analysis `dataset-average`: the protocol of several data sets ×
 * several chains. The points of a sweep are grouped by the values of every
 * swept key except `over` (e.g. `potential.params.dataset`); within a group
 * each metric is averaged over the values of `over`, with the standard error
 * of that mean from the spread across them (SE = sd/√k, k the points with a
 * finite value). `paired` entries [a, b] average the per-point difference
 * a − b (a network metric against a theory column on the same data set) and
 * give its SE and t = mean/SE: differences between two predictors on the same
 * data set cancel the data set's own variation.
 */
import { sweepKeys, valueAtPath } from '../scenario/sweep.js';
import { renderValue } from '../scenario/index.js';
import { registerAnalysis } from './registry.js';
import { checkPath, finite, fmt, type Issue, type Obj } from './sweep-points.js';

interface DatasetAverageEntry {
  over: string;
  metrics: string[];
  paired?: string[][];
}

/** Mean, its standard error across the k finite values, and k (plus the values left out). */
export interface AcrossMean {
  mean: number | null;
  se: number | null;
  count: number;
  missing: number;
}

export function acrossMean(values: ReadonlyArray<number | null>): AcrossMean {
  const xs = values.filter((v): v is number => v !== null && Number.isFinite(v));
  const k = xs.length;
  if (k === 0) return { mean: null, se: null, count: 0, missing: values.length };
  const mean = xs.reduce((a, b) => a + b, 0) / k;
  let ss = 0;
  for (const x of xs) ss += (x - mean) * (x - mean);
  const se = k > 1 ? Math.sqrt(ss / (k - 1) / k) : null;
  return { mean, se, count: k, missing: values.length - k };
}

const num = (summary: unknown, path: string): number | null => {
  const v = valueAtPath(summary, path);
  return finite(v) ? v : null;
};

registerAnalysis<DatasetAverageEntry>({
  kind: 'dataset-average',
  scope: 'sweep',
  description:
    'average of summary metrics over the values of one swept key (e.g. the data set), grouped by the other swept keys, with SE across them; paired differences a − b',
  keys: { over: 'string', metrics: 'array', paired: 'array' },
  required: ['over', 'metrics'],
  check(e, s, _potential, plan) {
    const issues: Issue[] = [];
    const swept = s.sweep ? sweepKeys(s.sweep as Obj) : [];
    if (!swept.includes(e.over))
      issues.push({ key: 'over', expected: `a swept key (${swept.join(', ') || 'none'})`, found: renderValue(e.over) });
    if (s.sweep && (s.sweep as Obj).mode === 'zip')
      issues.push({ key: 'over', expected: 'a grid sweep (every value of `over` at every other point)', found: 'mode: zip' });
    if (!Array.isArray(e.metrics) || e.metrics.length === 0 || e.metrics.some((m) => typeof m !== 'string'))
      issues.push({ key: 'metrics', expected: 'a non-empty list of summary.json paths', found: renderValue(e.metrics) });
    else
      e.metrics.forEach((m, i) =>
        issues.push(...checkPath({ m }, 'm', s, plan, { metricOk: true }).map((x) => ({ ...x, key: `metrics[${i}]` }))),
      );
    if (e.paired !== undefined) {
      if (!Array.isArray(e.paired) || e.paired.some((p) => !Array.isArray(p) || p.length !== 2 || p.some((q) => typeof q !== 'string')))
        issues.push({ key: 'paired', expected: 'a list of [a, b] pairs of summary.json paths', found: renderValue(e.paired) });
      else
        e.paired.forEach((p, i) =>
          p.forEach((q, j) =>
            issues.push(...checkPath({ q }, 'q', s, plan, { metricOk: true }).map((x) => ({ ...x, key: `paired[${i}][${j}]` }))),
          ),
        );
    }
    return issues;
  },
  text: (r) => String(r.text ?? ''),
  run(e, ctx) {
    const others = ctx.keys.filter((k) => k !== e.over);
    const groups = new Map<string, typeof ctx.points>();
    for (const p of ctx.points) {
      const key = JSON.stringify(others.map((k) => p.values[k]));
      groups.set(key, [...(groups.get(key) ?? []), p]);
    }
    const out = [...groups.values()].map((pts) => {
      const values = Object.fromEntries(others.map((k) => [k, pts[0].values[k]]));
      const metrics = Object.fromEntries(e.metrics.map((m) => [m, acrossMean(pts.map((p) => num(p.summary, m)))]));
      const paired = (e.paired ?? []).map(([a, b]) => {
        const d = acrossMean(
          pts.map((p) => {
            const x = num(p.summary, a);
            const y = num(p.summary, b);
            return x !== null && y !== null ? x - y : null;
          }),
        );
        return { a, b, ...d, t: d.mean !== null && d.se ? d.mean / d.se : null };
      });
      return { values, over: pts.map((p) => p.values[e.over]), metrics, paired };
    });
    const line = (g: (typeof out)[number]) =>
      `${others.map((k) => `${k} = ${renderValue(g.values[k])}`).join(', ') || 'all points'} (${g.over.length} values of ${e.over}): ` +
      e.metrics.map((m) => `${m} ${fmt(g.metrics[m].mean)} ± ${fmt(g.metrics[m].se, 2)}`).join('; ') +
      g.paired.map((p) => `; ${p.a} − ${p.b} = ${fmt(p.mean)} ± ${fmt(p.se, 2)} (t = ${fmt(p.t, 3)})`).join('');
    return {
      over: e.over,
      groupedBy: others,
      groups: out,
      note: 'SE = sd/√k across the values of `over` (k with a finite value; `missing` counts the others)',
      text: out.map(line).join('\n'),
    };
  },
});
