/** Sweep line plots: each metric of sweep.csv against the swept key, with CI error bars. */
import { COLOR, figure, fmt, keyLabel, keySymbol, metricLabel, quantScale, sweepScale, sweepXEncoding, wantsLog } from './common.js';
import { column } from '../../results/read.js';
import { registerPlot } from './registry.js';
import { samplingColumns } from '../../analysis/sampling.js';
import type { CsvTable } from '../../results/types.js';
import type { ReportContext, VegaLiteSpec } from './types.js';

/** At most this many metrics are plotted (the rest are named in the caption). */
const MAX_METRICS = 12;
const INDEX = new Set(['index', 'point', 'k', 'run', 'id', 'dir', 'path', 'status', 'seed']);

/** Candidate names of the lower/upper confidence columns of metric `m`. */
function ciCandidates(m: string): Array<[string, string]> {
  const c: Array<[string, string]> = [];
  for (const sep of ['_', '.', '-']) {
    c.push([`${m}${sep}lo`, `${m}${sep}hi`], [`${m}${sep}low`, `${m}${sep}high`], [`${m}${sep}lower`, `${m}${sep}upper`]);
    for (const ci of ['ci', 'ci95'])
      c.push(
        [`${m}${sep}${ci}${sep}lo`, `${m}${sep}${ci}${sep}hi`],
        [`${m}${sep}${ci}${sep}low`, `${m}${sep}${ci}${sep}high`],
        [`${m}${sep}${ci}${sep}lower`, `${m}${sep}${ci}${sep}upper`],
        [`${m}${sep}${ci}${sep}0`, `${m}${sep}${ci}${sep}1`],
      );
  }
  c.push([`${m}Lo`, `${m}Hi`], [`${m}_ci95[0]`, `${m}_ci95[1]`], [`${m}.ci95[0]`, `${m}.ci95[1]`]);
  // summary.json style: `….mfpt.time` with `….mfpt.ci95Time.0/1`
  const dot = m.lastIndexOf('.');
  if (dot > 0) {
    const head = m.slice(0, dot + 1);
    const last = m.slice(dot + 1);
    const cap = last.charAt(0).toUpperCase() + last.slice(1);
    for (const s of ['.0', '_lo', '[0]'])
      c.push([`${head}ci95${cap}${s}`, `${head}ci95${cap}${s === '.0' ? '.1' : s === '_lo' ? '_hi' : '[1]'}`]);
  }
  // sweep.csv style: `escape_mfpt_time` with `escape_mfpt_lo` / `escape_mfpt_hi` (the last token replaced)
  const cut = Math.max(m.lastIndexOf('_'), m.lastIndexOf('.'));
  if (cut > 0) {
    const head = m.slice(0, cut + 1);
    c.push([`${head}lo`, `${head}hi`], [`${head}lower`, `${head}upper`], [`${head}ci95_lo`, `${head}ci95_hi`]);
  }
  return c;
}

export interface SweepMetric {
  name: string;
  /** Columns of the lower and upper confidence limits. */
  lo?: string;
  hi?: string;
  /** Column of the standard error (error bars ±1.96·sem) when there are no limits, e.g. `x_sem` for `x_mean`. */
  sem?: string;
}

/** The standard-error column of `m`: `<m>_sem`, or `<head>_sem` for `<head>_mean`. */
function semCandidates(m: string): string[] {
  const out = [`${m}_sem`, `${m}.sem`, `${m}_se`];
  const mm = /^(.*)([._])mean$/.exec(m);
  if (mm) out.push(`${mm[1]}${mm[2]}sem`, `${mm[1]}${mm[2]}se`);
  return out;
}

/** Numeric, non-constant metric columns of sweep.csv (not swept keys, not CI companions), with their CI columns. */
export function sweepMetrics(t: CsvTable, keys: string[]): SweepMetric[] {
  const has = new Set(t.header);
  const companions = new Set<string>();
  const metrics: SweepMetric[] = [];
  for (const h of t.header) {
    if (keys.includes(h) || INDEX.has(h)) continue;
    const pair = ciCandidates(h).find(([a, b]) => has.has(a) && has.has(b) && a !== h && b !== h);
    const sem = pair ? undefined : semCandidates(h).find((c) => has.has(c) && c !== h);
    if (pair) {
      companions.add(pair[0]);
      companions.add(pair[1]);
    }
    if (sem) companions.add(sem);
    metrics.push({ name: h, ...(pair ? { lo: pair[0], hi: pair[1] } : {}), ...(sem ? { sem } : {}) });
  }
  return metrics.filter((m) => {
    if (companions.has(m.name)) return false;
    const v = column(t, m.name).filter((x): x is number => x !== null);
    return v.length > 0 && v.length >= t.rows.filter((r) => r.length > 1).length / 2 && new Set(v).size > 1;
  });
}

/**
 * The legend of the further swept keys: each point's values as "σ² = 0.1"
 * (symbol or last path segment, never a truncated dotted path), in the order
 * of their values; null with one swept key.
 */
export function sweepGroups(t: CsvTable, rest: string[]): { title: string; labels: string[]; order: string[] } | null {
  if (rest.length === 0) return null;
  const cols = rest.map((k) => t.header.indexOf(k));
  const labelOf = (r: string[]) => rest.map((k, j) => `${keySymbol(k)} = ${fmtCell(r[cols[j]])}`).join(', ');
  const labels = t.rows.map(labelOf);
  const order = [...t.rows]
    .sort((a, b) => {
      for (const c of cols) {
        const d = Number(a[c]) - Number(b[c]);
        if (Number.isFinite(d) && d !== 0) return d;
      }
      return 0;
    })
    .map(labelOf)
    .filter((l, i, all) => all.indexOf(l) === i);
  return { title: rest.map(keyLabel).join(' × '), labels, order };
}

const fmtCell = (c: string | undefined) => (c !== undefined && c !== '' && Number.isFinite(Number(c)) ? fmt(Number(c)) : (c ?? ''));

function metricsOf(ctx: ReportContext): SweepMetric[] {
  const s = ctx.sweep;
  if (!s?.table || s.keys.length === 0) return [];
  // The sampling columns have their own plot (sampling-sweep, plots/sampling.ts).
  const own = new Set(samplingColumns(s.points.map((p) => p.summary)).header);
  return sweepMetrics(s.table, s.keys).filter((m) => !own.has(m.name));
}

registerPlot({
  kind: 'sweep',
  title: 'Sweep',
  caption: (ctx) => {
    const m = metricsOf(ctx);
    const keys = ctx.sweep?.keys ?? [];
    return (
      `Each metric of sweep.csv against ${keys[0] ?? 'the swept key'}` +
      (keys.length > 1 ? `, one line per value of ${keys.slice(1).join(' × ')}` : '') +
      '; error bars are the confidence intervals written with the metric (`<metric>_lo`/`_hi` columns), or ±1.96 standard errors where sweep.csv has a `_sem` column.' +
      (m.length > MAX_METRICS
        ? ` Not shown: ${m
            .slice(MAX_METRICS)
            .map((x) => x.name)
            .join(', ')}.`
        : '')
    );
  },
  applies: (ctx) => metricsOf(ctx).length > 0,
  build: (ctx) => {
    const s = ctx.sweep!;
    const t = s.table!;
    const [key, ...rest] = s.keys;
    const xs = column(t, key);
    const logX = sweepScale(s.meta, key, xs) === 'log';
    const group = sweepGroups(t, rest);
    return metricsOf(ctx)
      .slice(0, MAX_METRICS)
      .map((m): VegaLiteSpec => {
        const y = column(t, m.name);
        const se = m.sem ? column(t, m.sem) : null;
        const band = (sign: number) => (i: number) => (se && y[i] !== null && se[i] !== null ? y[i]! + sign * 1.96 * se[i]! : null);
        const lo = m.lo ? column(t, m.lo) : se ? y.map((_, i) => band(-1)(i)) : null;
        const hi = m.hi ? column(t, m.hi) : se ? y.map((_, i) => band(1)(i)) : null;
        const values = t.rows
          .map((_, i) => ({ x: xs[i], y: y[i], lo: lo?.[i] ?? null, hi: hi?.[i] ?? null, g: group?.labels[i] ?? m.name }))
          .filter((v) => v.x !== null && v.y !== null && (!logX || v.x! > 0))
          .sort((a, b) => a.x! - b.x!);
        const logY = wantsLog(
          [...values.map((v) => v.y), ...values.map((v) => v.lo), ...values.map((v) => v.hi)].filter((v) => v !== null),
        );
        const title = metricLabel(m.name);
        const withCi = values.filter((v) => v.lo !== null && v.hi !== null && (!logY || v.lo > 0));
        const x = sweepXEncoding(
          key,
          values.map((v) => v.x),
          logX,
        );
        const yEnc = {
          field: 'y',
          type: 'quantitative' as const,
          title,
          ...quantScale([...values.map((v) => v.y), ...withCi.flatMap((v) => [v.lo, v.hi])], logY),
        };
        const color = group
          ? { field: 'g', type: 'nominal' as const, title: group.title, sort: group.order, legend: { orient: 'right' as const } }
          : { value: COLOR.blue };
        const layer: unknown[] = [{ mark: { type: 'line', point: true }, encoding: { x, y: yEnc, color } }];
        if (withCi.length > 0)
          layer.unshift({
            transform: [{ filter: `isValid(datum.lo) && isValid(datum.hi)${logY ? ' && datum.lo > 0' : ''}` }],
            mark: { type: 'rule' },
            encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color },
          });
        const range = values.length ? `${fmt(values[0].x)} … ${fmt(values[values.length - 1].x)}` : '—';
        return figure({
          description: `${m.name} against ${key} (${values.length} points, ${range})${withCi.length ? `; error bars ${m.lo ? `${m.lo} – ${m.hi}` : `±1.96·${m.sem}`}` : ''}${logX || logY ? `; ${[logX ? 'x' : '', logY ? 'y' : ''].filter(Boolean).join(' and ')} on a log scale` : ''}.`,
          title: { text: `${title} against ${keySymbol(key)}`, anchor: 'start' },
          data: { values },
          layer,
        }) as VegaLiteSpec;
      });
  },
});
