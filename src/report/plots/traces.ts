/**
 * Ensemble traces over time (traces.csv), one panel per observable: quantile
 * bands with the median and mean, or, for a discrete observable (an index
 * such as `well`), the fraction of replicas at each value.
 */
import {
  BLUE_TINTS,
  COLOR,
  figure,
  gridKind,
  logAxis,
  observableLabel,
  quantScale,
  TIME_TITLE,
  traceObservables,
  traceRows,
} from './common.js';
import { registerPlot } from './registry.js';
import type { RunData, TraceRow } from '../../results/types.js';
import type { VegaLiteSpec } from './types.js';

const SERIES = ['q05–q95', 'q25–q75', 'median', 'mean'];
const COLORS = [...BLUE_TINTS, COLOR.blue, COLOR.vermillion];
const DASHES = [
  [1, 0],
  [1, 0],
  [1, 0],
  [5, 3],
];
/** Index observables of the built-in registry (src/observables/observables.ts): always discrete. */
const INDEX_OBSERVABLES = new Set(['well', 'basin']);
/** An observable with at most this many distinct integer values is drawn as occupancies. */
const MAX_LEVELS = 3;

/**
 * The values of a discrete observable: integer quantiles everywhere, at most
 * MAX_LEVELS consecutive integers (`well`, `basin` or another index), or null.
 */
export function discreteLevels(rows: TraceRow[], name: string): number[] | null {
  // The quantile sketch is accurate to 0.5 % (relative), so an integer comes back within 1 % of itself.
  const raw = rows.flatMap((r) => [r.q05, r.q25, r.q50, r.q75, r.q95]).filter((v): v is number => v !== null);
  if (raw.length === 0 || !raw.every((v) => Math.abs(v - Math.round(v)) <= 0.01 * Math.max(1, Math.abs(v)))) return null;
  const qs = raw.map(Math.round);
  const lo = Math.min(...qs, ...rows.map((r) => (r.mean === null ? Infinity : Math.floor(r.mean))));
  const hi = Math.max(...qs, ...rows.map((r) => (r.mean === null ? -Infinity : Math.ceil(r.mean))));
  const k = hi - lo + 1;
  if (k < 2 || k > MAX_LEVELS) return null;
  // A non-index observable must look discrete at every point: its mean inside [lo, hi].
  if (!INDEX_OBSERVABLES.has(name) && rows.some((r) => r.mean !== null && (r.mean < lo || r.mean > hi))) return null;
  return Array.from({ length: k }, (_, i) => lo + i);
}

/**
 * The fraction of replicas at each value of a discrete observable at one
 * observation point, exactly from the moments traces.csv keeps: from the mean
 * for two values; from the mean and the standard deviation (n − 1
 * normalised) for three. Clamped to [0, 1] against rounding.
 */
export function occupancy(row: TraceRow, levels: number[]): number[] | null {
  if (row.mean === null) return null;
  const clamp = (p: number) => Math.min(1, Math.max(0, p));
  if (levels.length === 2) {
    const p1 = clamp((row.mean - levels[0]) / (levels[1] - levels[0]));
    return [1 - p1, p1];
  }
  if (row.std === null || !(row.n > 0)) return null;
  // Shift to 0, 1, 2: m1 = p1 + 2 p2, m2 = p1 + 4 p2.
  const m1 = row.mean - levels[0];
  const m2 = (row.std * row.std * (row.n - 1)) / row.n + m1 * m1;
  const p2 = clamp((m2 - m1) / 2);
  const p1 = clamp(m1 - 2 * p2);
  return [clamp(1 - p1 - p2), p1, p2];
}

/** The first sample step of a `sampling:` section (burn-in), from summary.json or scenario.resolved.json. */
export function burnInStep(run: RunData): number | null {
  const fromSummary = run.summary.sampling?.burnIn;
  if (typeof fromSummary === 'number' && fromSummary > 0) return fromSummary;
  const b = (run.scenario?.sampling as { burn_in?: unknown } | undefined)?.burn_in;
  return typeof b === 'number' && b > 0 ? b : null;
}

/** The burn-in as a shaded region up to its time and a labelled rule at it (empty when the run has none). */
function burnInLayers(run: RunData, tMin: number, log: boolean): unknown[] {
  const b = burnInStep(run);
  if (b === null) return [];
  // traces.csv's own time per step (η, or 1 when dynamics.step_size makes the step the time unit).
  const ref = run.traces.find((r) => r.step > 0);
  const t = b * (ref ? ref.time / ref.step : run.summary.run.lr);
  const start = log ? tMin : 0;
  if (!(t > start)) return [];
  return [
    {
      data: { values: [{ t0: start, t1: t, label: 'burn-in' }] },
      mark: { type: 'rect', color: COLOR.black, opacity: 0.06 },
      encoding: { x: { field: 't0', type: 'quantitative' }, x2: { field: 't1' } },
    },
    {
      data: { values: [{ t1: t, label: 'burn-in' }] },
      mark: { type: 'rule', color: COLOR.grey, strokeDash: [2, 2] },
      encoding: { x: { field: 't1', type: 'quantitative' } },
    },
    {
      data: { values: [{ t1: t, label: 'burn-in' }] },
      mark: { type: 'text', align: 'right', baseline: 'top', dx: -3, y: 2, fontSize: 10, color: COLOR.grey },
      encoding: { x: { field: 't1', type: 'quantitative' }, text: { field: 'label' } },
    },
  ];
}

function timeAxis(times: number[], log: boolean) {
  return {
    field: 't',
    type: 'quantitative' as const,
    title: TIME_TITLE,
    scale: log ? { type: 'log' as const, nice: false } : { zero: false, nice: false },
    ...(log ? { axis: logAxis(Math.min(...times), Math.max(...times)) } : {}),
  };
}

/** Occupancy of each value of a discrete observable against time, stacked to 1. */
function occupancySpec(run: RunData, obs: string, rows: TraceRow[], levels: number[], log: boolean): VegaLiteSpec {
  const values = rows.flatMap((r) => {
    const p = occupancy(r, levels);
    return p ? levels.map((v, i) => ({ t: r.time, value: `${obs} = ${v}`, fraction: p[i] })) : [];
  });
  const times = rows.map((r) => r.time);
  const x = timeAxis(times, log);
  const domain = levels.map((v) => `${obs} = ${v}`);
  return figure({
    description:
      `${obs}: a discrete observable (values ${levels.join(', ')}); the fraction of the replicas that have not diverged at each value against time, stacked to 1` +
      ` (from the mean${levels.length > 2 ? ' and standard deviation' : ''} of traces.csv, exact for ${levels.length} values).`,
    title: { text: `${observableLabel(obs)}: occupancy`, anchor: 'start' },
    layer: [
      {
        data: { values },
        mark: { type: 'area', opacity: 0.85, interpolate: 'linear' },
        encoding: {
          x,
          y: { field: 'fraction', type: 'quantitative', title: 'fraction of replicas', stack: 'zero', scale: { domain: [0, 1] } },
          color: {
            field: 'value',
            type: 'nominal',
            title: null,
            scale: { domain },
            sort: domain,
            legend: { orient: 'top' },
          },
          order: { field: 'value', sort: 'ascending' },
        },
      },
      ...burnInLayers(run, Math.min(...times), log),
    ],
  }) as unknown as VegaLiteSpec;
}

function quantileSpec(run: RunData, obs: string, trace: TraceRow[], log: boolean): VegaLiteSpec {
  const rows = trace.filter((r) => r.q05 !== null && r.q95 !== null && r.q25 !== null && r.q75 !== null && r.q50 !== null);
  const values = rows.map((r) => ({ t: r.time, q05: r.q05, q25: r.q25, q50: r.q50, q75: r.q75, q95: r.q95, mean: r.mean, n: r.n }));
  // A positive quantity that falls through decades (an energy from a random start) goes on a log axis.
  const medians = rows.map((r) => r.q50!);
  const logY = rows.length >= 3 && rows.every((r) => r.q05! > 0) && Math.max(...medians) / Math.min(...medians) >= 30;
  const times = rows.map((r) => r.time);
  const x = timeAxis(times, log);
  const legend = { title: null, orient: 'top' as const, symbolType: 'stroke' };
  const color = (s: string) => ({ datum: s, type: 'nominal' as const, scale: { domain: SERIES, range: COLORS }, legend });
  // The same datum on strokeDash (same domain) merges into the colour legend, so the legend's mean is dashed too.
  const dash = (s: string) => ({ datum: s, type: 'nominal' as const, scale: { domain: SERIES, range: DASHES }, legend });
  const y = {
    field: 'q05',
    type: 'quantitative' as const,
    title: observableLabel(obs),
    ...quantScale(
      rows.flatMap((r) => [r.q05, r.q95]),
      logY,
    ),
  };
  return figure({
    description:
      `${obs}: quantile bands (q05–q95, q25–q75), median and mean against time` +
      (logY ? '; log y axis (a positive quantity that spans decades)' : '') +
      (burnInStep(run) !== null ? '; shaded: the burn-in before the first sample' : '') +
      '.',
    title: { text: observableLabel(obs), anchor: 'start' },
    data: { values },
    layer: [
      // The burn-in shading goes under the bands.
      ...burnInLayers(run, Math.min(...times), log),
      {
        mark: { type: 'area', opacity: 0.8 },
        encoding: { x, y, y2: { field: 'q95' }, color: color(SERIES[0]) },
      },
      {
        mark: { type: 'area', opacity: 0.8 },
        encoding: { x, y: { field: 'q25', type: 'quantitative' }, y2: { field: 'q75' }, color: color(SERIES[1]) },
      },
      {
        mark: { type: 'line', strokeWidth: 2 },
        encoding: { x, y: { field: 'q50', type: 'quantitative' }, color: color(SERIES[2]), strokeDash: dash(SERIES[2]) },
      },
      {
        mark: { type: 'line', strokeWidth: 1.5 },
        encoding: { x, y: { field: 'mean', type: 'quantitative' }, color: color(SERIES[3]), strokeDash: dash(SERIES[3]) },
      },
    ],
  }) as unknown as VegaLiteSpec;
}

/** The figure of one traced observable: occupancies when discrete, quantile bands otherwise. */
export function traceSpec(run: RunData, obs: string): VegaLiteSpec {
  const log = gridKind(run) === 'log';
  const rows = traceRows(run, obs, log);
  const levels = discreteLevels(rows, obs);
  return levels ? occupancySpec(run, obs, rows, levels, log) : quantileSpec(run, obs, rows, log);
}

registerPlot({
  kind: 'traces',
  title: 'Ensemble traces',
  caption: (ctx) =>
    `Quantiles over the replicas that have not diverged, at each observation point: shaded bands q05–q95 and q25–q75, the median (solid) and the mean (dashed); a discrete observable (an index such as well) as the fraction of replicas at each of its values instead. ` +
    'A positive quantity that spans decades (an energy) is on a log axis; with a sampling: section the burn-in is shaded. ' +
    (ctx.run && gridKind(ctx.run) === 'log'
      ? 'The grid is log-spaced, so time is on a log axis (t = 0 is not shown).'
      : 'Linear time axis.'),
  applies: (ctx) => !!ctx.run && ctx.run.traces.length > 0,
  build: (ctx) => traceObservables(ctx.run!).map((obs) => traceSpec(ctx.run!, obs)),
});
