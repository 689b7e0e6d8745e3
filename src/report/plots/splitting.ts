/**
 * Rare-event splitting in the report (docs/splitting.md): the AMS estimate of
 * one repetition after the other with their mean and 95 % interval, and the
 * mean first-passage time from A to B by AMS beside the brute-force first
 * passage of the same run (the event B names, when it is one) and the exact
 * `mfpt-1d` integral and Kramers' time (when that overlay is present).
 * `splittingComparison` is shared with the tables of report.html.
 */
import { COLOR, FIGURE_CONFIG, HEIGHT, mfptTheory, WIDTH } from './common.js';
import { registerPlot } from './registry.js';
import type { RunData } from '../../results/types.js';
import type { SplittingEstimate, SplittingSummary } from '../../analysis/splitting.js';
import type { VegaLiteSpec } from './types.js';

/** One MFPT estimate of the comparison: its value, standard error and 95 % interval (null where there is none). */
export interface MfptRow {
  method: string;
  /** A short label for the figure. */
  short: string;
  detail: string;
  time: number;
  se: number | null;
  ci95: [number, number] | null;
  /** (AMS − this)/SE: the combined SE for an estimate, AMS's alone for an exact value; null for AMS itself. */
  z: number | null;
}

export interface SplittingComparison {
  splitting: SplittingSummary;
  /** The `observe.events` name of B when `splitting.to` names one (from scenario.resolved.json). */
  event: string | null;
  rows: MfptRow[];
}

const seOf = (e: { ci95: [number, number] | null }) => (e.ci95 ? (e.ci95[1] - e.ci95[0]) / (2 * 1.96) : null);

/** The splitting block of a run beside brute force and the exact theory; null without a `splitting` block. */
export function splittingComparison(run: RunData): SplittingComparison | null {
  const sp = run.summary.splitting;
  if (!sp) return null;
  const to = (run.scenario?.splitting as { to?: unknown } | undefined)?.to;
  const event = typeof to === 'string' ? to : null;
  const ams: SplittingEstimate = sp.mfpt;
  const rows: MfptRow[] = [
    {
      method: 'AMS (splitting)',
      short: 'AMS',
      detail: `${sp.walkers} walkers × ${sp.repetitions} repetitions`,
      time: ams.mean,
      se: ams.se,
      ci95: ams.ci95,
      z: null,
    },
  ];
  const ev = event ? run.summary.events?.[event] : undefined;
  const bfTime = ev?.mfpt?.time;
  if (ev && typeof bfTime === 'number' && Number.isFinite(bfTime)) {
    const ci95 = ev.mfpt.ci95Time ?? null;
    const se = seOf({ ci95 });
    rows.push({
      method: 'brute force (first passage)',
      short: 'brute force',
      detail: `event '${event}': ${ev.entered} of ${ev.replicas} replicas entered, censored MLE`,
      time: bfTime,
      se,
      ci95,
      z: se !== null ? (ams.mean - bfTime) / Math.hypot(ams.se, se) : null,
    });
  }
  const theory = event ? mfptTheory(run, event) : null;
  const exact =
    theory ??
    (run.summary.theory as Array<Record<string, unknown>>).find((t) => t && t.kind === 'mfpt-1d' && typeof t.exactTime === 'number');
  const t = exact as { exactTime?: number; kramersTime?: number } | null | undefined;
  if (t && typeof t.exactTime === 'number')
    rows.push({
      method: 'exact MFPT integral (mfpt-1d)',
      short: 'exact integral',
      detail: 'from the overlay’s starting point',
      time: t.exactTime,
      se: null,
      ci95: null,
      z: (ams.mean - t.exactTime) / ams.se,
    });
  if (t && typeof t.kramersTime === 'number')
    rows.push({
      method: 'Kramers',
      short: 'Kramers',
      detail: 'asymptote for ΔE/θ → ∞',
      time: t.kramersTime,
      se: null,
      ci95: null,
      z: null,
    });
  return { splitting: sp, event, rows };
}

function perRepetition(sp: SplittingSummary): VegaLiteSpec {
  const values = sp.perRepetition.map((r) => ({ repetition: r.repetition, p: r.probability, iterations: r.iterations }));
  const [lo, hi] = sp.probability.ci95;
  const x = {
    field: 'repetition',
    type: 'quantitative' as const,
    title: 'repetition r',
    scale: { nice: false, zero: false },
    axis: { format: 'd', tickMinStep: 1 },
  };
  return {
    description:
      `p̂ of each of the ${sp.repetitions} independent AMS repetitions (points), their mean p̄ = ${sp.probability.mean.toPrecision(4)} ` +
      `(line) and its 95 % interval (band); the spread of the points is √(relative variance) ≈ ${Math.sqrt(sp.relativeVariance).toPrecision(3)} of p̄.`,
    title: { text: 'AMS estimate per repetition', anchor: 'start' },
    width: WIDTH,
    height: HEIGHT,
    config: FIGURE_CONFIG,
    layer: [
      {
        data: { values: [{ lo, hi }] },
        mark: { type: 'rect', opacity: 0.2, color: COLOR.blue },
        encoding: { y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } },
      },
      {
        data: { values: [{ mean: sp.probability.mean }] },
        mark: { type: 'rule', color: COLOR.blue, strokeWidth: 2 },
        encoding: { y: { field: 'mean', type: 'quantitative' } },
      },
      {
        data: { values },
        mark: { type: 'point', filled: true, color: COLOR.vermillion },
        encoding: { x, y: { field: 'p', type: 'quantitative', title: 'p̂ = P(B before A | z₀)', scale: { zero: false } } },
      },
    ],
  } as VegaLiteSpec;
}

function mfptEstimates(c: SplittingComparison): VegaLiteSpec {
  const values = c.rows.map((r) => ({ method: r.short, time: r.time, lo: r.ci95?.[0] ?? r.time, hi: r.ci95?.[1] ?? r.time }));
  const y = { field: 'method', type: 'nominal' as const, title: null, sort: c.rows.map((r) => r.short) };
  return {
    description: 'Mean first-passage time A → B: each estimate with its 95 % interval (bars), exact values as points.',
    title: { text: 'MFPT A → B', anchor: 'start' },
    width: WIDTH,
    height: 28 * values.length,
    config: FIGURE_CONFIG,
    data: { values },
    layer: [
      {
        mark: { type: 'rule', strokeWidth: 2, color: COLOR.blue },
        encoding: {
          y,
          x: { field: 'lo', type: 'quantitative', title: 'MFPT A → B (time t = step·η)', scale: { zero: false, padding: 12 } },
          x2: { field: 'hi' },
        },
      },
      {
        mark: { type: 'point', filled: true, size: 60, color: COLOR.vermillion },
        encoding: { y, x: { field: 'time', type: 'quantitative' } },
      },
    ],
  } as VegaLiteSpec;
}

registerPlot({
  kind: 'splitting',
  title: 'Rare-event splitting',
  caption:
    'Adaptive multilevel splitting (docs/splitting.md): the unbiased estimate p̂ of each independent repetition, then the mean first-passage time it implies beside brute force and theory where the run has them.',
  applies: (ctx) => !!ctx.run?.summary.splitting,
  build: (ctx) => {
    const c = splittingComparison(ctx.run!);
    if (!c) return [];
    return [perRepetition(c.splitting), mfptEstimates(c)];
  },
});
